"""Chapter 6 (What is a GPT): the tiny transformer reads the prompt and predicts the next word.

Also the shared ground of Chapter 7: the trained network for a config, the
prompt's tokens, the network's sizes. Both chapters' references recompute from
:func:`netreel.nets.reference.plain_forward`.
"""

from __future__ import annotations


import numpy as np
import torch

from netreel.nets import corpus as corpus_mod
from netreel.nets import analogy, gpt, names, roles
from netreel.nets.config import NetConfig
from netreel.nets.facts import VOCABULARY, Facts, as_arrays
from netreel.nets.reference import plain_forward, stored_weights

TOP_WORDS = 6  # next-word bars shown
TEMPERATURES = 10 ** np.linspace(-2.0, 1.2, 33)  # the slider's stops, from 0.01 to about 16, T = 1 among them
SAMPLE_TEMPERATURES = (0.5, 2.0)
SAMPLE_LENGTH = 10
SAMPLE_COUNT = 1000  # continuations drawn at each sample temperature to measure how many keep to the grammar
PARTS = ("adjectives", "verbs", "places")  # the grammar's parts whose words have a kind (corpus.KINDS)
LOOP_STEPS = 4  # words predicted, drawn and appended one at a time at T = 1 (the chapter's premise)
SHOWN_NEURONS = 8  # MLP neurons whose numbers are shown

# GPT-3's published sizes, its largest model (Brown et al., "Language Models are Few-Shot Learners",
# 2020, Table 2.1: 96 layers, d_model 12,288, 96 heads of 128, context 2,048; the feed-forward layer
# four times d_model, section 2.1; GPT-2's byte-pair vocabulary of 50,257 tokens). "generation" is the 3.
GPT3 = {
    "generation": 3, "n_vocab": 50257, "n_ctx": 2048, "d_model": 12288, "n_heads": 96, "d_head": 128,
    "d_mlp": 4 * 12288, "n_layers": 96,
}
GPT3_COUNTS = ("W_E", "W_pos", "attn", "mlp", "W_U", "total")  # gpt3.params.<part>: attn and mlp per block

DIMS_KEYS = ("n_vocab", "n_ctx", "d_model", "n_heads", "d_head", "d_mlp", "n_layers", "layer_numbers", "head_numbers")
"""What :func:`dims` gives: the network's sizes, the layer and head numbers."""

MODEL_KEYS = (
    "W_E", "W_pos", "W_U",
    *(names.act(name, "{layer}" if "{layer}" in pattern else None) for name, pattern in names.TRANSFORMER.items()),
)
"""The transformer's recorded tensors: every hook of its run on the prompt and every weight."""

KEYS = (
    *MODEL_KEYS, *DIMS_KEYS,
    "prompt.tokens", "prompt.length", "positions", "vocab.ids", "logits", "probs", "top", "test_loss",
    "temperature.grid", "temperature.probs", "temperature.rest", "temperature.rest_each", "temperature.even",
    "temperature.others", "mlp.layer", "mlp.neurons", "mlp.active",
    "mlp.example", "mlp.example_products", "mlp.example_dot",
    "params.W_E", "params.W_pos", "params.W_U", "params.blocks.{layer}.attn", "params.blocks.{layer}.mlp",
    "params.total", "count.attn_matrices", "pca.coords", "pca.explained", "pca.origin", "dot.pairs", "dot.values", "dot.cosines",
    "sample.{k}.T", "sample.{k}.tokens", "sample.{k}.probs", "sample.{k}.grammatical", "sample.{k}.share",
    "sample.count", "loop.tokens", "loop.top", "loop.probs", "loop.rest",
    "direction.example", "direction.example_right", "direction.cosine", "direction.asked", "direction.right", "direction.asked_all", "direction.right_all",
    *(f"gpt3.{name}" for name in GPT3), *(f"gpt3.params.{part}" for part in GPT3_COUNTS),
)

DIMS_MEANINGS = {
    "n_vocab": "how many tokens (words) the transformer knows",
    "n_ctx": "the longest context it reads, in tokens",
    "d_model": "the size of the residual stream: each token's vector",
    "n_heads": "attention heads per block",
    "d_head": "the size of each head's queries, keys and values",
    "d_mlp": "the neurons of each block's MLP",
    "n_layers": "how many blocks it has",
    "layer_numbers": "the blocks' numbers as shown, from 1",
    "head_numbers": "the heads' numbers as shown, from 1",
}
"""What each of :data:`DIMS_KEYS` holds."""

