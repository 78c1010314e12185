"""Chapter 7's facts recomputed in plain torch: patterns, masks, the OV and QK circuits, the head's role."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from netreel.nets import corpus, roles
from netreel.nets.config import NetConfig

PROMPTS = [None, "the woolly red critter napped in the misty meadow . a plumed beast"]


@pytest.fixture(params=PROMPTS, ids=["default", "lecturer"])
def attention(request, chapter_facts):
    return chapter_facts("attention", NetConfig(prompt=request.param))


def test_pattern_is_masked_softmax_of_scaled_scores(attention):
    """pattern = softmax(Q Kᵀ / √d_head + M), recomputed from the weights and the layer's input, every head."""
    facts, _ = attention
    n = int(facts["prompt.length"])
    mask = torch.triu(torch.full((n, n), -math.inf, dtype=torch.float64), diagonal=1)
    for l in range(int(facts["n_layers"])):
        x = torch.from_numpy(facts[f"blocks.{l}.hook_resid_pre"])  # [n, d_model]
        for h in range(int(facts["n_heads"])):
            q = x @ torch.from_numpy(facts[f"blocks.{l}.attn.W_Q"][h])  # [n, d_head]
            k = x @ torch.from_numpy(facts[f"blocks.{l}.attn.W_K"][h])
            expected = torch.softmax(q @ k.T / math.sqrt(q.shape[1]) + mask, dim=-1)
            np.testing.assert_allclose(facts[f"blocks.{l}.attn.hook_pattern"][h], expected.numpy(), rtol=1e-9, atol=1e-12)


def test_rows_sum_to_one_and_masked_entries_are_zero(attention):
    facts, _ = attention
    for l in range(int(facts["n_layers"])):
        pattern = facts[f"blocks.{l}.attn.hook_pattern"]  # [head, q, k]
        np.testing.assert_allclose(pattern.sum(axis=-1), 1.0, atol=1e-12)
        future = np.triu(np.ones(pattern.shape[1:], dtype=bool), k=1)
        assert (pattern[:, future] == 0).all()
        assert np.isneginf(facts[f"blocks.{l}.attn.hook_attn_scores"][:, future]).all()
        assert np.isfinite(facts[f"blocks.{l}.attn.hook_attn_scores"][:, ~future]).all()


def test_scores_shown_in_the_grid(attention):
    facts, _ = attention
    l, h = int(facts["focus.layer"]), int(facts["focus.head"])
    q, k = facts[f"blocks.{l}.attn.hook_q"][:, h], facts[f"blocks.{l}.attn.hook_k"][:, h]
    np.testing.assert_allclose(facts["scores.dot"][h], q @ k.T, rtol=1e-12)
    np.testing.assert_allclose(facts["scores.scaled"][h] * facts["sqrt_d_head"], q @ k.T, rtol=1e-12)
    assert facts["sqrt_d_head"] ** 2 == pytest.approx(facts["d_head"])


