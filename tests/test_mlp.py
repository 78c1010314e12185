"""The digit network against plain torch, autograd and its own seed; the store; the loaders."""

from __future__ import annotations

import gzip
import json
import logging
import shutil

import numpy as np
import pytest
import torch

from netreel.nets import data, mlp, store
from netreel.nets.config import NetConfig
from netreel.nets.facts import network as network_facts


def small_config(**kw) -> mlp.MLPConfig:
    return mlp.MLPConfig(**{"sizes": (64, 16, 16, 10), "epochs": 2, **kw})


def test_forward_matches_plain_torch():
    model = mlp.MLP(small_config())
    model.init_weights(torch.Generator().manual_seed(3))
    x = torch.rand(5, 64)
    out, cache = model.run_with_cache(x)
    a = x
    for i, layer in enumerate(model.layers):
        z = a @ layer.weight.detach().T + layer.bias.detach()
        torch.testing.assert_close(cache[f"layers.{i}.hook_z"], z)
        a = torch.sigmoid(z)
        torch.testing.assert_close(cache[f"layers.{i}.hook_a"], a)
    torch.testing.assert_close(out, a)
    assert set(cache) == {"hook_input"} | {f"layers.{i}.hook_{k}" for i in range(3) for k in "za"}


def test_cache_names_unknown_hook():
    _, cache = mlp.MLP(small_config()).run_with_cache(torch.zeros(1, 64))
    with pytest.raises(KeyError, match="layers.0.hook_a"):
        cache["layers.9.hook_a"]


def test_cost_gradient_matches_hand_derived_backprop():
    """dC/dW of the last layer by the chain rule, against autograd."""
    model = mlp.MLP(small_config())
    model.init_weights(torch.Generator().manual_seed(1))
    x, y = torch.rand(4, 64), torch.tensor([3, 1, 4, 1])
    mlp.cost(model(x), y).backward()
    _, cache = model.run_with_cache(x)
    a_prev, a = cache["layers.1.hook_a"], cache["layers.2.hook_a"]
    delta = 2 * (a - mlp.one_hot(y)) * a * (1 - a) / len(x)  # [4, 10]
    torch.testing.assert_close(model.layers[2].weight.grad, delta.T @ a_prev)
    torch.testing.assert_close(model.layers[2].bias.grad, delta.sum(0))


def test_same_seed_bit_identical_weights():
    digits = data.load_sklearn_digits()
    first, _, _ = mlp.train(small_config(seed=7), digits)
    second, _, _ = mlp.train(small_config(seed=7), digits)
    other, _, _ = mlp.train(small_config(seed=8), digits)
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
        assert not torch.equal(a, c), name


def test_digits_network_reaches_90_percent(net_cache):
    digits = data.load_sklearn_digits()
    net = mlp.load_or_train(mlp.MLPConfig.for_data(digits), digits)
    assert net.history.test_accuracy[-1] >= 0.90
    accuracy = mlp.evaluate(net.model, digits.x_test, digits.y_test)[1]
    assert accuracy == pytest.approx(net.history.test_accuracy[-1])
    assert len(net.history.train_cost) == net.model.config.epochs + 1
    assert net.history.train_cost[-1] < net.history.train_cost[0] / 5


def test_mnist_network_reaches_85_percent(mnist_dir, net_cache):
    mnist = data.load_mnist(mnist_dir)
    assert (len(mnist.y_train), len(mnist.y_test), mnist.n_inputs) == (8000, 2000, 784)
    net = mlp.load_or_train(mlp.MLPConfig.for_data(mnist), mnist)
    assert net.model.n_params() == 13002
    assert net.history.test_accuracy[-1] >= 0.85


