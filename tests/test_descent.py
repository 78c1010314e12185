"""Chapter 2: gradients two ways, the cost landscape against plain forward passes, and the chapter's facts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netreel.nets import gradients, landscape, mlp, terrain
from netreel.nets.config import NetConfig
from netreel.nets.facts import descent


def random_weights(sizes=(6, 5, 4, 10), seed=0) -> dict[str, torch.Tensor]:
    model = mlp.MLP(mlp.MLPConfig(sizes=sizes))
    model.init_weights(torch.Generator().manual_seed(seed))
    return {k: v.double() for k, v in model.state_dict().items()}


def toy_data(n=12, inputs=6, seed=1) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, inputs, generator=generator, dtype=torch.float64), torch.randint(0, 10, (n,), generator=generator)


def test_backprop_by_hand_matches_model_autograd():
    weights, (x, y) = random_weights(), toy_data()
    model = mlp.MLP(mlp.MLPConfig(sizes=(6, 5, 4, 10))).double()
    model.load_state_dict(weights)
    mlp.cost(model(x), y).backward()
    by_hand = gradients.backprop(weights, x, y)
    for name, parameter in model.named_parameters():
        torch.testing.assert_close(by_hand[name], parameter.grad, msg=name)
    torch.testing.assert_close(gradients.flatten(gradients.autograd(weights, x, y)), gradients.flatten(by_hand))


def test_parameter_names_follow_the_flat_order():
    weights = random_weights()
    names = gradients.names(weights)
    assert len(names) == sum(t.numel() for t in weights.values())
    flat = gradients.flatten(weights)
    for position in (0, 7, 30, len(names) - 1):
        layer, row, col = names[position]
        tensor = weights[f"layers.{layer}.{'bias' if col < 0 else 'weight'}"]
        assert flat[position] == (tensor[row] if col < 0 else tensor[row, col])


def test_flat_order_does_not_depend_on_the_dict_order():
    """A cache file lists tensors alphabetically (bias before weight); the flat order must not change."""
    weights, (x, y) = random_weights(), toy_data()
    alphabetical = dict(sorted(weights.items()))
    assert list(alphabetical) != list(weights)
    torch.testing.assert_close(gradients.flatten(gradients.backprop(alphabetical, x, y)), gradients.flatten(gradients.backprop(weights, x, y)))
    torch.testing.assert_close(gradients.flatten(gradients.autograd(alphabetical, x, y)), gradients.flatten(gradients.autograd(weights, x, y)))
    assert gradients.names(alphabetical) == gradients.names(weights)


def test_per_example_gradients_average_to_the_batch_gradient():
    weights, (x, y) = random_weights(), toy_data()
    per_example = gradients.per_example(weights, x, y)
    torch.testing.assert_close(per_example.mean(dim=0), gradients.flatten(gradients.backprop(weights, x, y)))


@pytest.mark.parametrize("params", [[landscape.Param(1, 2, 3)], [landscape.Param(0, 1, 4), landscape.Param(2, 7, -1)]])
def test_vectorised_costs_match_one_forward_pass_per_point(params):
    weights, (x, y) = random_weights(), toy_data()
    points = torch.randn(9, len(params), generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 3
    vectorised = landscape.costs(weights, x, y, params, points, chunk=4)
    for point, value in zip(points, vectorised):
        changed = {k: v.clone() for k, v in weights.items()}
        for p, v in zip(params, point):
            changed[p.tensor][p.index] = v
        assert float(value) == pytest.approx(float(gradients.cost(changed, x, y)), rel=1e-12)


def test_slope_and_chain_rule_match_finite_differences():
    weights, (x, y) = random_weights(), toy_data()
    params = [landscape.Param(1, 2, 3), landscape.Param(1, 0, 1)]
    point = torch.tensor([[0.7, -1.3]], dtype=torch.float64)
    value, grad = landscape.slope(weights, x, y, params, point)
    h = 1e-6
    for i in range(2):
        step = torch.zeros(1, 2, dtype=torch.float64)
        step[0, i] = h
        numeric = (landscape.costs(weights, x, y, params, point + step) - landscape.costs(weights, x, y, params, point - step)) / (2 * h)
        assert float(grad[0, i]) == pytest.approx(float(numeric[0]), rel=1e-5, abs=1e-10)
    hand_value, hand_grad = landscape.ChainRule(weights, params, x, y)(point.numpy())
    np.testing.assert_allclose(hand_value, value.numpy(), rtol=1e-12)
    np.testing.assert_allclose(hand_grad, grad.numpy(), rtol=1e-9)


def test_chain_rule_refuses_weights_it_was_not_written_for():
    weights, (x, y) = random_weights(), toy_data()
    with pytest.raises(ValueError, match="last hidden layer"):
        landscape.ChainRule(weights, [landscape.Param(0, 1, 1)], x, y)


def test_minibatch_descent_with_every_example_is_full_descent():
    weights, (x, y) = random_weights(), toy_data()
    params = [landscape.Param(1, 2, 3), landscape.Param(1, 0, 1)]
    start = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    full, full_cost = landscape.descend(weights, x, y, params, start, 0.5, 5)
    everyone = [torch.arange(len(y))] * 5
    mini, mini_cost = landscape.descend(weights, x, y, params, start, 0.5, 5, everyone)
    torch.testing.assert_close(full, mini)
    torch.testing.assert_close(full_cost, mini_cost)
    assert full_cost[0, -1] < full_cost[0, 0]


def test_cut_network_sees_the_same_cost():
    weights, (x, y) = random_weights(), toy_data()
    upper, hidden = landscape.cut(weights, x, 1)
    assert sorted(upper) == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]
    assert float(gradients.cost(upper, hidden, y)) == pytest.approx(float(gradients.cost(weights, x, y)), rel=1e-12)


def test_two_valley_score_tells_one_valley_from_two():
    w = np.linspace(-3, 3, 61)
    assert landscape.two_valley_score(w**2) == 0.0
    assert landscape.two_valley_score((w**2 - 4) ** 2) == pytest.approx(16 / 25)  # ridge 16 over a range of 25
    plateaus = np.concatenate([np.full(20, 1.0), 1.0 + np.sin(np.linspace(0, np.pi, 21)), np.full(20, 1.0)])
    plateaus[10], plateaus[50] = 0.999999, 0.999999
    assert landscape.two_valley_score(plateaus) < 1e-3


def test_scan_scores_each_weight_like_its_own_curve():
    weights, (x, y) = random_weights(), toy_data()
    grid = torch.linspace(-6, 6, 13, dtype=torch.float64)
    scored = landscape.scan(weights, x, y, grid)
    assert len(scored) == weights["layers.1.weight"].numel()
    for score, param in scored[:3] + scored[-2:]:
        curve = landscape.costs(weights, x, y, [param], grid[:, None])
        assert score == pytest.approx(landscape.two_valley_score(curve.numpy()))


def test_round_learning_rates():
    assert descent.round_down(7300.0) == 5000.0
    assert descent.round_down(0.0021) == 0.002
    assert descent.round_down(1.0) == 1.0


def test_descent_facts_match_reference(chapter_facts):
    facts, reference = chapter_facts("descent")
    assert set(facts.arrays) == set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-7, err_msg=key)


def test_cost_of_one_example_and_of_the_network(chapter_facts):
    facts, _ = chapter_facts("descent")
    for state in ("untrained", "trained"):
        terms = facts[f"example.{state}.terms"]
        assert terms.sum() == pytest.approx(facts[f"example.{state}.cost"])
        np.testing.assert_allclose(terms, (facts[f"example.{state}.output"] - facts["example.target"]) ** 2)
    assert facts["example.target"].sum() == 1 and facts["example.target"][int(facts["example.label"])] == 1
    assert facts["cost.trained"] < facts["cost.untrained"] / 100
    history = descent.trained(NetConfig()).history
    assert facts["cost.untrained"] == pytest.approx(history.train_cost[0], rel=1e-5)
    assert facts["cost.trained"] == pytest.approx(history.train_cost[-1], rel=1e-5)


def test_balls_come_to_rest_in_different_valleys(chapter_facts):
    facts, _ = chapter_facts("descent")
    grid, curve, balls = facts["curve.grid"], facts["curve.cost"], facts["curve.balls"]
    assert facts["curve.valleys"] >= 2, "the chosen weight's cost curve should have two valleys"
    width, depth = grid[-1] - grid[0], curve.max() - curve.min()
    ends = balls[:, -1]
    assert ends.max() - ends.min() > 0.2 * width
    for end in ends:
        i = int(np.argmin(np.abs(grid - end)))
        assert 0 < i < len(grid) - 1
        assert curve[i] <= curve[max(i - 3, 0) : i + 4].min() + 1e-3 * depth, "each ball rests at the bottom of a valley"
    steps = np.abs(np.diff(balls, axis=1))
    assert (steps[:, -1] < 0.01 * width).all(), "the balls have come to rest"
    assert (steps[:, -1] < steps[:, 0]).all(), "steps shrink as the slope flattens"
    assert (np.diff(facts["curve.balls.cost"], axis=1) <= 1e-12).mean() > 0.95


def test_tangent_slope_is_the_slope_of_the_drawn_curve(chapter_facts):
    facts, _ = chapter_facts("descent")
    grid, curve = facts["curve.grid"], facts["curve.cost"]
    numeric = np.interp(facts["curve.tangent.w"], grid, np.gradient(curve, grid))
    assert facts["curve.tangent.slope"] == pytest.approx(numeric, rel=0.05)
    w = facts["curve.tangent.w"]
    k = int(np.clip(np.searchsorted(grid, w), 1, len(grid) - 1))  # w lies in [grid[k-1], grid[k]]
    bend = np.abs(np.gradient(np.gradient(curve, grid), grid))[k - 2 : k + 2].max()
    interpolation_error = (grid[k] - grid[k - 1]) ** 2 / 8 * bend  # the bound on a straight line's error there
    assert abs(facts["curve.tangent.cost"] - np.interp(w, grid, curve)) <= 2 * interpolation_error + 1e-9


def test_surface_paths_descend_into_different_valleys(chapter_facts):
    facts, _ = chapter_facts("descent")
    costs = facts["surface.paths.cost"]
    assert facts["surface.valleys"] == len(costs) >= 2
    assert (costs[:, -1] < costs[:, 0]).all()
    grid, surface = facts["surface.grid"], facts["surface.cost"]
    basins = {descent.basin(surface, descent.nearest(grid, path[-1])) for path in facts["surface.paths"]}
    assert len(basins) == len(costs)


def test_surface_gradient_is_the_chain_rule_gradient_and_points_uphill(chapter_facts):
    """The arrows of TwoWeights are drawn along this gradient: autograd must agree with the chain rule
    written out, and with the drawn map's own slopes around the circle."""
    facts, reference = chapter_facts("descent")
    gradient = facts["surface.gradient"]
    np.testing.assert_allclose(gradient, reference["surface.gradient"], rtol=1e-6, atol=1e-12)
    grid, surface, now = facts["surface.grid"], facts["surface.cost"], facts["surface.current"]
    i, j = descent.nearest(grid, now)
    step = grid[1] - grid[0]
    numeric = np.array([surface[i + 1, j] - surface[i - 1, j], surface[i, j + 1] - surface[i, j - 1]]) / (2 * step)
    cosine = numeric @ gradient / (np.linalg.norm(numeric) * np.linalg.norm(gradient))
    assert cosine > 0.8, "the gradient should point where the map rises"


