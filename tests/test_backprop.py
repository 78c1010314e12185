"""Chapter 4: one example's wishes against autograd on the model, the minibatch, and SGD on the surface."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netreel.nets import gradients, landscape, mlp, terrain
from netreel.nets.config import NetConfig
from netreel.nets.facts import backprop, descent


@pytest.fixture(scope="module")
def facts(chapter_facts):
    return chapter_facts("backprop")[0]


def untrained_model() -> mlp.MLP:
    net = descent.trained(NetConfig())
    model = mlp.MLP(net.model.config).double()
    model.load_state_dict(terrain.double(net.snapshots[0]))
    return model


def test_backprop_facts_match_reference(chapter_facts):
    facts, reference = chapter_facts("backprop")
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-7, err_msg=key)


def test_example_is_a_two_through_the_untrained_network(facts):
    data = NetConfig().digits()
    index = int(facts["example.index"])
    assert facts["example.label"] == data.y_train[index] == backprop.EXAMPLE_LABEL
    out = untrained_model()(torch.from_numpy(data.x_train[index : index + 1]).double())[0]
    np.testing.assert_allclose(facts["out.a"], out.detach().numpy(), rtol=1e-10)


def test_output_nudges_point_up_for_the_target_and_down_for_the_rest(facts):
    nudge, label = facts["out.nudge"], int(facts["example.label"])
    np.testing.assert_allclose(nudge, -2 * (facts["out.a"] - facts["out.y"]))
    assert nudge[label] > 0 and (np.delete(nudge, label) < 0).all()
    assert int(facts["out.biggest"]) == int(np.argmax(np.abs(nudge)))


def test_levers_equal_the_model_gradient_for_one_example(facts):
    """The bias and weight levers are -dC0/db_j and -dC0/dw_jk of the model's own cost, by autograd."""
    model = untrained_model()
    data = NetConfig().digits()
    index, j = int(facts["example.index"]), int(facts["lever.j"])
    x, y = torch.from_numpy(data.x_train[index : index + 1]).double(), torch.from_numpy(data.y_train[index : index + 1])
    (((model(x) - mlp.one_hot(y).double()) ** 2).sum()).backward()
    last = model.layers[-1]
    assert facts["lever.bias"] == pytest.approx(-float(last.bias.grad[j]), rel=1e-10)
    np.testing.assert_allclose(facts["lever.weights"], -last.weight.grad[j].numpy(), rtol=1e-10)
    np.testing.assert_allclose(facts["lever.weights"], facts["lever.bias"] * facts["prev.a"], rtol=1e-10)  # in proportion to a_k
    np.testing.assert_allclose(facts["lever.prev"], facts["lever.bias"] * facts["lever.w"], rtol=1e-10)  # in proportion to w_jk
    assert facts["lever.bias"] == pytest.approx(-facts["lever.sigma_prime"] * facts["lever.dc_da"])


def test_highlighted_connections_change_most_and_come_from_the_brightest(facts):
    """"Fire together, wire together": the highlighted weights are the ones whose nudge is largest,
    and, the nudge being proportional to a_k, they come from the brightest neurons."""
    strong = facts["lever.strong"].astype(int)
    change, bright = np.abs(facts["lever.weights"]), facts["prev.a"]
    assert len(strong) == backprop.STRONGEST
    assert change[strong].min() >= np.delete(change, strong).max()
    assert bright[strong].min() >= np.delete(bright, strong).max()


