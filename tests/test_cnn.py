"""The digit CNN against F.conv2d, explicit sums and its own seed; pooling's argmax; Chapter 8's facts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from netreel.nets import cnn, data
from netreel.nets.config import NetConfig
from netreel.nets.facts import cnn as cnn_facts


def seeded_model(seed: int = 3, side: int = 8) -> cnn.CNN:
    model = cnn.CNN(cnn.CNNConfig(side=side))
    model.init_weights(torch.Generator().manual_seed(seed))
    with torch.no_grad():
        for bias in (model.conv1.bias, model.conv2.bias, model.head.bias):
            bias.normal_(generator=torch.Generator().manual_seed(seed + 1))
    return model


def test_feature_maps_equal_conv2d_from_the_weights():
    model = seeded_model()
    x = torch.rand(5, 64, generator=torch.Generator().manual_seed(0))
    logits, cache = model.run_with_cache(x)
    w1, b1 = model.conv1.weight.detach(), model.conv1.bias.detach()
    w2, b2 = model.conv2.weight.detach(), model.conv2.bias.detach()
    image = x.reshape(5, 1, 8, 8)
    z1 = F.conv2d(image, w1, b1)
    torch.testing.assert_close(cache["conv1.hook_z"], z1)
    torch.testing.assert_close(cache["conv1.hook_a"], z1.clamp(min=0))
    pooled = F.max_pool2d(z1.clamp(min=0), 2)
    torch.testing.assert_close(cache["hook_pool"], pooled)
    z2 = F.conv2d(pooled, w2, b2, padding=1)
    torch.testing.assert_close(cache["conv2.hook_z"], z2)
    head = model.head
    expected = z2.clamp(min=0).flatten(1) @ head.weight.detach().T + head.bias.detach()
    torch.testing.assert_close(logits, expected)
    torch.testing.assert_close(cache["hook_probs"], torch.softmax(expected, dim=1))
    assert cache["conv1.hook_z"].shape == (5, 8, 6, 6) and cache["conv2.hook_z"].shape == (5, 8, 3, 3)


def test_each_cell_is_nine_products_plus_bias():
    """The sliding-window definition, written out cell by cell, against the model's map."""
    model = seeded_model()
    x = torch.rand(1, 64, generator=torch.Generator().manual_seed(1))
    _, cache = model.run_with_cache(x)
    image = x.reshape(8, 8).double()
    w, b = model.conv1.weight.detach().double(), model.conv1.bias.detach().double()
    for c in (0, 5):
        for i, j in ((0, 0), (2, 3), (5, 5)):
            total = sum(w[c, 0, u, v] * image[i + u, j + v] for u in range(3) for v in range(3)) + b[c]
            assert float(cache["conv1.hook_z"][0, c, i, j]) == pytest.approx(float(total), rel=1e-5, abs=1e-6)


def test_max_pool_keeps_the_first_of_tied_maxima():
    """The facts take pooling's argmax from F.max_pool2d; the reference takes numpy's first maximum."""
    maps = np.zeros((1, 4, 4))
    maps[0, 0, 1] = maps[0, 1, 0] = 2.0  # a tie in the first window
    maps[0, 3, 3] = 1.0
    _, flat = F.max_pool2d(torch.from_numpy(maps)[None], 2, return_indices=True)
    values, offset = cnn_facts._pool(maps, 2)
    assert flat[0, 0].tolist() == [[1, 2], [8, 15]]  # all-zero windows keep their first cell
    assert offset[0].tolist() == [[1, 0], [0, 3]]
    assert values[0].tolist() == [[2.0, 0.0], [0.0, 1.0]]


def test_same_seed_bit_identical_weights():
    digits = data.load_sklearn_digits()
    config = cnn.CNNConfig(epochs=1)
    first, _ = cnn.train(config, digits)
    second, _ = cnn.train(config, digits)
    other, _ = cnn.train(cnn.CNNConfig(epochs=1, seed=1), digits)
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
        assert not torch.equal(a, c), name


def test_training_leaves_the_thread_count_alone():
    before = torch.get_num_threads()
    cnn.train(cnn.CNNConfig(epochs=1), data.load_sklearn_digits())
    assert torch.get_num_threads() == before


def test_train_refuses_images_of_another_size():
    with pytest.raises(ValueError, match="28x28"):
        cnn.train(cnn.CNNConfig(side=28), data.load_sklearn_digits())