MODEL_MEANINGS = {
    "W_E": "the embedding matrix, [n_vocab, d_model]: one row per token",
    "W_pos": "the position embeddings, [n_ctx, d_model]",
    "W_U": "the unembedding matrix, [d_model, n_vocab]",
    names.act("embed"): "each prompt token's embedding, [position, d_model]",
    names.act("pos_embed"): "each prompt position's embedding, [position, d_model]",
    names.act("resid_pre", "{layer}"): "the residual stream entering block {layer}, [position, d_model]",
    names.act("attn_out", "{layer}"): "block {layer}'s attention output added to the stream",
    names.act("resid_mid", "{layer}"): "the residual stream between block {layer}'s attention and MLP",
    names.act("mlp_out", "{layer}"): "block {layer}'s MLP output added to the stream",
    names.act("resid_post", "{layer}"): "the residual stream leaving block {layer}",
    names.act("q", "{layer}"): "block {layer}'s queries, [position, head, d_head]",
    names.act("k", "{layer}"): "block {layer}'s keys, [position, head, d_head]",
    names.act("v", "{layer}"): "block {layer}'s values, [position, head, d_head]",
    names.act("attn_scores", "{layer}"): "block {layer}'s scaled, masked scores, [head, query, key] (-inf where masked)",
    names.act("pattern", "{layer}"): "block {layer}'s attention pattern, the softmax of the scores, [head, query, key]",
    names.act("z", "{layer}"): "block {layer}'s pattern-weighted values, [position, head, d_head]",
    names.act("result", "{layer}"): "each head's output in the stream, [position, head, d_model]",
    names.act("mlp_pre", "{layer}"): "block {layer}'s MLP neurons before the ReLU, [position, d_mlp]",
    names.act("mlp_post", "{layer}"): "block {layer}'s MLP neurons after the ReLU",
    names.act("W_Q", "{layer}"): "block {layer}'s query weights, [head, d_model, d_head]",
    names.act("W_K", "{layer}"): "block {layer}'s key weights, [head, d_model, d_head]",
    names.act("W_V", "{layer}"): "block {layer}'s value weights, [head, d_model, d_head]",
    names.act("W_O", "{layer}"): "block {layer}'s output weights, [head, d_head, d_model]",
    names.act("W_in", "{layer}"): "block {layer}'s MLP weights in, [d_model, d_mlp]",
    names.act("b_in", "{layer}"): "block {layer}'s MLP biases in",
    names.act("W_out", "{layer}"): "block {layer}'s MLP weights out, [d_mlp, d_model]",
    names.act("b_out", "{layer}"): "block {layer}'s MLP biases out",
}
"""What each of :data:`MODEL_KEYS` holds."""

MEANINGS = {
    **MODEL_MEANINGS,
    **DIMS_MEANINGS,
    "prompt.tokens": "the prompt's token ids",
    "prompt.length": "how many tokens the prompt has",
    "positions": "the prompt's positions, from 0",
    "vocab.ids": "every token id",
    "logits": "the next-token logits after the prompt's last token",
    "probs": "their softmax: the next-token probabilities",
    "top": "the most probable next tokens, most probable first",
    "test_loss": "the transformer's loss on held-out text",
    "temperature.grid": "the temperatures of the temperature sweep",
    "temperature.probs": "the top tokens' probabilities at each temperature",
    "temperature.rest": "the probability left to the other tokens at each temperature",
    "temperature.rest_each": "the probability of each of those other tokens on average, at each temperature",
    "temperature.others": "how many tokens are outside the top ones",
    "temperature.even": "an even share, one over the vocabulary's size: every token's probability as T grows without end",
    "mlp.layer": "the block whose MLP is shown",
    "mlp.neurons": "the MLP neurons shown: the most and least active at the last position",
    "mlp.active": "how many of its neurons are active (above zero) at the last position",
    "mlp.example": "the neuron whose row of W_in is multiplied out: the most active at the last position",
    "mlp.example_products": "that neuron's weights in times the last token's vector entering the MLP, entry by entry, [d_model]",
    "mlp.example_dot": "their sum, the row's dot product with the vector (the neuron's value before the bias and ReLU)",
    "params.W_E": "the embedding's parameters, counted",
    "params.W_pos": "the position embedding's parameters, counted",
    "params.W_U": "the unembedding's parameters, counted",
    "params.blocks.{layer}.attn": "block {layer}'s attention parameters, counted",
    "params.blocks.{layer}.mlp": "block {layer}'s MLP parameters, counted",
    "params.total": "every parameter, counted",
    "count.attn_matrices": "how many weight matrices each attention block has (W_Q, W_K, W_V, W_O), counted",
    "pca.coords": "each token's embedding on the first two principal axes",
    "pca.origin": "where the zero vector, the origin every embedding is an arrow from, falls on the two axes",
    "pca.explained": "the share of the embeddings' variance each of the two axes holds",
    "dot.pairs": "the pairs of token ids whose embeddings are compared",
    "dot.values": "their embeddings' dot products",
    "dot.cosines": "their embeddings' cosine similarities",
    "sample.{k}.T": "the temperature of sampled text number {k}",
    "sample.{k}.tokens": "its tokens, after the prompt",
    "sample.{k}.probs": "the probability of each token when it was drawn",
    "sample.{k}.grammatical": "for each of its tokens, whether the prompt and the text up to it still keep to the grammar",
    "sample.{k}.share": "the share of sample.count continuations drawn at that temperature that keep to the grammar throughout",
    "sample.count": "how many continuations were drawn at each temperature to measure the shares",
    "loop.tokens": "the words drawn one at a time at T = 1, each appended to the text before the next is predicted",
    "loop.top": "at each of those steps, the most probable next words, most probable first (the word drawn last when it is not among them)",
    "loop.probs": "their probabilities at that step",
    "loop.rest": "the probability left to the other words at that step",
    "direction.example": "the analogy shown, a : b :: c : d, as token ids: d is the word nearest by cosine to E_c + E_b - E_a",
    "direction.example_right": "1 when the analogy shown is answered with a word of b's kind and part, else 0",
    "direction.cosine": "the cosine between E_c + E_b - E_a and E_d for the analogy shown",
    "direction.asked": "how many analogies inside each part (adjectives, verbs, places) were asked: a and c of one kind, b of another",
    "direction.right": "how many of them the nearest word answers with a word of b's kind and part",
    "direction.asked_all": "all the analogies asked",
    "direction.right_all": "all those answered right",
    "gpt3.generation": "which GPT the published sizes are of: GPT-3 (Brown et al. 2020)",
    **{f"gpt3.{name}": f"GPT-3's {name}, as published" for name in GPT3 if name != "generation"},
    "gpt3.params.W_E": "the embedding's parameters at GPT-3's sizes, counted as this model's",
    "gpt3.params.W_pos": "the position embedding's parameters at GPT-3's sizes",
    "gpt3.params.attn": "one block's attention parameters at GPT-3's sizes",
    "gpt3.params.mlp": "one block's MLP parameters at GPT-3's sizes",
    "gpt3.params.W_U": "the unembedding's parameters at GPT-3's sizes",
    "gpt3.params.total": "every parameter of this model's architecture at GPT-3's sizes, counted",
}
"""What each of :data:`KEYS` holds (``netreel info gpt --facts``)."""


