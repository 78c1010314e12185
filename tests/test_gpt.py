"""The tiny transformer against plain torch; its corpus, tokenizer and seeds; Chapter 6's facts; the CLI's text options."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from torch.nn import functional as F

from netreel.cli import main
from netreel.nets import corpus, gpt, roles
from netreel.nets.config import NetConfig
from netreel.nets.facts import gpt as gpt_facts

TINY = dict(n_vocab=11, n_ctx=7, d_model=12, n_heads=3, d_head=4, d_mlp=20, n_layers=2)


def random_model(seed: int = 0) -> gpt.GPT:
    model = gpt.GPT(gpt.GPTConfig(**TINY))
    model.init_weights(torch.Generator().manual_seed(seed))
    return model


def test_forward_matches_plain_torch():
    """Every hook against the same step written with torch's own attention and layers."""
    model = random_model()
    tokens = torch.randint(11, (3, 7), generator=torch.Generator().manual_seed(1))
    logits, cache = model.run_with_cache(tokens)
    x = model.W_E.detach()[tokens] + model.W_pos.detach()[:7]
    for l, block in enumerate(model.blocks):
        attn = block.attn
        torch.testing.assert_close(cache[f"blocks.{l}.hook_resid_pre"], x)
        q, k, v = (torch.einsum("bpd,hde->bhpe", x, w.detach()) for w in (attn.W_Q, attn.W_K, attn.W_V))
        z = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # [b, head, pos, d_head]
        torch.testing.assert_close(cache[f"blocks.{l}.attn.hook_z"], z.transpose(1, 2), rtol=1e-5, atol=1e-6)
        out = torch.einsum("bhpe,hed->bpd", z, attn.W_O.detach())
        x = x + out
        torch.testing.assert_close(cache[f"blocks.{l}.hook_resid_mid"], x, rtol=1e-5, atol=1e-6)
        mlp = block.mlp
        hidden = F.relu(F.linear(x, mlp.W_in.detach().T, mlp.b_in.detach()))
        x = x + F.linear(hidden, mlp.W_out.detach().T, mlp.b_out.detach())
        torch.testing.assert_close(cache[f"blocks.{l}.mlp.hook_post"], hidden, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(cache[f"blocks.{l}.hook_resid_post"], x, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(logits, x @ model.W_U.detach(), rtol=1e-5, atol=1e-5)


def test_hook_names_follow_transformerlens():
    _, cache = random_model().run_with_cache(torch.zeros(1, 4, dtype=torch.long))
    for name in ("hook_q", "hook_k", "hook_v", "hook_attn_scores", "hook_pattern", "hook_z", "hook_result"):
        assert f"blocks.1.attn.{name}" in cache
    for name in ("hook_resid_pre", "hook_resid_mid", "hook_resid_post", "mlp.hook_pre", "mlp.hook_post"):
        assert f"blocks.0.{name}" in cache
    assert cache["blocks.0.attn.hook_pattern"].shape == (1, 3, 4, 4)
    assert {"hook_embed", "hook_pos_embed"} <= set(cache)


def test_factored_matrices_are_the_full_products():
    attn = random_model().blocks[0].attn
    ov, qk = attn.OV, attn.QK
    torch.testing.assert_close(ov.AB, attn.W_V.detach() @ attn.W_O.detach())
    torch.testing.assert_close(qk.AB, attn.W_Q.detach() @ attn.W_K.detach().transpose(1, 2))
    u, s, vh = ov.svd()
    torch.testing.assert_close(u @ torch.diag_embed(s) @ vh, ov.AB, rtol=1e-4, atol=1e-5)
    assert (s[:, 4:] < 1e-5 * s[:, :1]).all()  # rank at most d_head = 4 of d_model = 12


def test_same_seed_same_weights_other_seed_other_weights():
    text = corpus.grammar_corpus(seed=0, n_train=64, n_test=8)
    cfg = gpt.GPTConfig(n_vocab=len(text.vocab), steps=5, seed=3)
    first, _ = gpt.train(cfg, text)
    second, _ = gpt.train(cfg, text)
    other, _ = gpt.train(gpt.GPTConfig(n_vocab=len(text.vocab), steps=5, seed=4), text)
    for (name, a), b, c in zip(first.state_dict().items(), second.state_dict().values(), other.state_dict().values()):
        assert torch.equal(a, b), name
    assert not torch.equal(first.W_E, other.W_E)


def test_grammar_makes_attention_necessary():
    """The verb after a noun belongs to the kind of the noun's own adjective, which is one or two words back."""
    text = corpus.grammar_corpus(seed=5, n_train=200, n_test=20)
    distances, checked = set(), 0
    for row in text.train:
        words = text.vocab.decode(row)
        for noun, adjective in roles.noun_adjective_pairs(words):
            distances.add(noun - adjective)
            if noun + 1 < len(words):
                assert corpus.kind_of(words[noun + 1]) == corpus.kind_of(words[adjective])
                checked += 1
    assert distances == {1, 2} and checked > 100
    assert corpus.grammar_corpus.__wrapped__(seed=5, n_train=200, n_test=20).digest() == text.digest()  # made afresh: same seed, same text
    assert 0 < text.floor < math.log(len(text.vocab))


def test_tokenize_and_vocab():
    assert corpus.tokenize("The Fluffy creature's den, at dawn!") == ["the", "fluffy", "creature's", "den", ",", "at", "dawn", "!"]
    vocab = corpus.Vocab(("a", "b", corpus.UNKNOWN))
    assert vocab.encode(["b", "zzz"]) == [1, 2]
    assert vocab.decode([0, 1]) == ["a", "b"]


def test_text_corpus_keeps_frequent_words(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_VOCAB", 5)
    path = tmp_path / "story.txt"
    path.write_text("the cat sat on the mat . " * 300 + "a rare word .", encoding="utf-8")
    text = corpus.text_corpus(path, n_ctx=8)
    assert text.vocab.words == ("the", ".", "cat", "mat", corpus.UNKNOWN)
    assert text.floor is None and text.train.shape[1] == 9
    assert len(text.train) > 7 * len(text.valid) and len(text.valid) == pytest.approx(len(text.test), abs=1)
    assert text.vocab.decode(text.train[0][:3]) == ["the", "cat", corpus.UNKNOWN]


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "is empty"), (b"   \n", "is empty"), (b"\xff\xfe caf\xe9", "not UTF-8"), (b"only a few words", "at least")],
)
def test_bad_corpus_files(tmp_path, content, needle):
    path = tmp_path / "corpus.txt"
    path.write_bytes(content)
    with pytest.raises(corpus.TextError, match=needle):
        corpus.text_corpus(path)