def test_backward_sweep_reaches_the_first_weights(facts):
    """-dC0/da^(1) and the weight nudges of every layer against autograd through the model, by hooks."""
    model = untrained_model()
    data = NetConfig().digits()
    index = int(facts["example.index"])
    x = torch.from_numpy(data.x_train[index : index + 1]).double()
    kept = {}
    model.layers[0].hook_a.register_forward_hook(lambda module, inputs, output: kept.setdefault("a1", output))
    cost = ((model(x) - torch.from_numpy(facts["out.y"])) ** 2).sum()
    layers = model.layers
    d_a1, d_w1, d_b1, d_w2, d_w3 = torch.autograd.grad(
        cost, [kept["a1"], layers[0].weight, layers[0].bias, layers[1].weight, layers[2].weight]
    )
    np.testing.assert_allclose(facts["back.w2"], -d_w2.numpy(), rtol=1e-10)
    np.testing.assert_allclose(facts["back.w3"], -d_w3.numpy(), rtol=1e-10)
    np.testing.assert_allclose(facts["back.w3"][int(facts["lever.j"])], facts["lever.weights"], rtol=1e-10)
    np.testing.assert_allclose(facts["back.h1"], kept["a1"][0].detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(facts["back.a1"], -d_a1[0].numpy(), rtol=1e-10)
    neuron = int(facts["back.neuron"])
    assert abs(d_b1[neuron]) == d_b1.abs().max()
    np.testing.assert_allclose(facts["back.w1"], -d_w1[neuron].numpy(), rtol=1e-10)
    np.testing.assert_allclose(facts["back.w1"], -float(d_b1[neuron]) * x[0].numpy(), rtol=1e-10)  # the digit, scaled


def test_summed_wishes_are_the_backpropagated_gradient(facts):
    """Each output's wishes add up to -dC0/da^(L-1), and that equals autograd through the whole model."""
    np.testing.assert_allclose(facts["wishes"].sum(axis=0), facts["prev.nudge"], rtol=1e-12)
    np.testing.assert_allclose(facts["prev.nudge"], facts["prev.autograd"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(facts["wishes"][int(facts["lever.j"])], facts["lever.prev"])
    model = untrained_model()
    data = NetConfig().digits()
    index = int(facts["example.index"])
    hidden = {}
    model.layers[-2].hook_a.register_forward_hook(lambda module, inputs, output: hidden.setdefault("a", output))
    out = model(torch.from_numpy(data.x_train[index : index + 1]).double())
    cost = ((out - torch.from_numpy(facts["out.y"])) ** 2).sum()
    (grad,) = torch.autograd.grad(cost, hidden["a"])
    np.testing.assert_allclose(-grad[0].numpy(), facts["prev.autograd"], rtol=1e-10)


def test_minibatch_average_is_the_minibatch_gradient(facts):
    net = descent.trained(NetConfig())
    data = NetConfig().digits()
    batch = facts["batch.index"].astype(int)
    assert len(set(batch)) == len(batch) == net.model.config.batch_size
    model = mlp.MLP(net.model.config).double()
    model.load_state_dict(terrain.double(net.snapshots[0]))
    mlp.cost(model(torch.from_numpy(data.x_train[batch]).double()), torch.from_numpy(data.y_train[batch])).backward()
    flat = -torch.cat([p.grad.reshape(-1) for p in model.parameters()]).numpy()
    rows = facts["batch.rows"].astype(int)
    np.testing.assert_allclose(facts["batch.mean"], flat[rows], rtol=1e-10)
    np.testing.assert_allclose(facts["batch.values"].mean(axis=0), facts["batch.mean"], rtol=1e-10)
    np.testing.assert_allclose(facts["batch.step"], net.model.config.lr * flat[rows], rtol=1e-10)
    labels = facts["batch.label"].astype(int)
    assert (np.diff(labels) >= 0).all()
    assert set(batch) == set(torch.randperm(len(data.y_train), generator=torch.Generator().manual_seed(0))[: len(batch)].tolist())
    assert [tuple(n) for n in facts["batch.rows.name"]] == [(3, j, -1) for j in range(10)]  # the output biases
    wants = np.sign(facts["batch.values"])  # [digits, outputs]: each digit wants its own label up, the others down
    np.testing.assert_array_equal(wants, np.where(np.eye(10)[labels] > 0, 1.0, -1.0))
    assert facts["batch.count"] == flat.size == 13002  # the series' 784 -> 16 -> 16 -> 10


def test_sgd_and_full_batch_walk_the_real_surface(facts):
    full, mini = facts["sgd.full"], facts["sgd.mini"]
    np.testing.assert_array_equal(full[0], mini[0])
    assert facts["sgd.full.cost"][-1] < facts["sgd.full.cost"][0]
    assert facts["sgd.mini.cost"][-1] < facts["sgd.mini.cost"][0]
    assert (np.diff(facts["sgd.full.cost"]) <= 1e-12).all(), "full-batch steps never go uphill here"
    assert (np.diff(facts["sgd.mini.cost"]) > 0).any(), "minibatch steps sometimes do"
    u, v = facts["sgd.u"], facts["sgd.v"]
    inside = (full[:, 0] >= u[0]) & (full[:, 0] <= u[-1]) & (full[:, 1] >= v[0]) & (full[:, 1] <= v[-1])
    assert inside.all()
    assert facts["sgd.examples.full"] == facts["sgd.steps"] * facts["data.n_train"]


def test_sgd_steps_follow_their_minibatches(facts):
    """Replay the first minibatch steps with the chain rule on those digits only."""
    net = descent.trained(NetConfig())
    data = NetConfig().digits()
    land = terrain.load(net, data)
    x, y = terrain.training_tensors(data)
    batches = backprop.sgd_batches(len(y), net.model.config.batch_size, 3, 0)
    point = facts["sgd.mini"][0]
    for step, batch in enumerate(batches, start=1):
        _, grad = landscape.ChainRule(land.weights, land.params, x[batch], y[batch])(point[None])
        point = point - facts["sgd.lr"] * grad[0]
        np.testing.assert_allclose(point, facts["sgd.mini"][step], rtol=1e-9)


def test_sgd_batches_cover_the_training_set_before_repeating():
    batches = backprop.sgd_batches(25, 5, 7, 0)
    first_epoch = torch.cat(batches[:5])
    assert sorted(first_epoch.tolist()) == list(range(25))
    assert [len(b) for b in batches] == [5] * 7


@pytest.mark.render
def test_wishes_use_the_model_hooks():
    model = untrained_model()
    data = NetConfig().digits()
    x = torch.from_numpy(data.x_train[:1]).double()
    values = backprop.wishes(model, x[0], int(data.y_train[0]))
    _, cache = model.run_with_cache(x)
    np.testing.assert_allclose(values["prev.a"].numpy(), cache["layers.1.hook_a"][0].numpy())
    np.testing.assert_allclose(values["out.a"].numpy(), cache["layers.2.hook_a"][0].numpy())
    assert gradients.n_layers(model.state_dict()) == 3