def test_gradient_column_is_sorted_and_counted(chapter_facts):
    facts, _ = chapter_facts("descent")
    nudge = facts["grad.nudge"]
    assert facts["grad.count"] == nudge.size == 13002  # the series' 784 -> 16 -> 16 -> 10
    np.testing.assert_allclose(np.abs(facts["grad.top.value"]), np.sort(np.abs(nudge))[::-1][:5])
    assert facts["grad.ratio"] == pytest.approx(np.abs(nudge).max() / np.abs(facts["grad.median.value"]))
    assert (np.diff(facts["grad.sorted"]) <= 0).all()


def test_training_curves_come_from_the_snapshots(chapter_facts):
    facts, _ = chapter_facts("descent")
    assert facts["train.accuracy"][-1] > 0.9 > facts["train.accuracy"][0]
    assert list(facts["train.shown"])[0] == 0 and list(facts["train.shown"])[-1] == facts["train.epochs"]
    net = descent.trained(NetConfig())
    last = len(facts["train.shown"]) - 1
    np.testing.assert_array_equal(facts[f"train.snap.{last}.layers.2.weight"], net.model.layers[2].weight.detach().numpy())


@pytest.mark.render
def test_terrain_is_cached_and_deterministic(net_cache):
    data = NetConfig().digits()
    net = descent.trained(NetConfig())
    first = terrain.load(net, data)
    assert list(net_cache.glob("terrain-*.json")), "the terrain should be stored in the cache"
    again = terrain.load(net, data)
    assert (first.epoch, first.params) == (again.epoch, again.params)
    torch.testing.assert_close(first.surface, again.surface)
    x, y = terrain.training_tensors(data)
    upper, hidden, params = first.above(x)
    row = landscape.costs(upper, hidden, y, params, terrain.mesh(first.grid)[:41])
    torch.testing.assert_close(row, first.surface[0])


