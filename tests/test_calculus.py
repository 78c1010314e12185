"""Chapter 5's facts: every gradient recomputed with autograd on independently written forward passes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netreel.nets import mlp
from netreel.nets.chain import Chain, ChainConfig
from netreel.nets.config import NetConfig
from netreel.nets.facts import calculus
from netreel.nets.facts.network import trained


def assert_matches_reference(facts, reference) -> None:
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_facts_match_reference(chapter_facts):
    assert_matches_reference(*chapter_facts("calculus"))


def test_chain_gradients_equal_autograd_on_a_plain_forward(chapter_facts):
    facts, _ = chapter_facts("calculus")
    chain = Chain(ChainConfig())
    w = torch.tensor([link.weight.item() for link in chain.layers], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([link.bias.item() for link in chain.layers], dtype=torch.float64, requires_grad=True)
    activations = [torch.tensor(float(chain.input), dtype=torch.float64, requires_grad=True)]
    for l in range(len(w)):
        a = torch.sigmoid(w[l] * activations[-1] + b[l])
        a.retain_grad()
        activations.append(a)
    c0 = (activations[-1] - facts["chain.y"].item()) ** 2
    c0.backward()
    np.testing.assert_allclose(facts["chain.grad.w"], w.grad.numpy(), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(facts["chain.grad.b"], b.grad.numpy(), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(facts["chain.grad.a"], [a.grad.item() for a in activations], rtol=1e-4, atol=1e-7)
    assert facts["chain.cost"] == pytest.approx(c0.item(), rel=1e-5)


def test_chain_rule_products_equal_autograd(chapter_facts):
    facts, _ = chapter_facts("calculus")
    last = int(facts["chain.depth"]) - 1
    a, s, d = facts["chain.a"], facts["chain.sigma_prime"], facts["chain.dc_da_out"]
    assert facts["chain.product.w"] == pytest.approx(a[last] * s[last] * d, rel=1e-6)
    for product, grad in (
        ("chain.product.w", facts["chain.grad.w"][last]),
        ("chain.product.b", facts["chain.grad.b"][last]),
        ("chain.product.a", facts["chain.grad.a"][last]),
        ("chain.product.w_prev", facts["chain.grad.w"][last - 1]),
    ):
        assert facts[product] == pytest.approx(grad, rel=1e-5), product


def test_sweep_follows_the_formulas_and_its_slope_nears_the_derivative(chapter_facts):
    facts, _ = chapter_facts("calculus")
    last = int(facts["chain.depth"]) - 1
    center = int(facts["sweep.center"])
    assert facts["sweep.w"][center] == pytest.approx(facts["chain.w"][last])
    assert facts["sweep.cost"][center] == pytest.approx(facts["chain.cost"], rel=1e-6)
    z = facts["sweep.w"] * facts["chain.a"][last] + facts["chain.b"][last]
    np.testing.assert_allclose(facts["sweep.z"], z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(facts["sweep.cost"], (1 / (1 + np.exp(-z)) - facts["chain.y"]) ** 2, rtol=1e-5, atol=1e-6)
    # a finite nudge only approximates the derivative: within a few percent here
    assert facts["nudge.slope"] == pytest.approx(facts["chain.grad.w"][last], rel=0.05)
    assert facts["nudge.ratio"][0] == pytest.approx(facts["chain.a"][last], rel=1e-4)
    assert facts["nudge.ratio"][1] == pytest.approx(facts["chain.sigma_prime"][last], rel=0.05)


def _layer_autograd(config: NetConfig, example: int) -> dict[str, np.ndarray]:
    """dC0/dW, dC0/db and dC0/da(L-1) of the output layer by autograd on a forward written here."""
    data = config.digits()
    weights = {k: v.double() for k, v in trained(config).snapshots[-1].items()}
    n_layers = len(weights) // 2
    a = torch.from_numpy(data.x_train[example]).double()
    for i in range(n_layers - 1):
        a = torch.sigmoid(weights[f"layers.{i}.weight"] @ a + weights[f"layers.{i}.bias"])
    a_prev = a.clone().requires_grad_(True)
    w = weights[f"layers.{n_layers - 1}.weight"].clone().requires_grad_(True)
    b = weights[f"layers.{n_layers - 1}.bias"].clone().requires_grad_(True)
    out = torch.sigmoid(w @ a_prev + b)
    c0 = ((out - mlp.one_hot(torch.tensor([int(data.y_train[example])]))[0].double()) ** 2).sum()
    c0.backward()
    return {"w": w.grad.numpy(), "b": b.grad.numpy(), "a": a_prev.grad.numpy(), "cost": c0.item(), "out": out.detach().numpy()}


@pytest.mark.parametrize("dataset", ["digits", "mnist"])
def test_layer_gradients_equal_autograd(request, chapter_facts, dataset):
    config = NetConfig()
    if dataset == "mnist":
        config = NetConfig(dataset="mnist", data_dir=str(request.getfixturevalue("mnist_dir")))
    facts, reference = chapter_facts("calculus", config)
    assert_matches_reference(facts, reference)
    example, j, k = (int(facts[key]) for key in ("layer.example", "layer.j", "layer.k"))
    grads = _layer_autograd(config, example)
    np.testing.assert_allclose(facts["layer.grad_w"], grads["w"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(facts["layer.grad_b"], grads["b"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(facts["layer.grad_a_prev"], grads["a"], rtol=1e-4, atol=1e-6)
    assert facts["layer.product"] == pytest.approx(grads["w"][j, k], rel=1e-4)
    assert facts["layer.terms_sum"] == pytest.approx(grads["a"][k], rel=1e-4)
    # the example the scene describes: labelled j, classified right, still costly
    assert j == int(config.digits().y_train[example])
    assert int(np.argmax(grads["out"])) == j
    assert grads["cost"] > calculus.COST_THRESHOLD
    assert k == int(np.argmax(np.abs(grads["w"][j])))
    assert list(facts["layer.sizes"]) == [10, 16]


def test_average_over_examples_is_the_gradient_of_the_average_cost(chapter_facts):
    """Each digit's own dC_i/dw_jk (a forward written here, by autograd), and their mean equal to the
    gradient of the mean cost: the average that builds the gradient of the whole cost."""
    config = NetConfig()
    facts, _ = chapter_facts("calculus", config)
    j, k, example = (int(facts[key]) for key in ("layer.j", "layer.k", "layer.example"))
    index = facts["average.index"].astype(int)
    assert list(index) == list(range(example, example + calculus.AVERAGE_EXAMPLES))
    own = np.array([_layer_autograd(config, int(i))["w"][j, k] for i in index])
    np.testing.assert_allclose(facts["average.grad"], own, rtol=1e-4, atol=1e-7)
    assert facts["average.grad"][0] == pytest.approx(facts["layer.grad_w"][j, k])
    assert facts["average.mean"] == pytest.approx(own.mean(), rel=1e-4)
    assert facts["average.autograd"] == pytest.approx(facts["average.mean"], rel=1e-5)
    # what the narration says: most digits barely care about this weight (their share rounds to zero at
    # the four places shown) and the average is pulled by the few that do, ours the most
    assert (np.abs(own) < 5e-5).sum() > len(own) / 2
    assert np.argmax(np.abs(own)) == 0
    assert facts["average.params"] == trained(config).model.n_params()


def test_chain_is_seeded_by_the_config(chapter_facts):
    facts, _ = chapter_facts("calculus")
    other = calculus.chain_facts(calculus.chain_config(NetConfig(seed=1)))
    again = calculus.chain_facts(calculus.chain_config(NetConfig()))
    np.testing.assert_array_equal(np.asarray(again["chain.w"]), facts["chain.w"])
    assert not np.allclose(np.asarray(other["chain.w"]), facts["chain.w"])