def test_values_weighted_sum_and_update(attention):
    """z = pattern · v; the head's ΔE = z W_O; E′ = E + Σ_h ΔE_h."""
    facts, _ = attention
    l, h, i = int(facts["focus.layer"]), int(facts["focus.head"]), int(facts["focus.query"])
    p = f"blocks.{l}."
    z = facts[p + "attn.hook_pattern"][h, i] @ facts[p + "attn.hook_v"][:, h]
    np.testing.assert_allclose(facts[p + "attn.hook_z"][i, h], z, rtol=1e-10)
    np.testing.assert_allclose(facts[p + "attn.hook_result"][i, h], z @ facts[p + "attn.W_O"][h], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(facts[p + "hook_resid_mid"][i], facts[p + "hook_resid_pre"][i] + facts[p + "attn.hook_result"][i].sum(0), rtol=1e-10)


def test_ov_rank_is_d_head(attention):
    facts, _ = attention
    d_head, d_model = int(facts["d_head"]), int(facts["d_model"])
    l, h = int(facts["focus.layer"]), int(facts["focus.head"])
    ov = facts[f"blocks.{l}.attn.W_V"][h] @ facts[f"blocks.{l}.attn.W_O"][h]
    np.testing.assert_allclose(facts["ov.matrix"], ov, rtol=1e-10, atol=1e-12)
    s = np.linalg.svd(ov, compute_uv=False)
    assert facts["ov.singular"].shape == (d_model,)
    np.testing.assert_allclose(facts["ov.singular"], s, rtol=1e-8, atol=1e-10)
    assert np.linalg.matrix_rank(ov) == d_head == facts["ov.rank"] == facts["qk.rank"]
    assert (s[:d_head] > 1e-3 * s[0]).all() and (s[d_head:] < 1e-12 * s[0]).all()


def test_qk_bilinear_form_is_the_dot_product(attention):
    facts, _ = attention
    l, h, i, j = (int(facts[k]) for k in ("focus.layer", "focus.head", "focus.query", "focus.key"))
    x = facts[f"blocks.{l}.hook_resid_pre"]
    assert facts["qk.bilinear"] == pytest.approx(x[i] @ facts["qk.matrix"] @ x[j], rel=1e-10)
    assert facts["qk.bilinear"] == pytest.approx(facts["scores.dot"][h, i, j], rel=1e-9)


def test_focus_follows_the_prompt(attention):
    facts, _ = attention
    n = int(facts["prompt.length"])
    assert facts["focus.query"] == n - 1
    l, h = int(facts["focus.layer"]), int(facts["focus.head"])
    assert facts["focus.key"] == np.argmax(facts[f"blocks.{l}.attn.hook_pattern"][h, n - 1])


def test_head_role_recomputed_independently(chapter_facts):
    facts, reference = chapter_facts("attention")
    for key in ("role.scores", "role.previous", "role.score", "role.count", "focus.layer", "focus.head"):
        np.testing.assert_allclose(facts[key], reference[key], rtol=1e-9, err_msg=key)
    assert facts.meta["role"] == roles.ADJECTIVE
    assert facts["role.score"] >= 0.5  # a noun puts at least half of its attention on its own adjective
    words = facts.meta["prompt"]
    assert words[int(facts["focus.key"])] == "scaly"  # "beast" looks back at its own adjective, not at "fluffy"


def test_previous_token_role_on_a_users_text(tmp_path, monkeypatch):
    """Without the grammar's parts of speech the chapters follow the previous-token head."""
    from netreel.nets import gpt

    path = tmp_path / "story.txt"
    path.write_text("once upon a time a cat sat on a mat and the dog ran far away . " * 140, encoding="utf-8")
    text = corpus.text_corpus(path, n_ctx=8)
    model = gpt.GPT(gpt.GPTConfig(n_vocab=len(text.vocab), n_ctx=8))
    model.init_weights(torch.Generator().manual_seed(0))
    role = roles.measure(model, text)
    assert role.kind == roles.PREVIOUS and role.count == len(text.test) * 7
    _, cache = model.run_with_cache(torch.from_numpy(text.test[:, :-1]))
    pattern = cache[f"blocks.{role.layer}.attn.hook_pattern"][:, role.head]
    expected = np.mean([pattern[b, i, i - 1].item() for b in range(len(text.test)) for i in range(1, 8)])
    assert role.score == pytest.approx(expected, rel=1e-5)


def test_every_fact_matches_its_reference(attention):
    facts, reference = attention
    assert set(facts.arrays) <= set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-6, atol=1e-8, err_msg=key)


def test_prompt_role_cases_and_their_weights(attention):
    """Each noun of the prompt with its own adjective (the last one since the sentence began), weighed by the head."""
    facts, _ = attention
    l, h = int(facts["focus.layer"]), int(facts["focus.head"])
    words = facts.meta["prompt"]
    expected = []
    for i, word in enumerate(words):
        before = words[:i]
        start = max((j for j, w in enumerate(before) if w == corpus.END), default=-1) + 1
        own = [j for j in range(start, i) if corpus.part_of_speech(words[j]) == "adjective"]
        if word in corpus.NOUNS and own:
            expected.append((i, own[-1]))
    assert [tuple(int(v) for v in pair) for pair in facts["role.pairs"]] == expected
    pattern = facts[f"blocks.{l}.attn.hook_pattern"][h]
    np.testing.assert_allclose(facts["role.pair_weights"], [pattern[i, j] for i, j in expected], rtol=1e-12)


def test_plane_keeps_the_dot_products_it_can(attention):
    """The plane is the best 2-D view of the stacked queries and keys: its share is the two largest
    squared singular values over all, and no other plane holds more of their squared length."""
    facts, _ = attention
    l, h, i = int(facts["focus.layer"]), int(facts["focus.head"]), int(facts["focus.query"])
    q, k = facts[f"blocks.{l}.attn.hook_q"][:, h], facts[f"blocks.{l}.attn.hook_k"][:, h]
    stacked = np.concatenate([q, k])
    points = np.concatenate([facts["plane.queries"], facts["plane.keys"]])
    s = np.linalg.svd(stacked, compute_uv=False)
    assert facts["plane.share"] == pytest.approx((s[:2] ** 2).sum() / (s**2).sum(), rel=1e-10)
    assert (points**2).sum() == pytest.approx(facts["plane.share"] * (stacked**2).sum(), rel=1e-10)
    assert (facts["plane.queries"][i] >= 0).all()
    rng = np.random.default_rng(0)
    for _ in range(20):  # a random plane holds less
        basis, _ = np.linalg.qr(rng.normal(size=(stacked.shape[1], 2)))
        assert ((stacked @ basis) ** 2).sum() <= (points**2).sum() + 1e-9