def test_corpus_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_CORPUS_BYTES", 100)
    path = tmp_path / "big.txt"
    path.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(corpus.TextError, match="shorter excerpt"):
        corpus.read_text(path)


def test_prompt_checks():
    text = corpus.grammar_corpus(seed=0, n_train=8, n_test=4)
    assert text.vocab.decode(text.prompt_ids(None)) == corpus.tokenize(corpus.DEFAULT_PROMPT)
    with pytest.raises(corpus.TextError, match="never saw: dragon, zzz; .*--vocab"):
        text.prompt_ids("a fluffy dragon zzz dragon")
    with pytest.raises(corpus.TextError, match="at most 24"):
        text.prompt_ids(" ".join(["the"] * 25))
    with pytest.raises(corpus.TextError, match="empty"):
        text.prompt_ids("  ")


def test_roles_score_what_they_say():
    words = ["a", "fluffy", "blue", "creature", "purred", ".", "the", "scaly", "beast"]
    assert roles.noun_adjective_pairs(words) == [(3, 1), (8, 7)]
    patterns = np.zeros((1, 1, 2, 9, 9))
    patterns[0, 0, 0, 3, 1] = patterns[0, 0, 0, 8, 7] = 1.0
    patterns[0, 0, 1, np.arange(1, 9), np.arange(8)] = 1.0
    scores, count = roles.adjective_scores(patterns, [words])
    assert count == 2 and scores.tolist() == [[1.0, 0.5]]  # "scaly" is also just before "beast"
    assert roles.previous_scores(patterns).tolist() == [[0.125, 1.0]]