def test_store_reuses_and_repairs_cache(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    digits = data.load_sklearn_digits()
    config = small_config()
    first = mlp.load_or_train(config, digits)
    (weights,) = tmp_path.glob("mlp-*.safetensors")
    record = json.loads(weights.with_suffix(".json").read_text())
    assert record["config"]["seed"] == 0 and record["config"]["data"] == digits.digest()
    again = mlp.load_or_train(config, digits)
    assert again.record["train_seconds"] == first.record["train_seconds"]  # loaded, not retrained
    weights.write_bytes(b"not a safetensors file")
    monkeypatch.setattr(logging.getLogger("netreel"), "propagate", True)  # the command line stops it at its own handler
    with caplog.at_level(logging.WARNING, logger="netreel"):
        repaired = mlp.load_or_train(config, digits)
    assert "is unusable (its weights file does not match its digest); retraining" in caplog.text
    for a, b in zip(first.model.state_dict().values(), repaired.model.state_dict().values()):
        assert torch.equal(a, b)


def test_store_key_changes_with_config():
    assert store.config_key({"a": 1, "b": 2}) == store.config_key({"b": 2, "a": 1})
    assert store.config_key({"a": 1}) != store.config_key({"a": 2})


def test_mnist_loader_reads_plain_and_gzipped(mnist_dir, tmp_path):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(mnist_dir / f"{name}.gz", "rb") as src, open(tmp_path / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    plain = data.load_mnist(tmp_path)
    zipped = data.load_mnist(mnist_dir)
    assert np.array_equal(plain.x_test, zipped.x_test) and np.array_equal(plain.y_train, zipped.y_train)
    assert plain.x_train.shape == (8000, 784) and 0.0 <= plain.x_train.min() and plain.x_train.max() == 1.0
    assert set(np.unique(plain.y_test)) == set(range(10))


def test_mnist_loader_errors_name_the_files(tmp_path):
    with pytest.raises(data.DataError, match="t10k-images-idx3-ubyte"):
        data.load_mnist(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x01garbage")
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05")
    with pytest.raises(data.DataError, match="bad magic number"):
        data.load_mnist(tmp_path)


def test_mnist_package_holds_out_every_fifth_digit_of_each_class():
    mnist = data.load_mnist_package(data.MNIST_PACKAGE)
    assert (mnist.name, mnist.side) == ("mnist", 28)
    assert len(mnist.y_train) + len(mnist.y_test) == 10000
    for digit in range(10):
        raw = np.asarray(json.loads((data.MNIST_PACKAGE / f"{digit}.json").read_text())["data"], np.float32).reshape(-1, 784)
        held_out = mnist.x_test[mnist.y_test == digit]
        assert sorted(map(bytes, held_out)) == sorted(map(bytes, raw[4::5])), digit
        assert len(mnist.x_train[mnist.y_train == digit]) == len(raw) - len(raw[4::5])
    assert len(set(mnist.y_test[:30].tolist())) >= 8  # mixed: the first held-out digits are not all one class
    again = data.load_mnist_package(data.MNIST_PACKAGE)
    assert np.array_equal(again.x_test, mnist.x_test) and np.array_equal(again.y_train, mnist.y_train)
    assert mnist.x_train.min() == 0.0 and mnist.x_train.max() == 1.0


def test_mnist_package_errors_name_the_file(tmp_path):
    shutil.copytree(data.MNIST_PACKAGE, tmp_path / "digits")
    (tmp_path / "digits" / "3.json").write_text('{"data": [0.5, 2.0]}')
    with pytest.raises(data.DataError, match="3.json does not hold 28×28 images"):
        data.load_mnist_package(tmp_path / "digits")
    (tmp_path / "digits" / "3.json").write_text("{not json")
    with pytest.raises(data.DataError, match="cannot read the MNIST package's .*3.json"):
        data.load_mnist_package(tmp_path / "digits")


def test_without_the_package_mnist_falls_back_to_the_8x8_digits(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "MNIST_PACKAGE", tmp_path / "absent")
    digits = data.load("mnist")
    assert digits.side == 8 and np.array_equal(digits.x_test, data.load_sklearn_digits().x_test)
    note = capsys.readouterr().err
    assert note.count("\n") == 1 and "make setup" in note and "8×8" in note


def test_package_network_reaches_93_percent(net_cache):
    mnist = data.load_mnist_package(data.MNIST_PACKAGE)
    net = mlp.load_or_train(mlp.MLPConfig.for_data(mnist), mnist)
    assert net.model.n_params() == 13002
    assert net.history.test_accuracy[-1] >= 0.93
    assert mlp.evaluate(net.model, mnist.x_test, mnist.y_test)[1] == pytest.approx(net.history.test_accuracy[-1])


def test_digits_loader_is_seeded_and_normalised():
    a, b = data.load_sklearn_digits(0), data.load_sklearn_digits(0)
    assert np.array_equal(a.x_test, b.x_test)
    assert a.x_train.shape[1] == 64 and a.x_train.max() == 1.0
    assert len(a.y_train) + len(a.y_test) == 1797


def test_chapter_one_facts_match_reference(chapter_facts):
    facts, reference = chapter_facts("network")
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-6, err_msg=key)
    assert facts["params.total"] == 13002  # the default: the MNIST package's 28×28 digits
    assert facts["prediction"] == facts["digit.label"]


def test_chapter_one_counts_on_mnist(mnist_dir, net_cache):
    facts = network_facts.build(NetConfig(dataset="mnist", data_dir=str(mnist_dir)))
    assert facts["params.total"] == 13002
    assert facts["edges.total"] == 784 * 16 + 16 * 16 + 16 * 10