def test_attention_parameters_are_four_d_model_by_d_head_maps(attention):
    facts, _ = attention
    d_model, d_head, n_heads = (int(facts[k]) for k in ("d_model", "d_head", "n_heads"))
    assert facts["params.head"] == 4 * d_model * d_head
    assert facts["params.layer"] == n_heads * facts["params.head"]
    assert facts["params.matrices"] == 4


def test_gpt3_attention_is_counted_as_chapter_six_counts_its_blocks(attention, chapter_facts):
    """The head, layer and all-layer counts at GPT-3's sizes agree with Chapter 6's count of one attention block there,
    and with the published figure of about 58 billion attention weights (a third of 175 billion)."""
    facts, _ = attention
    gpt_facts, _ = chapter_facts("gpt")
    assert facts["gpt3.params.layer"] == gpt_facts["gpt3.params.attn"]
    assert facts["gpt3.params.layer"] == facts["gpt3.n_heads"] * facts["gpt3.params.head"]
    assert facts["gpt3.params.layers"] == facts["gpt3.n_layers"] * facts["gpt3.params.layer"]
    assert 57e9 < facts["gpt3.params.layers"] < 59e9


def test_in_the_plane_each_noun_query_leans_to_its_adjective_key(attention):
    """What QueriesKeys says of its plane: the noun's query and its adjective's key point roughly one way
    (a positive dot product in the plane, the largest of the keys the noun may see)."""
    facts, _ = attention
    q, k = facts["plane.queries"], facts["plane.keys"]
    for i, j in facts["role.pairs"].astype(int):
        dots = k[: i + 1] @ q[i]
        assert dots[j] > 0 and np.argmax(dots) == j


def test_the_shown_update_adds_up(attention):
    """Values shows E and ΔE to three places and E′ to two: the shown parts' sum rounds to the shown E′."""
    from netreel.scenes.common.tokens import shown_entries

    facts, _ = attention
    l, i = int(facts["focus.layer"]), int(facts["focus.query"])
    p = f"blocks.{l}."
    e, delta, new = facts[p + "hook_resid_pre"][i], facts[p + "hook_attn_out"][i], facts[p + "hook_resid_mid"][i]
    for r in (r for r in shown_entries(len(e)) if r is not None):
        assert f"{float(f'{e[r]:.3f}') + float(f'{delta[r]:.3f}'):.2f}" == f"{new[r]:.2f}"


@pytest.mark.parametrize("prompt", PROMPTS, ids=["default", "lecturer"])
def test_the_heads_summed_through_w_o_are_the_layers_attention_output(prompt, chapter_facts):
    """Values' last steps: each head's z for the followed token, stacked, through the layer's W_O (every head's
    block stacked) gives the layer's attention output, the same as the sum of each head's own change, and the
    same as the model's own forward on the prompt."""
    from netreel.nets.facts.gpt import prompt_and_net

    config = NetConfig(prompt=prompt)
    facts, _ = chapter_facts("attention", config)
    l, h, i = int(facts["focus.layer"]), int(facts["focus.head"]), int(facts["focus.query"])
    n_heads, d_head, d_model = (int(facts[k]) for k in ("n_heads", "d_head", "d_model"))
    p = f"blocks.{l}."
    assert facts["heads.W_O"].shape == (n_heads * d_head, d_model) and facts["heads.stacked"].shape == (n_heads * d_head,)
    for g in range(n_heads):  # each head's block of the stacked matrix and vector is its own
        rows = slice(g * d_head, (g + 1) * d_head)
        np.testing.assert_array_equal(facts["heads.W_O"][rows], facts[p + "attn.W_O"][g])
        np.testing.assert_array_equal(facts["heads.stacked"][rows], facts["heads.z"][g])
        np.testing.assert_allclose(facts["heads.parts"][g], facts["heads.z"][g] @ facts[p + "attn.W_O"][g], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(facts["heads.delta"], facts["heads.parts"].sum(axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(facts["values.weighted"].sum(axis=0), facts[p + "attn.hook_z"][i, h], rtol=1e-10, atol=1e-12)
    ids, _, net = prompt_and_net(config)
    model = net.model.double()
    _, cache = model.run_with_cache(torch.tensor([ids]))
    forward = cache[p + "hook_attn_out"][0, i].detach().numpy()
    np.testing.assert_allclose(facts["heads.delta"], forward, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(facts[p + "hook_resid_pre"][i] + facts["heads.delta"], cache[p + "hook_resid_mid"][0, i].detach().numpy(), rtol=1e-9, atol=1e-12)