def corpus_of(config: NetConfig) -> corpus_mod.Corpus:
    return corpus_mod.load(config.corpus)


def trained(config: NetConfig, corpus: corpus_mod.Corpus | None = None) -> gpt.TrainedGPT:
    corpus = corpus or corpus_of(config)
    cfg = gpt.GPTConfig(n_vocab=len(corpus.vocab), n_ctx=corpus.n_ctx, seed=config.seed)
    return gpt.load_or_train(cfg, corpus)


def prompt_and_net(config: NetConfig) -> tuple[list[int], corpus_mod.Corpus, gpt.TrainedGPT]:
    """The prompt's token ids (checked before any training), the corpus and the network trained on it."""
    corpus = corpus_of(config)
    ids = corpus.prompt_ids(config.prompt)
    return ids, corpus, trained(config, corpus)


def meta(net: gpt.TrainedGPT, corpus: corpus_mod.Corpus, ids: list[int]) -> dict:
    words = list(corpus.vocab.words)
    parts = [corpus_mod.part_of_speech(w) for w in words] if corpus.name == corpus_mod.GRAMMAR else []
    prompt = [words[i] for i in ids]
    return {"vocab": words, "parts": parts, "corpus": corpus.name, "prompt": prompt, "net_key": net.record["key"]}


def dims(cfg: gpt.GPTConfig) -> dict[str, object]:
    """The network's sizes, and the layer and head numbers as people count them (from one)."""
    return {
        "n_vocab": cfg.n_vocab, "n_ctx": cfg.n_ctx, "d_model": cfg.d_model, "n_heads": cfg.n_heads,
        "d_head": cfg.d_head, "d_mlp": cfg.d_mlp, "n_layers": cfg.n_layers,
        "layer_numbers": np.arange(1, cfg.n_layers + 1), "head_numbers": np.arange(1, cfg.n_heads + 1),
    }


def reference_dims(cfg: gpt.GPTConfig) -> dict[str, object]:
    """The sizes again, read off the stored config one by one."""
    values: dict[str, object] = {name: getattr(cfg, name) for name in ("n_vocab", "n_ctx", "d_model", "n_heads", "d_head", "d_mlp", "n_layers")}
    values["layer_numbers"] = [l + 1 for l in range(cfg.n_layers)]
    values["head_numbers"] = [h + 1 for h in range(cfg.n_heads)]
    return values


# ---------------------------------------------------------------- choices
def top_words(probs: np.ndarray, k: int = TOP_WORDS) -> np.ndarray:
    """The k most likely next words, most likely first (ties by token id)."""
    return np.lexsort((np.arange(len(probs)), -probs))[:k]