# ------------------------------------------------------------ the trained network and Chapter 6's facts
def test_training_learns_the_grammar(chapter_facts):
    facts, _ = chapter_facts("gpt")
    text = corpus.grammar_corpus()
    assert facts["test_loss"] < text.floor + 0.05  # within 0.05 nats of the best any network can do
    assert facts["test_loss"] < 0.5 * math.log(len(text.vocab))


def test_every_fact_matches_its_reference(chapter_facts):
    facts, reference = chapter_facts("gpt")
    assert set(facts.arrays) <= set(reference)
    for key, value in facts.arrays.items():
        np.testing.assert_allclose(value, reference[key], rtol=1e-6, atol=1e-8, err_msg=key)


def test_temperature_bars_are_softmax_of_logits_over_t(chapter_facts):
    facts, _ = chapter_facts("gpt")
    logits = torch.from_numpy(facts["logits"])
    top = facts["top"].astype(int)
    for g, t in enumerate(facts["temperature.grid"]):
        expected = torch.softmax(logits / t, dim=0)
        np.testing.assert_allclose(facts["temperature.probs"][g], expected[top].numpy(), rtol=1e-9)
        np.testing.assert_allclose(facts["temperature.rest"][g], 1 - expected[top].sum().item(), atol=1e-12)
    one = int(np.argmin(np.abs(facts["temperature.grid"] - 1)))
    assert facts["temperature.grid"][one] == pytest.approx(1.0)
    np.testing.assert_allclose(facts["temperature.probs"][one], facts["probs"][top])
    # colder, bolder: the top word's share only grows as T falls, and the other words' only shrinks
    assert np.all(np.diff(facts["temperature.probs"][:, 0]) <= 1e-12)
    assert np.all(np.diff(facts["temperature.rest"]) >= -1e-12)


def test_prompt_changes_the_facts(chapter_facts):
    facts, _ = chapter_facts("gpt", NetConfig(prompt="the sleek grey critter"))
    assert facts.meta["prompt"] == ["the", "sleek", "grey", "critter"]
    assert facts["blocks.0.hook_resid_pre"].shape == (4, 32)
    next_word = facts.meta["vocab"][int(facts["top"][0])]
    assert corpus.kind_of(next_word) == "finned"  # a sleek creature swims, dives or splashes


def test_parameter_counts_add_up(chapter_facts):
    facts, _ = chapter_facts("gpt")
    parts = [k for k in facts.arrays if k.startswith("params.") and k != "params.total"]
    assert sum(facts[k] for k in parts) == facts["params.total"]
    d, v = facts["d_model"], facts["n_vocab"]
    assert facts["params.W_E"] == d * v and facts["params.blocks.0.attn"] == 4 * d * d


def test_gpt3_is_counted_by_the_formula_that_counts_this_model_at_the_published_sizes(chapter_facts):
    facts, _ = chapter_facts("gpt")
    sizes = {name: int(facts[name]) for name in gpt_facts.GPT3 if name != "generation"}
    by_hand = gpt_facts.reference_gpt3(sizes)  # the hand formula at this model's own sizes ...
    assert by_hand["gpt3.params.total"] == facts["params.total"]  # ... is the count of its tensors
    assert by_hand["gpt3.params.attn"] == facts["params.blocks.0.attn"] and by_hand["gpt3.params.mlp"] == facts["params.blocks.0.mlp"]
    assert {k: int(facts[f"gpt3.{k}"]) for k in gpt_facts.GPT3} == gpt_facts.GPT3
    d, layers = int(facts["gpt3.d_model"]), int(facts["gpt3.n_layers"])
    without = facts["gpt3.params.total"] - facts["gpt3.params.W_pos"] - layers * (int(facts["gpt3.d_mlp"]) + d)
    assert without == 175_181_291_520  # 3Blue1Brown's tally of GPT-3's weights, which leaves out positions and biases
    assert facts["gpt3.params.attn"] + facts["gpt3.params.mlp"] > facts["params.total"]  # "one of its blocks holds more"


