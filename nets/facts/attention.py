"""Chapter 7 (Attention): queries, keys, the masked softmax, values, heads, and the low-rank OV map.

The chapter follows one head on the prompt: the head whose role, measured on
held-out text, is strongest (:mod:`netreel.nets.roles`). Its layer's input is the
residual stream entering that block.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from netreel.nets import corpus as corpus_mod
from netreel.nets import names, roles
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.reference import plain_forward, stored_weights
from netreel.nets.facts.gpt import DIMS_KEYS, DIMS_MEANINGS, GPT3, MODEL_KEYS, MODEL_MEANINGS, dims, gpt3_model, meta, prompt_and_net, reference_dims, with_vocabulary
from netreel.nets.facts.gpt import summary as gpt_summary

RANK_TOLERANCE = 1e-9  # singular values below this fraction of the largest count as zero

KEYS = (
    *MODEL_KEYS, *DIMS_KEYS,
    "prompt.tokens", "prompt.length", "positions", "sqrt_d_head", "scores.dot", "scores.scaled",
    "focus.layer", "focus.head", "focus.layer_number", "focus.head_number", "focus.query", "focus.key",
    "role.scores", "role.previous", "role.score", "role.count",
    "ov.matrix", "ov.singular", "ov.rank", "qk.matrix", "qk.singular", "qk.rank", "qk.bilinear",
    "role.pairs", "role.pair_weights", "plane.queries", "plane.keys", "plane.share",
    "params.head", "params.layer", "params.matrices",
    "values.weighted", "heads.z", "heads.stacked", "heads.W_O", "heads.parts", "heads.delta",
    "gpt3.generation", "gpt3.d_model", "gpt3.d_head", "gpt3.n_heads", "gpt3.n_layers", "gpt3.params.head", "gpt3.params.layer", "gpt3.params.layers",
)

MEANINGS = {
    **MODEL_MEANINGS,
    **DIMS_MEANINGS,
    "prompt.tokens": "the prompt's token ids",
    "prompt.length": "how many tokens the prompt has",
    "positions": "the prompt's positions, from 0",
    "sqrt_d_head": "√d_head, what the dot products are divided by",
    "scores.dot": "the followed block's query-key dot products, [head, query, key]",
    "scores.scaled": "the same divided by √d_head, before the mask",
    "focus.layer": "the block followed, from 0",
    "focus.head": "the head followed, from 0",
    "focus.layer_number": "the block followed, as shown from 1",
    "focus.head_number": "the head followed, as shown from 1",
    "focus.query": "the query position followed",
    "focus.key": "the key position it attends to most",
    "role.scores": "each head's measured score for the role, [block, head]",
    "role.previous": "each head's attention on the previous token, [block, head]",
    "role.score": "the followed head's score for its role",
    "role.count": "how many cases the role is measured on",
    "ov.matrix": "the followed head's W_OV = W_V W_O, [d_model, d_model]",
    "ov.singular": "its singular values, largest first",
    "ov.rank": "its rank",
    "qk.matrix": "the followed head's W_QK = W_Q W_Kᵀ, [d_model, d_model]",
    "qk.singular": "its singular values, largest first",
    "qk.rank": "its rank",
    "qk.bilinear": "the query token's stream times W_QK times the key token's: the unscaled score",
    "role.pairs": "the prompt's cases of the role, [case, (query position, key position)]: each noun and its own adjective, or each token and the one before",
    "role.pair_weights": "the followed head's attention weight on each of those cases",
    "plane.queries": "the followed head's queries on the prompt in the plane of the two top singular directions of its stacked queries and keys, [n, 2]",
    "plane.keys": "its keys in the same plane, [n, 2]",
    "plane.share": "the share of the stacked queries' and keys' squared length that plane holds",
    "params.head": "one head's attention weights: W_Q, W_K, W_V and W_O, each d_model × d_head",
    "params.layer": "one layer's attention weights, all its heads together",
    "params.matrices": "how many weight matrices each head has, counted",
    "values.weighted": "each token's value for the followed head scaled by the followed query's weight on it, [key, d_head]: their sum is the head's z",
    "heads.z": "every head of the followed layer: its pattern-weighted values for the followed query, [head, d_head]",
    "heads.stacked": "those stacked head after head, [n_heads * d_head]",
    "heads.W_O": "the layer's output matrix, every head's W_O stacked head after head, [n_heads * d_head, d_model]",
    "heads.parts": "each head's change for the followed query, its z through its own block of W_O, [head, d_model]",
    "heads.delta": "the stacked z through the whole W_O: the layer's attention output for the followed query, [d_model]",
    "gpt3.generation": "which GPT the published sizes are of: GPT-3 (Brown et al. 2020)",
    "gpt3.d_model": "GPT-3's d_model, as published",
    "gpt3.d_head": "GPT-3's d_head, as published",
    "gpt3.n_heads": "GPT-3's heads per layer, as published",
    "gpt3.n_layers": "GPT-3's layers, as published",
    "gpt3.params.head": "one head's attention weights counted on this model's attention built at GPT-3's sizes",
    "gpt3.params.layer": "one layer's attention weights at GPT-3's sizes, counted the same way",
    "gpt3.params.layers": "the attention weights of all of GPT-3's layers",
}
"""What each of :data:`KEYS` holds (``netreel info attention --facts``)."""


def plane(q: np.ndarray, k: np.ndarray, query: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Queries and keys [n, d_head] in the plane of the top two right singular vectors of both stacked,
    each direction signed so that the followed query's coordinate is not negative; and the plane's share."""
    stacked = np.concatenate([q, k])
    _, s, vt = np.linalg.svd(stacked, full_matrices=False)
    directions = vt[:2] * np.where(q[query] @ vt[:2].T < 0, -1.0, 1.0)[:, None]
    return q @ directions.T, k @ directions.T, float((s[:2] ** 2).sum() / (s**2).sum())


