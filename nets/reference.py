"""The transformer's forward pass written out in plain tensor algebra, for the facts' references.

Chapters 6 and 7 recompute every number they show from the stored weights by
:func:`plain_forward`, head by head, without the model's ``forward()``: a route
independent of the code it checks. It names what it returns by :mod:`netreel.nets.names`,
the model's hook names, so the two can be compared key by key.
"""

from __future__ import annotations

import math

import torch

from netreel.nets import gpt
from netreel.nets.names import act

PER_HEAD = ("q", "k", "v", "attn_scores", "pattern", "z", "result")  # what each head computes, in this order


def stored_weights(net: gpt.TrainedGPT) -> dict[str, torch.Tensor]:
    """The trained weights as float64, read from the state_dict (not through the model's modules)."""
    return {k: v.double() for k, v in net.model.state_dict().items()}


def plain_forward(
    w: dict[str, torch.Tensor], tokens: torch.Tensor, n_layers: int, n_heads: int
) -> dict[str, torch.Tensor]:
    """The forward pass in plain algebra, head by head, for a batch of token ids [b, n].

    Returns the same names as the model's hooks (batch dim kept), and ``logits``.
    """
    b, n = tokens.shape
    one_hot = torch.zeros(b, n, w["W_E"].shape[0], dtype=torch.float64)
    one_hot[torch.arange(b)[:, None], torch.arange(n)[None, :], tokens] = 1.0
    out = {act("embed"): one_hot @ w["W_E"], act("pos_embed"): w["W_pos"][:n].expand(b, n, -1)}
    x = out[act("embed")] + out[act("pos_embed")]  # [b, n, d_model]
    future = torch.arange(n)[None, :] > torch.arange(n)[:, None]  # [q, k]
    for l in range(n_layers):
        out[act("resid_pre", l)] = x
        per_head: dict[str, list[torch.Tensor]] = {name: [] for name in PER_HEAD}
        for h in range(n_heads):
            q = x @ w[act("W_Q", l)][h]  # [b, n, d_head]
            k = x @ w[act("W_K", l)][h]
            v = x @ w[act("W_V", l)][h]
            scores = (q @ k.transpose(1, 2)) / math.sqrt(q.shape[-1])  # [b, q, k]
            scores = torch.where(future, torch.tensor(-math.inf, dtype=torch.float64), scores)
            e = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
            pattern = e / e.sum(dim=-1, keepdim=True)  # [b, q, k]
            z = pattern @ v  # [b, n, d_head]
            for name, t in zip(per_head, (q, k, v, scores, pattern, z, z @ w[act("W_O", l)][h])):
                per_head[name].append(t)
        for name in ("q", "k", "v", "z", "result"):
            out[act(name, l)] = torch.stack(per_head[name], dim=2)  # [b, n, head, ...]
        for name in ("attn_scores", "pattern"):
            out[act(name, l)] = torch.stack(per_head[name], dim=1)  # [b, head, q, k]
        attn_out = out[act("result", l)].sum(dim=2)
        out[act("attn_out", l)] = attn_out
        x = x + attn_out
        out[act("resid_mid", l)] = x
        pre = x @ w[act("W_in", l)] + w[act("b_in", l)]  # [b, n, d_mlp]
        post = pre * (pre > 0)
        mlp_out = post @ w[act("W_out", l)] + w[act("b_out", l)]
        out.update({act("mlp_pre", l): pre, act("mlp_post", l): post, act("mlp_out", l): mlp_out})
        x = x + mlp_out
        out[act("resid_post", l)] = x
    out["logits"] = x @ w["W_U"]
    return out