@pytest.mark.render
def test_digits_cnn_reaches_95_percent():
    digits = data.load_sklearn_digits()
    net = cnn.load_or_train(cnn.CNNConfig.for_data(digits), digits)
    assert net.history.test_accuracy[-1] >= 0.95
    assert cnn.evaluate(net.model, digits.x_test, digits.y_test)[1] == pytest.approx(net.history.test_accuracy[-1])
    assert net.history.train_loss[-1] < net.history.train_loss[0] / 20
    assert net.model.n_params() == 8 * 9 + 8 + 8 * 8 * 9 + 8 + 8 * 9 * 10 + 10
    again = cnn.load_or_train(cnn.CNNConfig.for_data(digits), digits)
    assert again.record["train_seconds"] == net.record["train_seconds"]  # from the cache


def test_mnist_cnn_reaches_95_percent(mnist_dir):
    mnist = data.load_mnist(mnist_dir)
    net = cnn.load_or_train(cnn.CNNConfig.for_data(mnist), mnist)
    assert net.model.config.conv1_side == 26 and net.model.config.pool_side == 13
    assert net.history.test_accuracy[-1] >= 0.95


def test_chapter_eight_facts_match_reference(chapter_facts):
    facts, reference = chapter_facts("cnn")
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_pooling_picks_the_true_maximum_of_each_window(chapter_facts):
    facts, _ = chapter_facts("cnn")
    relu, pooled = facts["conv1.hook_a"], facts["hook_pool"]  # [8, 6, 6], [8, 3, 3]
    rows, cols = facts["pool.row"].astype(int), facts["pool.col"].astype(int)
    for c in range(relu.shape[0]):
        for i in range(3):
            for j in range(3):
                block = relu[c, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
                r, k = rows[c, i, j], cols[c, i, j]
                assert 2 * i <= r < 2 * i + 2 and 2 * j <= k < 2 * j + 2
                assert relu[c, r, k] == block.max() == pooled[c, i, j]
    assert (relu < 0).sum() == 0 and (facts["conv1.hook_z"] < 0).any()


def test_chapter_eight_shown_arithmetic_adds_up(chapter_facts):
    facts, _ = chapter_facts("cnn")
    f = int(facts["focus.filter"])
    z = facts["conv1.hook_z"][f]
    np.testing.assert_allclose(facts["slide.sums"] + facts["conv1.bias"][f], z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(facts["slide.products"].sum(axis=(2, 3)), facts["slide.sums"], rtol=1e-6)
    # the filter written as a fully connected layer gives the same map
    dense = facts["dense.focus"]  # [36, 64]
    np.testing.assert_allclose(dense @ facts["hook_input"].reshape(-1) + facts["conv1.bias"][f], z.reshape(-1), rtol=1e-5, atol=1e-5)
    assert ((dense != 0).sum(axis=1) == 9).all()
    assert facts["count.dense"] == 64 * 288 + 288 and facts["count.local"] == 288 * 9 + 288 and facts["count.conv"] == 80
    assert facts["rf.size"].tolist() == [3, 4, 8]
    assert facts["prediction"] == facts["digit.label"]
    assert facts["params.total"] < facts["params.mlp"]


def test_receptive_fields_grow_and_stay_inside_on_mnist(mnist_dir, chapter_facts):
    facts, reference = chapter_facts("cnn", NetConfig(dataset="mnist", data_dir=str(mnist_dir)))
    for key in ("rf.box", "rf.size", "count.dense", "count.local", "count.conv", "pool.origin", "dense.focus", "test_accuracy.cnn"):
        np.testing.assert_allclose(facts[key], reference[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert facts["rf.size"].tolist() == [3, 4, 8]
    assert facts["shape.conv1"] == 26 and facts["count.cells"] == 26 * 26
    r0, c0 = facts["pool.origin"].astype(int)
    assert r0 % 2 == c0 % 2 == 0 and 0 <= r0 <= 20 and 0 <= c0 <= 20


def test_pick_filter_and_crop():
    z = np.zeros((3, 4, 4))
    z[0] = 5.0  # all positive: nothing for ReLU to remove
    z[1, :2], z[1, 2:] = 1.0, -1.0  # both signs, evenly
    z[2, 0, 0], z[2, 1, 1] = 3.0, -0.5
    assert cnn_facts.pick_filter(z) == 1
    relu = np.zeros((10, 10))
    relu[6:9, 5:8] = 1.0
    assert cnn_facts.pick_crop(relu, 2).tolist() == [4, 2]
    assert cnn_facts.pick_crop(np.ones((6, 6)), 2).tolist() == [0, 0]