def build(config: NetConfig) -> Facts:
    ids, corpus, net = prompt_and_net(config)
    model = net.model.double()
    cfg = model.cfg
    role = roles.measure(model, corpus)
    layer, head = role.layer, role.head
    _, cache = model.run_with_cache(torch.tensor([ids]))
    acts = {name: t[0] for name, t in cache.items()}  # drop the batch dim
    attn = model.blocks[layer].attn
    q, k = acts[names.act("q", layer)], acts[names.act("k", layer)]  # [n, head, d_head]
    dot = torch.einsum("qhe,khe->hqk", q, k)  # [head, q, k]
    query = len(ids) - 1
    key = int(acts[names.act("pattern", layer)][head, query].argmax())
    ov, qk = attn.OV, attn.QK
    _, ov_s, _ = ov.svd()
    _, qk_s, _ = qk.svd()
    x = acts[names.act("resid_pre", layer)]  # [n, d_model]
    pattern = acts[names.act("pattern", layer)][head]  # [q, k]
    words = corpus.vocab.decode(ids)
    if role.kind == roles.ADJECTIVE:
        pairs = roles.noun_adjective_pairs(words)
    else:
        pairs = [(i, i - 1) for i in range(1, len(ids))]
    pair_array = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    plane_q, plane_k, share = plane(q[:, head].numpy(), k[:, head].numpy(), query)
    weights = head_matrices(attn)
    z_query = acts[names.act("z", layer)][query]  # [head, d_head]
    w_o = attn.W_O.detach()  # [head, d_head, d_model]
    stacked, w_o_stacked = z_query.reshape(-1), w_o.reshape(-1, cfg.d_model)
    values: dict[str, object] = {**acts, **dict(model.state_dict()), **dims(cfg)}
    values.update(
        {
            "prompt.tokens": ids,
            "prompt.length": len(ids),
            "positions": np.arange(len(ids)),
            "sqrt_d_head": math.sqrt(cfg.d_head),
            "scores.dot": dot,
            "scores.scaled": dot / math.sqrt(cfg.d_head),
            "focus.layer": layer,
            "focus.head": head,
            "focus.layer_number": layer + 1,
            "focus.head_number": head + 1,
            "focus.query": query,
            "focus.key": key,
            "role.scores": role.scores,
            "role.previous": role.previous,
            "role.score": role.score,
            "role.count": role.count,
            "ov.matrix": ov.AB[head],
            "ov.singular": ov_s[head],
            "ov.rank": int(torch.linalg.matrix_rank(ov.AB[head])),
            "qk.matrix": qk.AB[head],
            "qk.singular": qk_s[head],
            "qk.rank": int(torch.linalg.matrix_rank(qk.AB[head])),
            "qk.bilinear": x[query] @ qk.AB[head] @ x[key],
            "role.pairs": pair_array,
            "role.pair_weights": [float(pattern[i, j]) for i, j in pairs],
            "plane.queries": plane_q,
            "plane.keys": plane_k,
            "plane.share": share,
            "params.head": sum(w[head].numel() for w in weights),
            "params.layer": sum(w.numel() for w in weights),
            "params.matrices": len(weights),
            "values.weighted": pattern[query][:, None] * acts[names.act("v", layer)][:, head],
            "heads.z": z_query,
            "heads.stacked": stacked,
            "heads.W_O": w_o_stacked,
            "heads.parts": torch.einsum("he,hed->hd", z_query, w_o),
            "heads.delta": stacked @ w_o_stacked,
            **gpt3_attention_counts(),
        }
    )
    return Facts(as_arrays(values), {**meta(net, corpus, ids), "role": role.kind})


