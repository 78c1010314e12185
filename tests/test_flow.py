"""The flow-matching chapter: the velocity network against plain torch, the integrators and the
quality measure against closed forms, the facts against their independent reference, seeds."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

from netreel.nets import flow
from netreel.nets.config import NetConfig
from netreel.nets.facts import flow as flow_facts


def tiny_config(**kw) -> flow.FlowConfig:
    return flow.FlowConfig(**{"n_train": 200, "n_holdout": 100, "width": 16, "iterations": 30, "eval_every": 10, "n_loss": 64, **kw})


def test_forward_matches_plain_torch():
    model = flow.VelocityNet(tiny_config())
    model.init_weights(torch.Generator().manual_seed(4))
    x, t = torch.randn(7, 2), torch.rand(7)
    out, cache = model.run_with_cache(x, t)
    h = torch.cat([x, t[:, None]], dim=1)
    torch.testing.assert_close(cache["hook_input"], h)
    for i, layer in enumerate(model.layers):
        z = h @ layer.linear.weight.detach().T + layer.linear.bias.detach()
        h = z * torch.sigmoid(z)
        torch.testing.assert_close(cache[f"layers.{i}.hook_h"], h)
    expected = h @ model.out.weight.detach().T + model.out.bias.detach()
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(cache["hook_velocity"], expected)


def test_interpolation_and_loss_by_hand():
    x0, x1 = torch.tensor([[0.0, 2.0], [1.0, -1.0]]), torch.tensor([[4.0, 0.0], [1.0, 1.0]])
    t = torch.tensor([0.25, 1.0])
    xt, target = flow.interpolate(x0, x1, t)
    torch.testing.assert_close(xt, torch.tensor([[1.0, 1.5], [1.0, 1.0]]))
    torch.testing.assert_close(target, torch.tensor([[4.0, -2.0], [0.0, 2.0]]))

    def constant(x, t):
        return torch.ones_like(x)

    # (4-1)^2 + (-2-1)^2 = 18 and (0-1)^2 + (2-1)^2 = 2: mean 10
    assert float(flow.flow_matching_loss(constant, x0, x1, t)) == pytest.approx(10.0)


def test_euler_and_heun_against_closed_forms():
    x0 = torch.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=torch.float64)
    n = 8

    def shrink(x, t):
        return -x

    path, used = flow.euler(shrink, x0, n)
    assert path.shape == (n + 1, 2, 2) and used.shape == (n, 2, 2)
    torch.testing.assert_close(path[-1], x0 * (1 - 1 / n) ** n)
    torch.testing.assert_close(path[1:] - path[:-1], used / n)

    def clock(x, t):
        return t[:, None].expand_as(x)

    # Euler sums the left ends: sum_k k/n * 1/n = (n - 1) / (2n); Heun's trapezoids are exact for a linear t: 1/2
    torch.testing.assert_close(flow.euler(clock, x0, n)[0][-1], x0 + (n - 1) / (2 * n))
    torch.testing.assert_close(flow.heun(clock, x0, n)[-1], x0 + 0.5)
    # for dx/dt = -x, Heun's step multiplies by 1 - h + h^2/2
    torch.testing.assert_close(flow.heun(shrink, x0, n)[-1], x0 * (1 - 1 / n + 1 / (2 * n * n)) ** n)


def test_mmd_against_explicit_sums():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(6, 2, generator=g, dtype=torch.float64), torch.randn(5, 2, generator=g, dtype=torch.float64) + 0.5
    sigma = 0.7

    def k(p, q):
        return math.exp(-float(((p - q) ** 2).sum()) / (2 * sigma**2))

    expected = (
        sum(k(p, q) for p in a for q in a) / 36 + sum(k(p, q) for p in b for q in b) / 25 - 2 * sum(k(p, q) for p in a for q in b) / 30
    )
    assert flow.mmd2(a, b, sigma) == pytest.approx(expected, rel=1e-12)
    assert flow.mmd2(b, a, sigma) == pytest.approx(expected, rel=1e-12)
    assert flow.mmd2(a, a, sigma) == pytest.approx(0.0, abs=1e-12)
    assert flow.mmd2(a, a + 3.0, sigma) > flow.mmd2(a, a + 0.3, sigma) > 0


def test_ideal_velocity_is_the_average_over_passing_pairs():
    d = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    p = torch.tensor([[0.2, -0.4], [3.0, 1.0]], dtype=torch.float64)
    # one data point: every line ends there, so the velocity is (d - p) / (1 - t)
    torch.testing.assert_close(flow.ideal_velocity(p, 0.25, d), (d - p) / 0.75)
    # two data points mirrored about p's line of symmetry: their pulls cancel across it
    two = torch.tensor([[1.0, 1.0], [-1.0, 1.0]], dtype=torch.float64)
    v = flow.ideal_velocity(torch.tensor([[0.0, 0.3]], dtype=torch.float64), 0.5, two)
    torch.testing.assert_close(v, torch.tensor([[0.0, (1.0 - 0.3) / 0.5]], dtype=torch.float64))
    # against brute force: draw many pairs, keep those passing near p at time t, average x1 - x0
    g = torch.Generator().manual_seed(5)
    three = torch.tensor([[1.0, 0.0], [-0.5, 1.0], [0.0, -1.5]], dtype=torch.float64)
    x0 = torch.randn(400_000, 2, generator=g, dtype=torch.float64)
    x1 = three[torch.randint(0, 3, (400_000,), generator=g)]
    point, t = torch.tensor([0.3, 0.2], dtype=torch.float64), 0.6
    xt, velocity = flow.interpolate(x0, x1, torch.full((400_000,), t, dtype=torch.float64))
    near = (xt - point).norm(dim=1) < 0.05
    assert near.sum() > 500
    torch.testing.assert_close(velocity[near].mean(dim=0), flow.ideal_velocity(point[None], t, three)[0], atol=0.08, rtol=0)


def test_moons_lie_on_two_half_circles():
    config = flow.FlowConfig()
    moons = flow.make_moons(3000, flow.stream(0, "data"), config.moon_noise, config.scale)
    p = moons.points / config.scale + torch.tensor([0.5, 0.25])  # back to the unit half circles
    upper, lower = p[moons.moon == 0], p[moons.moon == 1]
    spread = 5 * config.moon_noise
    assert (upper.norm(dim=1) - 1).abs().max() < spread and upper[:, 1].min() > -spread
    assert ((lower - torch.tensor([1.0, 0.5])).norm(dim=1) - 1).abs().max() < spread and lower[:, 1].max() < 0.5 + spread
    assert 0.45 < float(moons.moon.float().mean()) < 0.55
    again = flow.make_moons(3000, flow.stream(0, "data"), config.moon_noise, config.scale)
    assert torch.equal(moons.points, again.points)
    assert not torch.equal(moons.points, flow.make_moons(3000, flow.stream(1, "data"), config.moon_noise, config.scale).points)


def test_same_seed_bit_identical_weights():
    first, its, losses, snaps = flow.train(tiny_config(seed=3))
    second, _, losses_again, _ = flow.train(tiny_config(seed=3))
    other, _, _, _ = flow.train(tiny_config(seed=4))
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
        assert not torch.equal(a, c), name
    assert losses == losses_again
    assert its == [0, 10, 20, 30] and len(snaps) == 4


def test_store_reuses_the_trained_flow(tmp_path, monkeypatch):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    first = flow.load_or_train(tiny_config())
    again = flow.load_or_train(tiny_config())
    assert again.record["train_seconds"] == first.record["train_seconds"]  # loaded, not retrained
    assert len(again.snapshots) == len(again.history.iterations) == len(again.history.losses)
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(a, b)


@pytest.fixture(scope="module")
def facts(chapter_facts):
    return chapter_facts("flow")


def test_facts_match_reference(facts):
    built, reference = facts
    assert set(built.arrays) == set(reference)
    for key, value in built.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_arrows_are_the_models_outputs(facts, net_cache):
    built, _ = facts
    model = copy.deepcopy(flow_facts.trained(NetConfig()).model).double()
    grid = torch.from_numpy(built["field.grid"])
    for k, t in enumerate(built["field.t"]):
        with torch.no_grad():
            out = model(grid, torch.full((len(grid),), float(t), dtype=torch.float64))
        np.testing.assert_allclose(built["field.v"][k], out.numpy(), rtol=1e-12, atol=1e-12)
    # the Euler steps moved each particle by exactly dt times the model's output at its place
    x, v, dt = built["traj.x"], built["traj.v"], float(built["traj.dt"])
    np.testing.assert_allclose(x[1:] - x[:-1], dt * v, rtol=1e-9, atol=1e-12)
    with torch.no_grad():
        first = model(torch.from_numpy(x[5]), torch.full((x.shape[1],), float(built["traj.t"][5]), dtype=torch.float64))
    np.testing.assert_allclose(v[5], first.numpy(), rtol=1e-12, atol=1e-12)


def test_samples_land_near_the_data(facts):
    built, _ = facts
    euler, heun = built["quality.euler"], built["quality.heun"]
    noise, floor = float(built["quality.noise"]), float(built["quality.baseline"])
    assert list(built["quality.steps"]) == sorted(built["quality.steps"])
    assert np.all(np.diff(euler) < 0), "more Euler steps must give better samples"
    assert euler[-1] < noise / 5 and heun[-1] < noise / 5
    assert euler[-1] < 4 * floor and heun[-1] < 4 * floor
    assert np.all(heun <= euler)
    assert euler[0] > noise  # one step collapses the cloud towards the data's mean
    spread = built["quality.samples"][0].std(axis=0)
    assert np.all(spread < 0.5 * built["data.points"].std(axis=0))
    # most particles end within a short distance of some training point
    ends = built["traj.x"][-1]
    data = built["data.points"]
    nearest = np.sqrt(((ends[:, None] - data[None]) ** 2).sum(axis=2)).min(axis=1)
    assert np.median(nearest) < 0.15


def test_network_learned_the_average_velocity(facts):
    built, _ = facts
    ideal, answer = built["focus.ideal"], built["focus.v"]
    assert np.linalg.norm(answer - ideal) < 0.25 * np.linalg.norm(ideal)
    assert built["pool.count"] == len(built["pool.passing"]) > 100


def test_training_lowered_the_held_out_loss(facts):
    built, _ = facts
    losses = built["loss.value"]
    assert losses[-1] < losses[0] - 1.0
    assert built["loss.iteration"][0] == 0 and built["loss.iteration"][-1] == built["train.iterations"]


def test_facts_are_deterministic(facts, net_cache):
    built, _ = facts
    assert flow_facts.build(NetConfig()).digest() == built.digest()


def test_dot_cloud_draws_points_where_the_axes_put_them():
    from manim import Axes

    from netreel.scenes.common.plane import DotCloud

    axes = Axes(x_range=[-1, 1, 1], y_range=[-1, 1, 1], x_length=4, y_length=4).shift([1.0, 0.5, 0])
    cloud = DotCloud(axes, np.array([[0.5, 0.5]]), radius=0.1)
    assert np.allclose(cloud.get_center(), axes.c2p(0, 0)) and cloud.width == pytest.approx(4)

    def centre_of_ink(image):
        alpha = image.pixel_array[:, :, 3].astype(float)
        rows, cols = np.nonzero(alpha)
        h, w = alpha.shape
        return rows.mean() / h, cols.mean() / w

    assert centre_of_ink(cloud) == pytest.approx((0.25, 0.75), abs=0.01)
    shape = cloud.pixel_array.shape
    cloud.redraw(np.array([[-0.5, -0.5], [-0.5, -0.5]]))
    assert cloud.pixel_array.shape == shape
    assert centre_of_ink(cloud) == pytest.approx((0.75, 0.25), abs=0.01)


def test_arrows_run_from_start_to_end_with_equal_point_counts():
    from netreel.scenes.common.plane import arrows

    starts = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
    ends = np.array([[1.0, 0.0, 0.0], [1.0, 3.0, 0.0], [2.0, 0.0, 0.0]])  # the last has zero length
    shafts, heads = arrows(starts, ends, tip=0.2)
    shaft_paths, head_paths = shafts.get_subpaths(), heads.get_subpaths()
    assert len({len(p) for p in shaft_paths}) == 1 and len({len(p) for p in head_paths}) == 1
    for start, end, shaft, head in zip(starts[:2], ends[:2], shaft_paths, head_paths):
        np.testing.assert_allclose(shaft[0], start)
        np.testing.assert_allclose(head[0], end)
        np.testing.assert_allclose(head[-1], end)
        assert np.linalg.norm(shaft[-1] - end) == pytest.approx(0.2)  # the tip covers the last 0.2


def test_field_is_recorded_at_every_euler_step(facts):
    built, _ = facts
    np.testing.assert_array_equal(built["field.t"], built["traj.t"])
    assert built["field.v"].shape == (len(built["traj.t"]), len(built["field.grid"]), 2)


def test_heun_pays_two_evaluations_a_step(facts):
    built, _ = facts
    steps = built["quality.steps"]
    np.testing.assert_array_equal(built["quality.euler_nfe"], steps)
    np.testing.assert_array_equal(built["quality.heun_nfe"], 2 * steps)
    # at the same evaluations, from two Heun steps on, Heun's samples are closer to the data than Euler's
    # (one Heun step, two evaluations, is not: its single step still cuts the whole curve)
    euler = dict(zip(built["quality.euler_nfe"], built["quality.euler"]))
    for n, nfe, heun in zip(steps, built["quality.heun_nfe"], built["quality.heun"]):
        if nfe in euler and n >= 2:
            assert heun < euler[nfe]


def test_fine_paths_are_the_euler_steps_crossed_at_constant_speed(facts, net_cache):
    built, _ = facts
    paths, counts = built["meanflow.paths"], [int(n) for n in built["meanflow.steps"]]
    fine = len(built["traj.t"]) - 1
    quality_steps = list(built["quality.steps"])
    model = copy.deepcopy(flow_facts.trained(NetConfig()).model).double()
    start = torch.from_numpy(built["traj.x"][0])
    for path, n in zip(paths, counts):
        np.testing.assert_allclose(path[0], built["traj.x"][0])
        np.testing.assert_allclose(path[-1], built["quality.samples"][quality_steps.index(n)], rtol=1e-9, atol=1e-12)
        coarse, _ = flow.euler(model, start, n)
        every = fine // n
        np.testing.assert_allclose(path[::every], coarse.numpy(), rtol=1e-9, atol=1e-12)
        # between two step ends the points lie on the straight segment, evenly spaced in time
        np.testing.assert_allclose(path[1:every] - path[0], np.arange(1, every)[:, None, None] / every * (path[every] - path[0]))
    np.testing.assert_allclose(paths[counts.index(fine)], built["traj.x"])


def test_held_out_points_are_the_measure_s_data(facts):
    built, _ = facts
    holdout = flow.holdout_data(flow_facts.config_for(NetConfig())).points.double().numpy()
    np.testing.assert_array_equal(built["quality.data"], holdout[: len(built["quality.data"])])