def test_gradient_column_on_mnist_counts_every_parameter(mnist_dir, net_cache):
    config = NetConfig(dataset="mnist", data_dir=str(mnist_dir))
    net = descent.trained(config)
    data = config.digits()
    x, y = terrain.training_tensors(data)
    facts = descent.gradient_facts(gradients.autograd(terrain.double(net.snapshots[0]), x[:500], y[:500]))
    assert facts["grad.count"] == 13002
    assert facts["grad.rest"] == 13002 - descent.GRADIENT_SHOWN


def test_gradient_on_the_edges_is_the_flat_gradient_and_the_positive_entry_is_the_largest(chapter_facts):
    """GradientVector colours each edge by grad.layers.*.weight and names grad.up as the largest upward nudge."""
    facts, _ = chapter_facts("descent")
    nudge, sizes = facts["grad.nudge"], [int(s) for s in facts["sizes"]]
    start = 0
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        np.testing.assert_array_equal(facts[f"grad.layers.{k}.weight"], nudge[start : start + n_in * n_out].reshape(n_out, n_in))
        start += n_in * n_out + n_out  # the weights, then the biases
    assert start == nudge.size
    assert facts["grad.up.value"] == nudge.max() > 0
    layer, row, col = (int(v) for v in facts["grad.up.name"])
    at = facts[f"grad.layers.{layer - 1}.weight"][row, col] if col >= 0 else None
    assert at is None or at == facts["grad.up.value"]


