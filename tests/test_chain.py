"""The chain network against plain torch, finite differences and its own seed."""

from __future__ import annotations

import torch

from netreel.nets.chain import Chain, ChainConfig, cost


def test_forward_matches_plain_torch():
    chain = Chain(ChainConfig(seed=4))
    x = torch.rand(6)
    out, cache = chain.run_with_cache(x)
    a = x
    for i, link in enumerate(chain.layers):
        z = link.weight.detach() * a + link.bias.detach()
        torch.testing.assert_close(cache[f"layers.{i}.hook_z"], z)
        a = torch.sigmoid(z)
        torch.testing.assert_close(cache[f"layers.{i}.hook_a"], a)
    torch.testing.assert_close(out, a)
    assert set(cache) == {"hook_input"} | {f"layers.{i}.hook_{k}" for i in range(3) for k in "za"}


def _cost_with(chain: Chain, kind: str, layer: int, value: float) -> float:
    """C0 in float64 with one parameter (or activation a(layer)) replaced by ``value``."""
    a = torch.tensor(float(chain.input), dtype=torch.float64)
    if kind == "a" and layer == 0:
        a = torch.tensor(value, dtype=torch.float64)
    for l, link in enumerate(chain.layers, start=1):
        w = value if (kind, layer) == ("w", l) else link.weight.item()
        b = value if (kind, layer) == ("b", l) else link.bias.item()
        a = torch.sigmoid(w * a + b)
        if (kind, layer) == ("a", l):
            a = torch.tensor(value, dtype=torch.float64)
    return float((a - chain.config.target) ** 2)


def test_gradients_match_central_differences():
    chain = Chain(ChainConfig(seed=2))
    grads = chain.gradients()
    _, cache = chain.run_with_cache(chain.input[None])
    h = 1e-6
    for l, link in enumerate(chain.layers, start=1):
        for kind, base in (("w", link.weight.item()), ("b", link.bias.item())):
            numeric = (_cost_with(chain, kind, l, base + h) - _cost_with(chain, kind, l, base - h)) / (2 * h)
            assert abs(float(grads[kind][l - 1]) - numeric) < 1e-4, (kind, l)
    for l in range(len(chain.layers) + 1):
        base = float(cache["hook_input" if l == 0 else f"layers.{l - 1}.hook_a"][0])
        numeric = (_cost_with(chain, "a", l, base + h) - _cost_with(chain, "a", l, base - h)) / (2 * h)
        assert abs(float(grads["a"][l]) - numeric) < 1e-4, ("a", l)


def test_gradients_leave_no_trace_and_repeat():
    chain = Chain(ChainConfig())
    first = chain.gradients()
    second = chain.gradients()
    for key in first:
        torch.testing.assert_close(first[key], second[key])


def test_seed_decides_every_number():
    a, b, c = Chain(ChainConfig(seed=7)), Chain(ChainConfig(seed=7)), Chain(ChainConfig(seed=8))
    for (name, pa), pb, pc in zip(a.state_dict().items(), b.state_dict().values(), c.state_dict().values()):
        assert torch.equal(pa, pb), name
        assert not torch.equal(pa, pc), name
    assert torch.equal(a.input, b.input) and not torch.equal(a.input, c.input)
    assert 0.0 <= float(a.input) < 1.0


def test_cost_is_squared_difference():
    assert float(cost(torch.tensor(0.25), torch.tensor(1.0))) == 0.5625