def head_matrices(attn) -> list:
    """An attention block's weight matrices, [head, ...] each: W_Q, W_K, W_V, W_O."""
    return [attn.W_Q, attn.W_K, attn.W_V, attn.W_O]


def gpt3_attention_counts() -> dict[str, int]:
    """The attention of this model built at GPT-3's published sizes, its weights counted as the tiny
    model's are: one head's, one layer's, all layers'."""
    model = gpt3_model()
    weights = head_matrices(model.blocks[0].attn)
    return {
        "gpt3.generation": GPT3["generation"],
        **{f"gpt3.{name}": getattr(model.cfg, name) for name in ("d_model", "d_head", "n_heads", "n_layers")},
        "gpt3.params.head": sum(w[0].numel() for w in weights),
        "gpt3.params.layer": sum(w.numel() for w in weights),
        "gpt3.params.layers": sum(w.numel() for block in model.blocks for w in head_matrices(block.attn)),
    }


def reference_gpt3_attention() -> dict[str, int]:
    """The same counts by hand: four d_model × d_head matrices a head."""
    d, e, h, n = (GPT3[name] for name in ("d_model", "d_head", "n_heads", "n_layers"))
    return {
        "gpt3.generation": GPT3["generation"], "gpt3.d_model": d, "gpt3.d_head": e, "gpt3.n_heads": h, "gpt3.n_layers": n,
        "gpt3.params.head": 4 * d * e, "gpt3.params.layer": 4 * d * e * h, "gpt3.params.layers": 4 * d * e * h * n,
    }


