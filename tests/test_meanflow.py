"""MeanFlow: the average-velocity network against plain torch, its JVP total derivative against a
finite difference, the loss by hand, the chapter's MeanFlow facts against their reference, seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from netreel.nets import meanflow


def tiny_config(**kw) -> meanflow.MeanFlowConfig:
    return meanflow.MeanFlowConfig(**{"n_train": 200, "width": 16, "iterations": 30, "eval_every": 10, **kw})


def seeded_model(seed: int = 4) -> meanflow.AverageVelocityNet:
    model = meanflow.AverageVelocityNet(tiny_config())
    model.init_weights(torch.Generator().manual_seed(seed))
    return model.double()


def test_forward_matches_plain_torch():
    model = seeded_model()
    z, r, t = torch.randn(7, 2, dtype=torch.float64), torch.rand(7, dtype=torch.float64), torch.rand(7, dtype=torch.float64)
    out, cache = model.run_with_cache(z, r, t)
    h = torch.cat([z, r[:, None], t[:, None]], dim=1)
    torch.testing.assert_close(cache["hook_input"], h)
    for i, layer in enumerate(model.layers):
        a = h @ layer.linear.weight.detach().T + layer.linear.bias.detach()
        h = a * torch.sigmoid(a)
        torch.testing.assert_close(cache[f"layers.{i}.hook_h"], h)
    torch.testing.assert_close(out, h @ model.out.weight.detach().T + model.out.bias.detach())


def test_jvp_is_the_derivative_along_the_path():
    model = seeded_model().requires_grad_(False)
    g = torch.Generator().manual_seed(1)
    z, v = torch.randn(5, 2, generator=g, dtype=torch.float64), torch.randn(5, 2, generator=g, dtype=torch.float64)
    r, t = torch.rand(5, generator=g, dtype=torch.float64), torch.rand(5, generator=g, dtype=torch.float64)
    u, dudt = meanflow.total_derivative(model, z, r, t, v)
    torch.testing.assert_close(u, model(z, r, t))
    h = 1e-5  # central difference of u(z + s v, r, t + s) at s = 0
    difference = (model(z + h * v, r, t + h) - model(z - h * v, r, t - h)) / (2 * h)
    torch.testing.assert_close(dudt, difference, rtol=1e-6, atol=1e-8)
    moving_r = (model(z, r + h, t) - model(z, r - h, t)) / (2 * h)
    assert (dudt - moving_r).abs().max() > 1e-3  # r is held: a tangent on r would give another answer


def test_loss_by_hand():
    x0, x1 = torch.tensor([[0.0, 2.0], [1.0, -1.0]]), torch.tensor([[4.0, 0.0], [1.0, 1.0]])
    r, t = torch.tensor([0.75, 0.5]), torch.tensor([0.25, 0.5])

    def field(z, r, t):
        """u = (t, 2 r + z_x): du/dt along (v, 0, 1) is (1, v_x)."""
        return torch.stack([t, 2 * r + z[:, 0]], dim=1)

    # pair 1: z = (1, 1.5), v = (4, -2), u = (0.25, 2.5), du/dt = (1, 4), target = v + 0.5 du/dt = (4.5, 0)
    #   error (4.25^2 + 2.5^2) = 24.3125; pair 2 (r = t): z = (1, 0), u = (0.5, 2), target v = (0, 2): 0.25
    assert float(meanflow.meanflow_loss(field, x0, x1, r, t)) == pytest.approx((24.3125 + 0.25) / 2)


def test_target_carries_no_gradient():
    model = seeded_model()
    x0, x1 = torch.randn(8, 2, dtype=torch.float64), torch.randn(8, 2, dtype=torch.float64)
    r, t = torch.full((8,), 0.9, dtype=torch.float64), torch.full((8,), 0.2, dtype=torch.float64)
    meanflow.meanflow_loss(model, x0, x1, r, t).backward()
    got = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    z = 0.8 * x0 + 0.2 * x1
    _, dudt = meanflow.total_derivative(model, z, r, t, x1 - x0)
    target = (x1 - x0) + 0.7 * dudt.detach()
    ((model(z, r, t) - target) ** 2).sum(dim=1).mean().backward()
    for a, p in zip(got, model.parameters()):
        torch.testing.assert_close(a, p.grad)


def test_times_jump_forward_or_stay():
    r, t = meanflow.draw_times(4000, 0.75, torch.Generator().manual_seed(0))
    assert torch.all(r >= t) and torch.all((t >= 0) & (r <= 1))
    assert 0.72 < float((r > t).double().mean()) < 0.78


def test_one_step_is_one_jump_from_noise():
    model = seeded_model().requires_grad_(False)
    x0 = torch.randn(6, 2, dtype=torch.float64)
    u = model(x0, torch.ones(6, dtype=torch.float64), torch.zeros(6, dtype=torch.float64))
    torch.testing.assert_close(meanflow.one_step(model, x0), x0 + u)


def test_same_seed_bit_identical_weights():
    first, its, losses = meanflow.train(tiny_config(seed=3))
    second, _, again = meanflow.train(tiny_config(seed=3))
    other, _, _ = meanflow.train(tiny_config(seed=4))
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
        assert not torch.equal(a, c), name
    assert losses == again and its == [10, 20, 30]


def test_store_reuses_the_trained_meanflow(tmp_path, monkeypatch):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    first = meanflow.load_or_train(tiny_config())
    again = meanflow.load_or_train(tiny_config())
    assert again.record["train_seconds"] == first.record["train_seconds"]
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(a, b)


@pytest.fixture(scope="module")
def facts(chapter_facts):
    return chapter_facts("flow")


def test_meanflow_facts_match_reference(facts):
    built, reference = facts
    keys = [k for k in built.arrays if k.startswith("meanflow.")]
    assert len(keys) == 9
    for key in keys:
        np.testing.assert_allclose(built[key], reference[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_one_step_beats_flow_matchings_few_steps(facts):
    built, _ = facts
    steps, flow_mmd, mmd = list(built["meanflow.steps"]), built["meanflow.flow_mmd"], float(built["meanflow.mmd"])
    np.testing.assert_array_equal(flow_mmd, built["quality.euler"][[list(built["quality.steps"]).index(n) for n in steps]])
    assert mmd < flow_mmd[steps.index(2)] / 3 and mmd < float(built["quality.noise"]) / 2
    assert mmd > float(built["quality.baseline"])