# ------------------------------------------------------------ the command line
def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_info_attention_prints_the_figures(chapter_facts):
    chapter_facts("attention")  # trains (once per session) before the CLI reads the cache
    result = run("info", "attention")
    assert result.exit_code == 0, result.stderr
    for label in ("training time", "held-out loss", "head role", "grammar's floor"):
        assert label in result.stdout
    assert "of its attention on its own adjective" in result.stdout


@pytest.mark.render
def test_info_vocab_lists_the_words():
    result = run("info", "attention", "--vocab")
    assert result.exit_code == 0
    assert set(corpus.grammar_words()) == set(result.stdout.split())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--prompt", "the fluffy dragon"], "never saw: dragon"),
        (["--prompt", ""], "--prompt is empty"),
        (["--prompt", "the " * 30], "at most 24"),
    ],
)
@pytest.mark.render
def test_bad_prompt_is_one_line(tmp_path, args, needle):
    result = run("render", "attention", "--quality", "tiny", "--out", str(tmp_path), *args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netreel: ") and needle in lines[0], result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("content", "needle"), [(b"", "is empty"), (b"\xff\xfe\xfa", "not UTF-8")])
def test_bad_corpus_is_one_line(tmp_path, content, needle):
    path = tmp_path / "text.txt"
    path.write_bytes(content)
    result = run("info", "gpt", "--corpus", str(path))
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("netreel: ") and needle in lines[0], result.stderr


def test_missing_corpus_is_one_line(tmp_path):
    result = run("info", "gpt", "--corpus", str(tmp_path / "nowhere.txt"))
    assert result.exit_code != 0
    assert result.stderr.strip().startswith("netreel: cannot read --corpus") and len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------ sampling: the loop, and keeping to the grammar
def test_grammar_check_accepts_the_grammar_and_nothing_else():
    text = corpus.grammar_corpus(seed=2, n_train=50, n_test=4)
    for row in text.train:
        words = text.vocab.decode(row)
        assert all(gpt_facts.keeps_to_grammar(words)) and gpt_facts.reference_grammatical(words)
        broken = words[:5] + ["swamp"] + words[5:]  # a place where no place can stand
        flags = gpt_facts.keeps_to_grammar(broken)
        assert not flags[-1] and flags[:5] == [True] * 5 and not gpt_facts.reference_grammatical(broken)
    # a verb of another kind than the noun's adjective breaks it
    assert gpt_facts.keeps_to_grammar(["a", "fluffy", "beast", "hissed"]) == [True, True, True, False]


def test_samples_keep_to_the_grammar_less_often_when_hot(chapter_facts):
    facts, _ = chapter_facts("gpt")
    words, prompt = facts.meta["vocab"], facts.meta["prompt"]
    for k in (0, 1):
        sampled = [words[int(i)] for i in facts[f"sample.{k}.tokens"]]
        assert list(facts[f"sample.{k}.grammatical"]) == gpt_facts.keeps_to_grammar(prompt + sampled)[len(prompt):]
        assert 0 <= facts[f"sample.{k}.share"] <= 1
    assert facts["sample.0.T"] < facts["sample.1.T"]
    assert facts["sample.0.share"] > facts["sample.1.share"] + 0.1  # colder, more often grammatical
    assert facts["sample.count"] == gpt_facts.SAMPLE_COUNT


def test_the_loop_starts_from_the_prompts_own_prediction(chapter_facts):
    facts, _ = chapter_facts("gpt")
    k = len(facts["top"]) - 1  # the last place may go to the word drawn
    np.testing.assert_array_equal(facts["loop.top"][0][:k], facts["top"][:k])
    np.testing.assert_allclose(facts["loop.probs"][0], facts["probs"][facts["loop.top"][0].astype(int)])
    for s, token in enumerate(facts["loop.tokens"]):
        assert token in facts["loop.top"][s]  # every word drawn is among those shown
    np.testing.assert_allclose(facts["loop.probs"].sum(axis=1) + facts["loop.rest"], 1.0)
    assert facts["loop.probs"][0][0] >= facts["loop.probs"][0][-1]


def test_the_shown_products_are_the_counts(chapter_facts):
    facts, _ = chapter_facts("gpt")
    d, m = facts["d_model"], facts["d_mlp"]
    assert facts["count.attn_matrices"] * facts["n_heads"] * d * facts["d_head"] == facts["params.blocks.0.attn"]
    assert d * m + m + m * d + d == facts["params.blocks.0.mlp"]
    np.testing.assert_allclose(facts["temperature.rest_each"] * facts["temperature.others"], facts["temperature.rest"])
    assert facts["temperature.others"] + len(facts["top"]) == facts["n_vocab"]


def test_the_kind_direction_is_learned_and_the_shown_analogy_lands_on_its_kind(chapter_facts):
    """The shown d is of b's kind and part, nearest to E_c + E_b − E_a among all other words; the same
    analogies on the embeddings with their rows shuffled (no word keeps its vector) are answered far less often."""
    from netreel.nets import analogy

    facts, _ = chapter_facts("gpt")
    words = facts.meta["vocab"]
    e = torch.from_numpy(facts["W_E"])
    a, b, c, d = (int(t) for t in facts["direction.example"])
    assert (corpus.kind_of(words[d]), corpus.part_of_speech(words[d])) == (corpus.kind_of(words[b]), corpus.part_of_speech(words[b]))
    cos = F.cosine_similarity(e[c] + e[b] - e[a], e, dim=1)
    cos[[a, b, c]] = -2
    assert int(cos.argmax()) == d and float(cos[d]) == pytest.approx(facts["direction.cosine"], rel=1e-9)
    parts = gpt_facts.grammar_parts(corpus.load(None))
    rows = analogy.questions(parts)
    shuffled = facts["W_E"][np.random.default_rng(0).permutation(len(words))]
    best, _ = analogy.answer(shuffled, rows)
    groups = [kind for kinds in parts for kind in kinds]
    chance = sum(t in groups[g] for t, g in zip(best, rows[:, 3]))
    assert facts["direction.right_all"] > 5 * chance


def test_the_multiplied_row_gives_the_neurons_value(chapter_facts):
    """The row of W_in shown, times the vector entering the MLP, summed and with its bias, is the neuron's value
    before the ReLU; it is the most active neuron, and ReLU keeps it."""
    facts, _ = chapter_facts("gpt")
    l, j = int(facts["mlp.layer"]), int(facts["mlp.example"])
    x = torch.from_numpy(facts[f"blocks.{l}.hook_resid_mid"][-1])
    row = torch.from_numpy(facts[f"blocks.{l}.mlp.W_in"][:, j])
    np.testing.assert_allclose(facts["mlp.example_products"], (x * row).numpy())
    assert float(facts["mlp.example_dot"]) == pytest.approx(float(x @ row), rel=1e-9)
    pre = facts[f"blocks.{l}.mlp.hook_pre"][-1]
    assert float(facts["mlp.example_dot"] + facts[f"blocks.{l}.mlp.b_in"][j]) == pytest.approx(float(pre[j]), rel=1e-9)
    assert pre[j] == pre.max() and facts[f"blocks.{l}.mlp.hook_post"][-1][j] == pre[j]
