"""The names module: its patterns, and that every name it makes is a tensor the real models record."""

from __future__ import annotations

import pytest

from netreel.nets import names


def test_act_and_layer_make_the_recorded_names():
    assert names.act("pattern", 1) == "blocks.1.attn.hook_pattern"
    assert names.act("embed") == "hook_embed"
    assert names.layer(0, "weight") == "layers.0.weight"
    assert names.key(("q", 2)) == names.act("q", 2) and names.key("probs") == "probs"


def test_act_and_layer_refuse_what_no_model_records():
    with pytest.raises(KeyError, match="no transformer tensor"):
        names.act("hook_pattern", 0)
    with pytest.raises(KeyError, match="give its layer"):
        names.act("pattern")
    with pytest.raises(KeyError, match="give no layer"):
        names.act("embed", 0)
    with pytest.raises(KeyError, match="holds no"):
        names.layer(0, "hook_pattern")


def test_a_placeholder_stands_for_a_whole_number_only():
    pattern = names.act("q", "{layer}")
    assert pattern == "blocks.{layer}.attn.hook_q"
    assert names.matches(pattern, "blocks.12.attn.hook_q")
    assert not names.matches(pattern, "blocks.x.attn.hook_q")
    assert not names.matches(pattern, "blocks.1.attn.hook_qk")
    assert not names.matches("a.b", "a_b")  # dots are literal
    assert names.undeclared(["a.1", "b.2", "c"], ["a.{n}", "c"]) == ["b.2"]
    assert names.unused(["a.{n}", "d"], ["a.1", "c"]) == ["d"]


def test_every_transformer_name_is_recorded_by_a_real_gpt():
    import torch

    from netreel.nets.gpt import GPT, GPTConfig

    model = GPT(GPTConfig(n_vocab=7, n_ctx=5, n_layers=2))
    _, cache = model.run_with_cache(torch.tensor([[1, 2, 3]]))
    recorded = set(cache) | set(model.state_dict())
    per_block = [n for n, pattern in names.TRANSFORMER.items() if "{layer}" in pattern]
    made = {names.act(n) for n in names.TRANSFORMER if n not in per_block}
    made |= {names.act(n, layer) for n in per_block for layer in range(2)}
    assert made <= recorded
    assert recorded - made == {"W_E", "W_pos", "W_U"}  # the embeddings, named as the model names them


def test_every_layer_tensor_is_recorded_by_the_real_mlp():
    import torch

    from netreel.nets.mlp import MLP, MLPConfig

    model = MLP(MLPConfig(sizes=(4, 3, 2)))
    _, cache = model.run_with_cache(torch.zeros(1, 4))
    made = {names.layer(k, t) for k in range(2) for t in names.LAYER_TENSORS} | {names.INPUT}
    assert made == set(cache) | set(model.state_dict())