def reference_role(patterns: np.ndarray, corpus: corpus_mod.Corpus) -> tuple[str, np.ndarray, np.ndarray, int]:
    """Role scores from patterns [layer, seq, head, q, k] of the held-out sequences, walking back from each noun."""
    n = patterns.shape[-1]
    previous = patterns[..., np.arange(1, n), np.arange(n - 1)].mean(axis=(1, 3))  # [layer, head]
    if corpus.name != corpus_mod.GRAMMAR:
        return roles.PREVIOUS, previous, previous, patterns.shape[1] * (n - 1)
    nouns, adjectives = set(corpus_mod.NOUNS), {a for kind in corpus_mod.KINDS.values() for a in kind["adjectives"]}
    weights = []
    for b, row in enumerate(corpus.test[:, :-1]):
        words = corpus.vocab.decode(row)
        for i, word in enumerate(words):
            if word not in nouns:
                continue
            j = i - 1
            while j >= 0 and words[j] not in adjectives and words[j] != corpus_mod.END:
                j -= 1
            if j >= 0 and words[j] in adjectives:
                weights.append(patterns[:, b, :, i, j])
    return roles.ADJECTIVE, np.mean(weights, axis=0), previous, len(weights)


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """Every fact again: the plain forward on the stored weights, numpy SVDs, a fresh walk over the held-out nouns."""
    ids, corpus, net = prompt_and_net(config)
    cfg = net.model.cfg
    w = stored_weights(net)
    held_out = plain_forward(w, torch.from_numpy(corpus.test[:, :-1]), cfg.n_layers, cfg.n_heads)
    patterns = np.stack([held_out[names.act("pattern", l)].numpy() for l in range(cfg.n_layers)])
    _, scores, previous, count = reference_role(patterns, corpus)
    layer, head = (int(i) for i in np.unravel_index(np.argmax(scores), scores.shape))
    run = {k: v[0] for k, v in plain_forward(w, torch.tensor([ids]), cfg.n_layers, cfg.n_heads).items()}
    run.pop("logits")
    x = run[names.act("resid_pre", layer)].numpy()  # [n, d_model]
    W_Q, W_K = w[names.act("W_Q", layer)].numpy(), w[names.act("W_K", layer)].numpy()  # [head, d_model, d_head]
    q = np.einsum("nd,hde->hne", x, W_Q)
    k = np.einsum("nd,hde->hne", x, W_K)
    dot = np.einsum("hqe,hke->hqk", q, k)
    query = len(ids) - 1
    key = int(np.argmax(run[names.act("pattern", layer)][head, query].numpy()))
    ov = w[names.act("W_V", layer)][head].numpy() @ w[names.act("W_O", layer)][head].numpy()  # [d_model, d_model]
    qk = W_Q[head] @ W_K[head].T
    ov_s = np.linalg.svd(ov, compute_uv=False)
    qk_s = np.linalg.svd(qk, compute_uv=False)
    pattern = run[names.act("pattern", layer)][head].numpy()
    words = corpus.vocab.decode(ids)
    if corpus.name == corpus_mod.GRAMMAR:  # every noun, walking back to the nearest adjective of its sentence
        adjectives = {a for kind in corpus_mod.KINDS.values() for a in kind["adjectives"]}
        pairs = []
        for i, word in enumerate(words):
            j = i - 1
            while word in corpus_mod.NOUNS and j >= 0 and words[j] not in adjectives and words[j] != corpus_mod.END:
                j -= 1
            if word in corpus_mod.NOUNS and j >= 0 and words[j] in adjectives:
                pairs.append((i, j))
    else:
        pairs = [(i, i - 1) for i in range(1, len(ids))]
    # the plane again, from the eigenvectors of the 8x8 Gram matrix of the stacked queries and keys
    qh, kh = q[head], k[head]  # [n, d_head]
    stacked = np.concatenate([qh, kh])
    eigen, vectors = np.linalg.eigh(stacked.T @ stacked)
    top = vectors[:, ::-1][:, :2]  # [d_head, 2], largest first
    top = top * np.sign(qh[query] @ top)
    n_params = {"head": 0, "layer": 0, "matrices": 4}
    for name in ("W_Q", "W_K", "W_V", "W_O"):
        n_params["head"] += int(np.prod(w[names.act(name, layer)].shape[1:]))
        n_params["layer"] += int(np.prod(w[names.act(name, layer)].shape))
    v_all = x @ w[names.act("W_V", layer)].numpy()  # [head, n, d_head]
    z_all = np.einsum("hk,hke->he", run[names.act("pattern", layer)][:, query].numpy(), v_all)  # [head, d_head]
    w_o = w[names.act("W_O", layer)].numpy()  # [head, d_head, d_model]
    parts = np.stack([z_all[h] @ w_o[h] for h in range(cfg.n_heads)])
    values: dict[str, object] = {**run, **w}
    values.update(reference_dims(cfg))
    values.update(
        {
            "prompt.tokens": ids,
            "prompt.length": len(ids),
            "positions": list(range(len(ids))),
            "sqrt_d_head": cfg.d_head**0.5,
            "scores.dot": dot,
            "scores.scaled": dot / cfg.d_head**0.5,
            "focus.layer": layer,
            "focus.head": head,
            "focus.layer_number": layer + 1,
            "focus.head_number": head + 1,
            "focus.query": query,
            "focus.key": key,
            "role.scores": scores,
            "role.previous": previous,
            "role.score": scores[layer, head],
            "role.count": count,
            "ov.matrix": ov,
            "ov.singular": ov_s,
            "ov.rank": int(np.sum(ov_s > RANK_TOLERANCE * ov_s[0])),
            "qk.matrix": qk,
            "qk.singular": qk_s,
            "qk.rank": int(np.sum(qk_s > RANK_TOLERANCE * qk_s[0])),
            "qk.bilinear": float(x[query] @ qk @ x[key]),
            "role.pairs": np.array(pairs, dtype=np.float64).reshape(-1, 2),
            "role.pair_weights": [float(pattern[i, j]) for i, j in pairs],
            "plane.queries": qh @ top,
            "plane.keys": kh @ top,
            "plane.share": float(eigen[::-1][:2].sum() / eigen.sum()),
            "params.head": n_params["head"],
            "params.layer": n_params["layer"],
            "params.matrices": n_params["matrices"],
            "values.weighted": pattern[query][:, None] * v_all[head],
            "heads.z": z_all,
            "heads.stacked": np.concatenate(list(z_all)),
            "heads.W_O": np.concatenate(list(w_o)),
            "heads.parts": parts,
            "heads.delta": parts.sum(axis=0),
            **reference_gpt3_attention(),
        }
    )
    return with_vocabulary(as_arrays(values), corpus)



def summary(config: NetConfig) -> list[tuple[str, str]]:
    """The figures of Chapter 6: both chapters run the same network."""
    return gpt_summary(config)