def test_full_steps_lower_the_cost_as_a_torch_optimiser_does(chapter_facts):
    """loop.*: the model itself, stepped by torch's SGD on the whole training set, must give the same costs."""
    facts, _ = chapter_facts("descent")
    net = descent.trained(NetConfig())
    x, y = terrain.training_tensors(NetConfig().digits())
    model = mlp.MLP(net.model.config).double()
    model.load_state_dict({k: v.double() for k, v in net.snapshots[0].items()})
    optimiser = torch.optim.SGD(model.parameters(), lr=float(facts["loop.lr"]))
    costs = []
    for step in range(descent.LOOP_STEPS + 1):
        optimiser.zero_grad()
        loss = mlp.cost(model(x.double()), y)
        costs.append(float(loss.detach()))
        if step == descent.LOOP_STEPS:
            break
        loss.backward()
        for k, layer in enumerate(model.layers):
            np.testing.assert_allclose(facts[f"loop.nudge.{step}.layers.{k}.weight"], -facts["loop.lr"] * layer.weight.grad.numpy(), rtol=1e-6, atol=1e-12)
        optimiser.step()
    np.testing.assert_allclose(facts["loop.cost"], costs, rtol=1e-9)
    assert (np.diff(facts["loop.cost"]) < 0).all(), "every step lowers the cost"
    assert facts["loop.cost"][0] == pytest.approx(facts["cost.untrained"], rel=1e-6)