def shown_neurons(pre: np.ndarray, k: int = SHOWN_NEURONS) -> np.ndarray:
    """The MLP neurons whose numbers the chapter shows: the most active half, the most negative half."""
    order = np.lexsort((np.arange(len(pre)), -pre))
    return np.sort(np.concatenate([order[: k // 2], order[-(k - k // 2) :]]))


def word_pairs(embeddings: np.ndarray, prompt: list[int]) -> np.ndarray:
    """Two pairs of words for dot products, by cosine similarity: the prompt word with the closest
    neighbour and that neighbour; the same word and the prompt word least like it. [2, 2] token ids."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    cos = unit @ unit.T  # [vocab, vocab]
    np.fill_diagonal(cos, -np.inf)
    words = list(dict.fromkeys(prompt))
    anchor = words[int(np.argmax([cos[i].max() for i in words]))]
    nearest = int(np.argmax(cos[anchor]))
    others = [i for i in words if i != anchor] or [i for i in range(len(cos)) if i != anchor]
    farthest = others[int(np.argmin(cos[anchor, others]))]
    return np.array([[anchor, nearest], [anchor, farthest]])


def sample(next_probs, prompt: list[int], temperature: float, seed: int, n_ctx: int, length: int = SAMPLE_LENGTH) -> tuple[list[int], list[float]]:
    """Seeded sampling at a temperature: each next word by inverse-CDF on one uniform draw.

    ``next_probs(tokens, T)`` gives the next-word distribution after the last n_ctx tokens.
    Returns the new tokens and the probability each had when drawn.
    """
    rng = np.random.default_rng(seed)
    tokens, chosen, probs = list(prompt), [], []
    for _ in range(length):
        p = next_probs(tokens[-n_ctx:], temperature)
        token = int(min(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right"), len(p) - 1))
        tokens.append(token)
        chosen.append(token)
        probs.append(float(p[token]))
    return chosen, probs


def sample_seed(config: NetConfig, k: int) -> int:
    return 1000 * config.seed + k


def keeps_to_grammar(words: list[str]) -> list[bool]:
    """For each word, whether the text up to it can still be the start of a run of the grammar's
    sentences (:func:`netreel.nets.corpus.sentence`): determiner, adjective, [colour], noun, a verb of the
    adjective's kind, then a full stop or preposition, "the", place adjective, a place of that kind, full stop."""
    c = corpus_mod
    kinds = c.KINDS.values()
    adjectives = {a: k for k in kinds for a in k["adjectives"]}
    state, kind, out, alive = "start", None, [], True
    for word in words:
        if alive:
            if state == "start" and word in c.DETERMINERS:
                state = "det"
            elif state == "det" and word in adjectives:
                state, kind = "adj", adjectives[word]
            elif state == "adj" and word in c.COLOURS:
                state = "colour"
            elif state in ("adj", "colour") and word in c.NOUNS:
                state = "noun"
            elif state == "noun" and word in kind["verbs"]:
                state = "verb"
            elif state in ("verb", "place") and word == c.END:
                state = "start"
            elif state == "verb" and word in c.PREPOSITIONS:
                state = "prep"
            elif state == "prep" and word == "the":
                state = "the"
            elif state == "the" and word in c.PLACE_ADJECTIVES:
                state = "place_adj"
            elif state == "place_adj" and word in kind["places"]:
                state = "place"
            else:
                alive = False
        out.append(alive)
    return out


def sample_many(next_probs_batch, prompt: list[int], temperature: float, seed: int, count: int = SAMPLE_COUNT, length: int = SAMPLE_LENGTH) -> np.ndarray:
    """``count`` continuations at once, each word by inverse-CDF on its own uniform draw. [count, length] ids.

    ``next_probs_batch(tokens [count, n], T)`` gives each row's next-word distribution.
    """
    draws = np.random.default_rng(seed).random((count, length))
    tokens = np.tile(np.array(prompt), (count, 1))
    for step in range(length):
        p = next_probs_batch(tokens, temperature)  # [count, vocab]
        cdf = np.cumsum(p, axis=1)
        chosen = np.minimum((cdf <= draws[:, step : step + 1] * cdf[:, -1:]).sum(axis=1), p.shape[1] - 1)
        tokens = np.concatenate([tokens, chosen[:, None]], axis=1)
    return tokens[:, len(prompt) :]


def many_seed(config: NetConfig, k: int) -> int:
    return 1000 * config.seed + 100 + k


def loop_seed(config: NetConfig) -> int:
    return 1000 * config.seed + 200


# ---------------------------------------------------------------- the facts
def build(config: NetConfig) -> Facts:
    ids, corpus, net = prompt_and_net(config)
    model = net.model.double()
    cfg = model.cfg
    tokens = torch.tensor([ids])  # [1, n]
    logits_all, cache = model.run_with_cache(tokens)
    acts = {name: t[0] for name, t in cache.items()}  # drop the batch dim
    weights = {k: v for k, v in model.state_dict().items()}
    logits = logits_all[0, -1]  # [vocab]
    probs = logits.softmax(-1)  # [vocab]
    top = top_words(probs.numpy())
    scaled = logits[None, :] / torch.tensor(TEMPERATURES)[:, None]  # [n_T, vocab]
    sweep = scaled.softmax(-1)  # [n_T, vocab]
    last = cfg.n_layers - 1
    pre = acts[names.act("mlp_pre", last)][-1]  # [d_mlp]
    example = int(torch.argmax(pre))
    products = acts[names.act("resid_mid", last)][-1] * weights[names.act("W_in", last)][:, example]  # [d_model]

    @torch.no_grad()
    def next_probs(seq: list[int], temperature: float) -> np.ndarray:
        return (model(torch.tensor([seq]))[0, -1] / temperature).softmax(-1).numpy()

    values: dict[str, object] = {
        **acts, **weights, **dims(cfg), **parameter_counts(weights, cfg.n_layers), **at_gpt3_scale(),
    }
    values.update(
        {
            "prompt.tokens": ids,
            "prompt.length": len(ids),
            "positions": np.arange(len(ids)),
            "vocab.ids": np.arange(cfg.n_vocab),
            "logits": logits,
            "probs": probs,
            "top": top,
            "temperature.grid": TEMPERATURES,
            "temperature.probs": sweep[:, top],
            "temperature.rest": 1 - sweep[:, top].sum(-1),
            "temperature.rest_each": (1 - sweep[:, top].sum(-1)) / (cfg.n_vocab - len(top)),
            "temperature.even": 1 / cfg.n_vocab,
            "temperature.others": cfg.n_vocab - len(top),
            "mlp.layer": last,
            "mlp.neurons": shown_neurons(pre.numpy()),
            "mlp.active": int((acts[names.act("mlp_post", last)][-1] > 0).sum()),
            "mlp.example": example,
            "mlp.example_products": products,
            "mlp.example_dot": products.sum(),
            "test_loss": net.record["test_loss"],
        }
    )
    values.update(pca_facts(weights["W_E"].numpy()))
    pairs = word_pairs(weights["W_E"].numpy(), ids)
    values["dot.pairs"] = pairs
    values["dot.values"] = [float(weights["W_E"][a] @ weights["W_E"][b]) for a, b in pairs]
    values["dot.cosines"] = [float(torch.cosine_similarity(weights["W_E"][a], weights["W_E"][b], dim=0)) for a, b in pairs]
    for k, temperature in enumerate(SAMPLE_TEMPERATURES):
        chosen, chances = sample(next_probs, ids, temperature, sample_seed(config, k), cfg.n_ctx)
        values[f"sample.{k}.T"] = temperature
        values[f"sample.{k}.tokens"] = chosen
        values[f"sample.{k}.probs"] = chances

    @torch.no_grad()
    def next_probs_batch(seqs: np.ndarray, temperature: float) -> np.ndarray:
        return (model(torch.from_numpy(seqs[:, -cfg.n_ctx :]))[:, -1] / temperature).softmax(-1).numpy()

    if corpus.name == corpus_mod.GRAMMAR:  # only the grammar knows which continuations are grammatical
        words = corpus.vocab.words
        values["sample.count"] = SAMPLE_COUNT
        for k, temperature in enumerate(SAMPLE_TEMPERATURES):
            values[f"sample.{k}.grammatical"] = keeps_to_grammar([words[i] for i in ids + list(values[f"sample.{k}.tokens"])])[len(ids) :]
            drawn = sample_many(next_probs_batch, ids, temperature, many_seed(config, k))
            values[f"sample.{k}.share"] = float(np.mean([keeps_to_grammar([words[i] for i in ids + list(row)])[-1] for row in drawn]))
        values.update(direction_facts(weights["W_E"].numpy(), grammar_parts(corpus), ids))
    rng = np.random.default_rng(loop_seed(config))
    seq, loop_tokens, loop_top, loop_probs = list(ids), [], [], []
    for _ in range(LOOP_STEPS):
        p = next_probs(seq[-cfg.n_ctx :], 1.0)
        token = int(min(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right"), len(p) - 1))
        best = top_words(p)
        if token not in best:  # the word drawn is shown too, in the last place
            best = np.append(best[:-1], token)
        loop_top.append(best)
        loop_probs.append(p[best])
        loop_tokens.append(token)
        seq.append(token)
    values.update({"loop.tokens": loop_tokens, "loop.top": loop_top, "loop.probs": loop_probs})
    values["loop.rest"] = 1 - np.sum(loop_probs, axis=1)
    return Facts(as_arrays(values), meta(net, corpus, ids))


def grammar_parts(corpus: corpus_mod.Corpus) -> list[list[list[int]]]:
    """Per part of :data:`PARTS`, each kind's token ids."""
    index = corpus.vocab.index
    return [[[index[w] for w in kind[part]] for kind in corpus_mod.KINDS.values()] for part in PARTS]


def direction_facts(embeddings: np.ndarray, parts: list[list[list[int]]], prompt: list[int]) -> dict[str, object]:
    """Every analogy inside a part answered by the embeddings, counted per part, and the one shown:
    the prompt's first two words of one part and different kinds as a and b, the c answered right
    with the largest cosine (else the first c)."""
    groups = [kind for kinds in parts for kind in kinds]
    part_of = np.array([p for p, kinds in enumerate(parts) for _ in kinds])
    rows = analogy.questions(parts)
    best, cos = analogy.answer(embeddings, rows)
    right = np.array([d in groups[g] for d, g in zip(best, rows[:, 3])])
    group_of = {t: g for g, kind in enumerate(groups) for t in kind}
    shown = [t for t in dict.fromkeys(prompt) if t in group_of]
    pair = next(
        ((a, b) for a in shown for b in shown if part_of[group_of[a]] == part_of[group_of[b]] and group_of[a] != group_of[b]),
        tuple(rows[0, :2]),
    )
    candidates = np.flatnonzero((rows[:, 0] == pair[0]) & (rows[:, 1] == pair[1]))
    good = candidates[right[candidates]]
    pick = int(good[np.argmax(cos[good])]) if len(good) else int(candidates[0])
    row_part = part_of[rows[:, 3]]
    return {
        "direction.example": [*rows[pick, :3], best[pick]],
        "direction.example_right": int(right[pick]),
        "direction.cosine": cos[pick],
        "direction.asked": np.bincount(row_part, minlength=len(parts)),
        "direction.right": np.bincount(row_part, weights=right, minlength=len(parts)).astype(int),
        "direction.asked_all": len(rows),
        "direction.right_all": int(right.sum()),
    }


def pca_facts(embeddings: np.ndarray) -> dict[str, np.ndarray]:
    """The embedding matrix's two principal directions (covariance eigenvectors), each word's coordinates."""
    centred = torch.from_numpy(embeddings - embeddings.mean(axis=0))  # [vocab, d_model]
    eigenvalues, eigenvectors = torch.linalg.eigh(centred.T @ centred)  # ascending
    axes = eigenvectors[:, [-1, -2]].numpy()  # [d_model, 2]
    axes = axes * np.sign(axes[np.abs(axes).argmax(axis=0), [0, 1]])  # largest loading positive
    return {
        "pca.coords": centred.numpy() @ axes,
        "pca.origin": -embeddings.mean(axis=0) @ axes,
        "pca.explained": (eigenvalues[[-1, -2]] / eigenvalues.sum()).numpy(),
    }


def parameter_counts(weights: dict[str, torch.Tensor], n_layers: int) -> dict[str, int]:
    """Parameters block by block: embeddings, each block's attention and MLP, unembedding."""
    count = {name: t.numel() for name, t in weights.items()}
    out = {"params.W_E": count["W_E"], "params.W_pos": count["W_pos"], "params.W_U": count["W_U"]}
    for l in range(n_layers):
        out[f"params.blocks.{l}.attn"] = sum(count[names.act(m, l)] for m in ("W_Q", "W_K", "W_V", "W_O"))
        out[f"params.blocks.{l}.mlp"] = sum(count[names.act(m, l)] for m in ("W_in", "b_in", "W_out", "b_out"))
    out["params.total"] = sum(count.values())
    out["count.attn_matrices"] = sum(1 for m in ("W_Q", "W_K", "W_V", "W_O") if names.act(m, 0) in count)
    return out


def gpt3_model() -> gpt.GPT:
    """This model's architecture built at GPT-3's published sizes on PyTorch's meta device
    (shapes without numbers: no memory for its 175 billion)."""
    with torch.device("meta"):
        return gpt.GPT(gpt.GPTConfig(**{name: value for name, value in GPT3.items() if name != "generation"}))


def at_gpt3_scale() -> dict[str, int]:
    """GPT-3's sizes, and :func:`parameter_counts` of :func:`gpt3_model`."""
    counts = parameter_counts(gpt3_model().state_dict(), GPT3["n_layers"])
    blocks = {(counts[f"params.blocks.{l}.attn"], counts[f"params.blocks.{l}.mlp"]) for l in range(GPT3["n_layers"])}
    ((attn, mlp),) = blocks  # every block the same
    out = {f"gpt3.{name}": value for name, value in GPT3.items()}
    out.update({f"gpt3.params.{part}": counts[f"params.{part}"] for part in ("W_E", "W_pos", "W_U", "total")})
    out.update({"gpt3.params.attn": attn, "gpt3.params.mlp": mlp})
    return out


# ---------------------------------------------------------------- the reference
def plain_next_probs(w: dict[str, torch.Tensor], n_layers: int, n_heads: int):
    def next_probs(seq: list[int], temperature: float) -> np.ndarray:
        logits = plain_forward(w, torch.tensor([seq]), n_layers, n_heads)["logits"][0, -1].numpy()
        e = np.exp((logits - logits.max()) / temperature)
        return e / e.sum()

    return next_probs


def with_vocabulary(reference: dict[str, np.ndarray], corpus: corpus_mod.Corpus) -> dict[str, np.ndarray]:
    """A reference with the vocabulary as the corpus makes it (:data:`VOCABULARY`), for the words scenes draw."""
    return {**reference, VOCABULARY: np.array(corpus.vocab.words)}


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """Every fact again, from the stored weights by plain algebra and numpy, without the model's forward()."""
    ids, corpus, net = prompt_and_net(config)
    cfg = net.model.cfg
    w = stored_weights(net)
    run = {k: v[0] for k, v in plain_forward(w, torch.tensor([ids]), cfg.n_layers, cfg.n_heads).items()}
    logits = run.pop("logits")[-1].numpy()  # [vocab]
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))[:TOP_WORDS]
    values: dict[str, object] = {**run, **w}
    values.update(reference_dims(cfg))
    values.update({f"params.{k}": v for k, v in reference_counts(w, cfg.n_layers).items()})
    values["count.attn_matrices"] = sum(1 for k in w if k.startswith("blocks.0.attn."))
    values.update(reference_gpt3())
    e = np.exp((logits[None, :] - logits.max()) / TEMPERATURES[:, None])  # [n_T, vocab]
    sweep = e / e.sum(axis=1, keepdims=True)
    last = cfg.n_layers - 1
    pre = run[names.act("mlp_pre", last)][-1].numpy()
    ranked = sorted(range(len(pre)), key=lambda i: (-pre[i], i))
    x_in = run[names.act("resid_mid", last)][-1].numpy()
    w_in = w[names.act("W_in", last)].numpy()
    half = SHOWN_NEURONS // 2
    values.update(
        {
            "prompt.tokens": ids,
            "prompt.length": len(ids),
            "positions": list(range(len(ids))),
            "vocab.ids": list(range(len(logits))),
            "logits": logits,
            "probs": probs,
            "top": order,
            "temperature.grid": TEMPERATURES,
            "temperature.probs": sweep[:, order],
            "temperature.rest": sweep.sum(axis=1) - sweep[:, order].sum(axis=1),
            "temperature.rest_each": np.delete(sweep, order, axis=1).mean(axis=1),
            "temperature.even": 1 / len(logits),
            "temperature.others": len(logits) - len(order),
            "mlp.layer": last,
            "mlp.neurons": sorted(ranked[:half] + ranked[-(SHOWN_NEURONS - half) :]),
            "mlp.active": int(np.count_nonzero(pre > 0)),
            "mlp.example": ranked[0],
            "mlp.example_products": [float(a) * float(b) for a, b in zip(x_in, w_in[:, ranked[0]])],
            "mlp.example_dot": float(sum(float(a) * float(b) for a, b in zip(x_in, w_in[:, ranked[0]]))),
            "test_loss": reference_loss(w, corpus, cfg),
        }
    )
    values.update(reference_pca(w["W_E"].numpy()))
    pairs = reference_pairs(w["W_E"].numpy(), ids)
    emb = w["W_E"].numpy()
    values["dot.pairs"] = pairs
    values["dot.values"] = [float(np.dot(emb[a], emb[b])) for a, b in pairs]
    values["dot.cosines"] = [float(np.dot(emb[a], emb[b]) / np.linalg.norm(emb[a]) / np.linalg.norm(emb[b])) for a, b in pairs]
    next_probs = plain_next_probs(w, cfg.n_layers, cfg.n_heads)
    for k, temperature in enumerate(SAMPLE_TEMPERATURES):
        rng = np.random.default_rng(sample_seed(config, k))
        seq, chosen, chances = list(ids), [], []
        for _ in range(SAMPLE_LENGTH):
            p = next_probs(seq[-cfg.n_ctx :], temperature)
            u = rng.random() * p.sum()
            token = next((i for i, c in enumerate(np.cumsum(p)) if c > u), len(p) - 1)
            seq.append(token)
            chosen.append(token)
            chances.append(p[token])
        values.update({f"sample.{k}.T": temperature, f"sample.{k}.tokens": chosen, f"sample.{k}.probs": chances})
    if corpus.name == corpus_mod.GRAMMAR:
        words = corpus.vocab.words
        values["sample.count"] = SAMPLE_COUNT
        for k, temperature in enumerate(SAMPLE_TEMPERATURES):
            text = [words[i] for i in ids + [int(t) for t in values[f"sample.{k}.tokens"]]]
            values[f"sample.{k}.grammatical"] = [reference_grammatical(text[: j + 1]) for j in range(len(ids), len(text))]
            draws = np.random.default_rng(many_seed(config, k)).random((SAMPLE_COUNT, SAMPLE_LENGTH))
            rows = [list(ids) for _ in range(SAMPLE_COUNT)]
            for step in range(SAMPLE_LENGTH):
                logits_now = plain_forward(w, torch.tensor([r[-cfg.n_ctx :] for r in rows]), cfg.n_layers, cfg.n_heads)["logits"][:, -1].numpy()
                e = np.exp((logits_now - logits_now.max(axis=1, keepdims=True)) / temperature)
                p = e / e.sum(axis=1, keepdims=True)
                for r, row in enumerate(rows):
                    u = draws[r, step] * p[r].sum()
                    row.append(next((i for i, c in enumerate(np.cumsum(p[r])) if c > u), len(p[r]) - 1))
            kept = [reference_grammatical([words[i] for i in row]) for row in rows]
            values[f"sample.{k}.share"] = sum(kept) / SAMPLE_COUNT
        values.update(reference_directions(w["W_E"].numpy(), corpus, ids))
    rng = np.random.default_rng(loop_seed(config))
    seq, loop = list(ids), {"tokens": [], "top": [], "probs": [], "rest": []}
    for _ in range(LOOP_STEPS):
        p = next_probs(seq[-cfg.n_ctx :], 1.0)
        u = rng.random() * p.sum()
        token = next((i for i, c in enumerate(np.cumsum(p)) if c > u), len(p) - 1)
        ranked = sorted(range(len(p)), key=lambda i: (-p[i], i))
        best = ranked[:TOP_WORDS] if token in ranked[:TOP_WORDS] else ranked[: TOP_WORDS - 1] + [token]
        loop["top"].append(best)
        loop["probs"].append([p[i] for i in best])
        loop["rest"].append(sum(p[i] for i in range(len(p)) if i not in best))
        loop["tokens"].append(token)
        seq.append(token)
    values.update({f"loop.{name}": value for name, value in loop.items()})
    return with_vocabulary(as_arrays(values), corpus)


def grammar_templates() -> list[list[set[str]]]:
    """Every sentence shape the grammar makes, as the set of words allowed at each place: per kind,
    with or without a colour, with or without a place."""
    c = corpus_mod
    shapes = []
    for kind in c.KINDS.values():
        for colour in (False, True):
            for place in (False, True):
                shape = [set(c.DETERMINERS), set(kind["adjectives"])] + ([set(c.COLOURS)] if colour else []) + [set(c.NOUNS), set(kind["verbs"])]
                if place:
                    shape += [set(c.PREPOSITIONS), {"the"}, set(c.PLACE_ADJECTIVES), set(kind["places"])]
                shapes.append(shape + [{c.END}])
    return shapes


def reference_grammatical(words: list[str]) -> bool:
    """Whether words are whole sentences of the grammar and then the start of one: each sentence matched
    against the sentence shapes."""
    shapes = grammar_templates()
    sentences, current = [], []
    for word in words:
        current.append(word)
        if word == corpus_mod.END:
            sentences.append(current)
            current = []

    def fits(part: list[str], whole: bool) -> bool:
        return any(
            (len(part) == len(shape) if whole else len(part) < len(shape)) and all(w in allowed for w, allowed in zip(part, shape))
            for shape in shapes
        )

    return all(fits(s, True) for s in sentences) and fits(current, False)


def reference_counts(w: dict[str, torch.Tensor], n_layers: int) -> dict[str, int]:
    size = {k: int(np.prod(v.shape)) for k, v in w.items()}
    out = {"W_E": size["W_E"], "W_pos": size["W_pos"], "W_U": size["W_U"], "total": sum(size.values())}
    for l in range(n_layers):
        out[f"blocks.{l}.attn"] = sum(v for k, v in size.items() if k.startswith(f"blocks.{l}.attn."))
        out[f"blocks.{l}.mlp"] = sum(v for k, v in size.items() if k.startswith(f"blocks.{l}.mlp."))
    return out


def reference_gpt3(s: dict[str, int] = GPT3) -> dict[str, int]:
    """GPT-3's counts again (or those at the sizes ``s``), by hand from the shapes this model's matrices
    have (see :mod:`netreel.nets.gpt`)."""
    d = s["d_model"]
    parts = {
        "W_E": s["n_vocab"] * d,
        "W_pos": s["n_ctx"] * d,
        "attn": 4 * s["n_heads"] * d * s["d_head"],  # W_Q, W_K, W_V [head, d_model, d_head]; W_O [head, d_head, d_model]
        "mlp": d * s["d_mlp"] + s["d_mlp"] + s["d_mlp"] * d + d,  # W_in, b_in, W_out, b_out
        "W_U": d * s["n_vocab"],
    }
    parts["total"] = parts["W_E"] + parts["W_pos"] + parts["W_U"] + s["n_layers"] * (parts["attn"] + parts["mlp"])
    return {**{f"gpt3.{name}": value for name, value in s.items()}, **{f"gpt3.params.{k}": v for k, v in parts.items()}}


def reference_loss(w: dict[str, torch.Tensor], corpus: corpus_mod.Corpus, cfg: gpt.GPTConfig) -> float:
    """Held-out cross-entropy by the plain forward, in float64."""
    tokens = torch.from_numpy(corpus.test)
    logits = plain_forward(w, tokens[:, :-1], cfg.n_layers, cfg.n_heads)["logits"]  # [n, n_ctx, vocab]
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    return float(-log_probs.gather(-1, tokens[:, 1:, None]).mean())


def reference_directions(embeddings: np.ndarray, corpus: corpus_mod.Corpus, prompt: list[int]) -> dict[str, object]:
    """The analogies again, word by word: for each part, kind and ordered pair (a, c) of that kind, every b
    of another kind, the nearest word to E_c + E_b - E_a by cosine over the vocabulary."""
    index, words = corpus.vocab.index, corpus.vocab.words
    unit = [v / np.sqrt(v @ v) for v in embeddings]
    asked, right, found = [], [], {}
    for part in PARTS:
        asked.append(0)
        right.append(0)
        for name, kind in corpus_mod.KINDS.items():
            for a in kind[part]:
                for c in kind[part]:
                    if a == c:
                        continue
                    for other, other_kind in corpus_mod.KINDS.items():
                        for b in other_kind[part] if other != name else []:
                            target = embeddings[index[c]] + embeddings[index[b]] - embeddings[index[a]]
                            target = target / np.sqrt(target @ target)
                            scores = [(float(target @ u), -j) for j, u in enumerate(unit) if words[j] not in (a, b, c)]
                            score, minus_token = max(scores)  # the first token among equals, as argmax
                            found[a, b, c] = (-minus_token, score)
                            asked[-1] += 1
                            right[-1] += words[-minus_token] in other_kind[part]
    kinded = [words[t] for t in dict.fromkeys(prompt) if corpus_mod.kind_of(words[t])]
    same = [(a, b) for a in kinded for b in kinded
            if corpus_mod.part_of_speech(a) == corpus_mod.part_of_speech(b) and corpus_mod.kind_of(a) != corpus_mod.kind_of(b)]
    a, b = same[0] if same else next(iter(found))[:2]
    answers = {c: found[a, b, c] for (x, y, c) in found if (x, y) == (a, b)}
    good = {c: v for c, v in answers.items() if corpus_mod.kind_of(words[v[0]]) == corpus_mod.kind_of(b)
            and corpus_mod.part_of_speech(words[v[0]]) == corpus_mod.part_of_speech(b)}
    c = max(good, key=lambda c: good[c][1]) if good else next(iter(answers))
    return {
        "direction.example": [index[a], index[b], index[c], answers[c][0]],
        "direction.example_right": int(bool(good)),
        "direction.cosine": answers[c][1],
        "direction.asked": asked, "direction.right": right,
        "direction.asked_all": sum(asked), "direction.right_all": sum(right),
    }


def reference_pca(embeddings: np.ndarray) -> dict[str, np.ndarray]:
    """PCA by the SVD of the centred embeddings, same sign rule."""
    centred = embeddings - embeddings.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2].T  # [d_model, 2]
    signs = np.sign(axes[np.abs(axes).argmax(axis=0), [0, 1]])
    return {
        "pca.coords": centred @ (axes * signs), "pca.explained": s[:2] ** 2 / (s**2).sum(),
        "pca.origin": (np.zeros(embeddings.shape[1]) - embeddings.mean(axis=0)) @ (axes * signs),
    }


def reference_pairs(embeddings: np.ndarray, prompt: list[int]) -> np.ndarray:
    n = len(embeddings)
    norms = np.sqrt((embeddings**2).sum(axis=1))
    cos = {(i, j): float(embeddings[i] @ embeddings[j] / norms[i] / norms[j]) for i in range(n) for j in range(n) if i != j}
    words = list(dict.fromkeys(prompt))
    closest = {i: max(range(n), key=lambda j: (cos.get((i, j), -np.inf), -j)) for i in words}
    anchor = max(words, key=lambda i: (cos[i, closest[i]], -words.index(i)))
    others = [i for i in words if i != anchor] or [j for j in range(n) if j != anchor]
    farthest = min(others, key=lambda i: (cos[anchor, i], others.index(i)))
    return np.array([[anchor, closest[anchor]], [anchor, farthest]])


def summary(config: NetConfig) -> list[tuple[str, str]]:
    corpus = corpus_of(config)
    net = trained(config, corpus)
    cfg = net.model.cfg
    role = roles.measure(net.model, corpus)
    history = net.history
    floor = "" if corpus.floor is None else f"; the grammar's floor {corpus.floor:.4f}"
    kept = "" if history.best_step == cfg.steps else f"; weights of step {history.best_step}, where the validation loss was lowest"
    what = {
        roles.ADJECTIVE: f"a noun's query puts {role.score:.1%} of its attention on its own adjective ({role.count:,} held-out nouns)",
        roles.PREVIOUS: f"each token puts {role.score:.1%} of its attention on the token before it ({role.count:,} held-out tokens)",
    }[role.kind]
    best_previous = np.unravel_index(np.argmax(role.previous), role.previous.shape)
    return [
        ("corpus", f"{corpus.name}: {len(corpus.vocab):,}-word vocabulary; {len(corpus.train):,} training, {len(corpus.valid):,} validation, {len(corpus.test):,} held-out sequences of {cfg.n_ctx + 1} tokens"),
        ("network", f"{cfg.n_layers} blocks, d_model {cfg.d_model}, {cfg.n_heads} heads of d_head {cfg.d_head}, MLP {cfg.d_mlp} (ReLU)"),
        ("parameters", f"{net.model.n_params():,}"),
        ("steps, batch, learning rate", f"{cfg.steps}, {cfg.batch_size}, {cfg.lr}"),
        ("held-out loss", f"{history.kept_test_loss:.4f} nats/token (untrained {history.test_loss[0]:.4f}{floor}{kept})"),
        ("head role", f"layer {role.layer + 1}, head {role.head + 1} (blocks.{role.layer}.attn, head index {role.head}): {what}"),
        ("best previous-token head", f"layer {best_previous[0] + 1}, head {best_previous[1] + 1}: {role.previous.max():.1%}"),
        ("training time", f"{net.record['train_seconds']:.1f} s"),
        ("cache key", net.record["key"]),
    ]

