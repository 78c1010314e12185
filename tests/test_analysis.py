"""Chapter 3's facts: the run, the mistakes, the first-layer weights and the noise, recomputed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netreel.nets import mlp
from netreel.nets.config import NetConfig
from netreel.nets.facts import analysis
from netreel.nets.facts.network import trained


def assert_matches_reference(facts, reference) -> None:
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def _config(request, dataset: str) -> NetConfig:
    if dataset == "mnist":
        return NetConfig(dataset="mnist", data_dir=str(request.getfixturevalue("mnist_dir")))
    return NetConfig()


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_facts_match_reference(request, chapter_facts, dataset):
    assert_matches_reference(*chapter_facts("analysis", _config(request, dataset)))


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_run_tally_counts_the_real_answers(request, chapter_facts, dataset):
    config = _config(request, dataset)
    facts, _ = chapter_facts("analysis", config)
    data = config.digits()
    n = len(facts["run.seen"])
    guesses = facts["run.outputs"].argmax(axis=1)
    np.testing.assert_array_equal(facts["run.guesses"], guesses)
    np.testing.assert_array_equal(facts["run.labels"], data.y_test[:n])
    hits = guesses == data.y_test[:n]
    np.testing.assert_array_equal(facts["run.wrong"], ~hits)
    assert facts["run.correct"][-1] == hits.sum() and np.all(np.diff(facts["run.correct"]) == hits[1:])
    assert facts["run.wrong"].any(), "the run shows at least one real mistake"
    accuracy = mlp.evaluate(trained(config).model, data.x_test, data.y_test)[1]
    assert facts["test.accuracy"] == pytest.approx(accuracy)
    assert facts["test.correct"] + facts["mistakes.total"] == facts["test.n"] == len(data.y_test)
    assert np.all(facts["mistakes.guesses"] != facts["mistakes.labels"])
    np.testing.assert_array_equal(facts["mistakes.labels"], data.y_test[facts["mistakes.index"].astype(int)])


def test_noise_is_seeded_and_answered_by_the_network(chapter_facts):
    facts, _ = chapter_facts("analysis")
    config = NetConfig()
    pixels = int(facts["pixels.n"])
    images = analysis.noise_images(config, pixels)
    assert torch.equal(images, analysis.noise_images(config, pixels))
    assert not torch.equal(images, analysis.noise_images(NetConfig(seed=1), pixels))
    assert 0.0 <= float(images.min()) and float(images.max()) < 1.0
    shown = int(facts["noise.shown"])
    np.testing.assert_allclose(facts["noise.image"], images[shown].numpy())
    with torch.no_grad():
        outputs = trained(config).model(images).numpy()  # [K, 10]
    np.testing.assert_allclose(facts["noise.output"], outputs[shown], rtol=1e-5, atol=1e-7)
    assert shown == int(np.argmax(outputs.max(axis=1))), "the scene shows the most confident noise image, and says so"
    assert facts["noise.guess_counts"].sum() == facts["noise.n"] == len(images)
    assert facts["noise.confident"] == (outputs.max(axis=1) > analysis.CONFIDENT).sum()


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_never_inked_pixels_keep_their_random_weights(request, chapter_facts, dataset):
    config = _config(request, dataset)
    facts, _ = chapter_facts("analysis", config)
    net = trained(config)
    blank = facts["pixels.blank"].astype(bool)
    assert blank.sum() == facts["pixels.n_blank"] > 0
    before = net.snapshots[0]["layers.0.weight"].numpy()[:, blank]
    after = net.snapshots[-1]["layers.0.weight"].numpy()[:, blank]
    np.testing.assert_array_equal(before, after)
    assert facts["weights.blank_change"] == 0.0
    assert not np.array_equal(net.snapshots[0]["layers.0.weight"].numpy(), facts["layers.0.weight"])


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_run_lights_each_layer_with_the_networks_own_activations(request, chapter_facts, dataset):
    """Each run digit's hidden layers are what the model's layers make of its pixels, layer after layer."""
    config = _config(request, dataset)
    facts, _ = chapter_facts("analysis", config)
    model = trained(config).model
    n = len(facts["run.seen"])
    a = torch.from_numpy(facts["run.images"]).float()  # [n, inputs]
    with torch.no_grad():
        for k, layer in enumerate(model.layers, start=1):
            a = layer(a)
            shown = facts["run.outputs"] if k == len(model.layers) else facts[f"run.hidden.{k}"]
            assert shown.shape == (n, layer.weight.shape[0])
            np.testing.assert_allclose(shown, a.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"layer {k}")
    assert f"run.hidden.{len(model.layers)}" not in facts.arrays, "the output layer is run.outputs, not a hidden layer"


def test_noise_lights_each_layer_with_the_networks_own_activations(chapter_facts):
    facts, _ = chapter_facts("analysis")
    model = trained(NetConfig()).model
    a = torch.from_numpy(facts["noise.image"]).float()[None]  # [1, inputs]
    with torch.no_grad():
        for k, layer in enumerate(model.layers, start=1):
            a = layer(a)
            shown = facts["noise.output"] if k == len(model.layers) else facts[f"noise.hidden.{k}"]
            np.testing.assert_allclose(shown, a[0].numpy(), rtol=1e-5, atol=1e-6, err_msg=f"layer {k}")
    assert int(facts["noise.guess"]) == int(np.argmax(facts["noise.output"]))


def test_each_noise_image_counted_confident_has_an_output_above_the_threshold(chapter_facts):
    facts, _ = chapter_facts("analysis")
    config = NetConfig()
    images = analysis.noise_images(config, int(facts["pixels.n"]))
    with torch.no_grad():
        outputs = trained(config).model(images).numpy()  # [K, 10]
    above = facts["noise.above"].astype(bool)
    assert len(above) == len(images) == int(facts["noise.n"])
    for row, flagged in zip(outputs, above):
        assert flagged == any(value > facts["noise.threshold"] for value in row)
    assert above.sum() == facts["noise.confident"]
    assert float(facts["noise.mean_top"]) < float(facts["test.mean_top"]), "noise gets less sure answers than digits"


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_shuffled_labels_are_learned_by_rote_and_say_nothing_held_out(request, chapter_facts, dataset):
    """The same network on shuffled labels: each label another digit's, its accuracies measured again."""
    config = _config(request, dataset)
    facts, _ = chapter_facts("analysis", config)
    data = config.digits()
    labels = analysis.shuffled_labels(config, data.y_train)
    assert sorted(labels.tolist()) == sorted(data.y_train.tolist()), "the same labels, only moved"
    assert np.mean(labels == data.y_train) < 0.2, "hardly any digit keeps its own label"
    net = analysis.shuffled(config)
    assert len(net.snapshots) == int(facts["shuffled.epochs"]) + 1 == analysis.SHUFFLED_EPOCHS + 1
    assert mlp.evaluate(net.model, data.x_train, labels)[1] == pytest.approx(facts["shuffled.train_accuracy"][-1])
    assert mlp.evaluate(net.model, data.x_test, data.y_test)[1] == pytest.approx(facts["shuffled.test_accuracy"][-1])
    real = trained(config).model
    assert mlp.evaluate(real, data.x_train, data.y_train)[1] == pytest.approx(facts["train.accuracy"])
    # held out, the shuffled-label network is no better than chance; the real one is far better
    assert abs(facts["shuffled.test_accuracy"][-1] - facts["shuffled.chance"]) < 0.06
    assert facts["test.accuracy"] > 0.8
