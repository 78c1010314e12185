"""The one home of the names recorded tensors and facts go by (no torch here).

Models record tensors under their module path and hook (``layers.1.hook_a`` in the
MLP, ``blocks.0.attn.hook_pattern`` in the transformer), and each chapter's facts
module declares the keys it builds (its ``KEYS``). Code that needs one of those
names asks here instead of writing the string, as TransformerLens' ``get_act_name``
does, so a renamed hook fails where the name is made, not when a scene is audited.

>>> act("pattern", 0)
'blocks.0.attn.hook_pattern'
>>> layer(2, "hook_a")
'layers.2.hook_a'
>>> key(("resid_pre", 1))
'blocks.1.hook_resid_pre'
>>> matches("blocks.{layer}.attn.hook_q", "blocks.1.attn.hook_q")
True

Given a placeholder instead of a number, ``act`` and ``layer`` make the key pattern
a facts module declares:

>>> act("q", "{layer}")
'blocks.{layer}.attn.hook_q'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Key = str | tuple  # a full name, or (short name, layer) of the transformer

# The transformer's tensors by TransformerLens' short names (nets/gpt.py records them).
TRANSFORMER = {
    "embed": "hook_embed",
    "pos_embed": "hook_pos_embed",
    "resid_pre": "blocks.{layer}.hook_resid_pre",
    "attn_out": "blocks.{layer}.hook_attn_out",
    "resid_mid": "blocks.{layer}.hook_resid_mid",
    "mlp_out": "blocks.{layer}.hook_mlp_out",
    "resid_post": "blocks.{layer}.hook_resid_post",
    "q": "blocks.{layer}.attn.hook_q",
    "k": "blocks.{layer}.attn.hook_k",
    "v": "blocks.{layer}.attn.hook_v",
    "attn_scores": "blocks.{layer}.attn.hook_attn_scores",
    "pattern": "blocks.{layer}.attn.hook_pattern",
    "z": "blocks.{layer}.attn.hook_z",
    "result": "blocks.{layer}.attn.hook_result",
    "mlp_pre": "blocks.{layer}.mlp.hook_pre",
    "mlp_post": "blocks.{layer}.mlp.hook_post",
    "W_Q": "blocks.{layer}.attn.W_Q",
    "W_K": "blocks.{layer}.attn.W_K",
    "W_V": "blocks.{layer}.attn.W_V",
    "W_O": "blocks.{layer}.attn.W_O",
    "W_in": "blocks.{layer}.mlp.W_in",
    "b_in": "blocks.{layer}.mlp.b_in",
    "W_out": "blocks.{layer}.mlp.W_out",
    "b_out": "blocks.{layer}.mlp.b_out",
}

# What each layer of the digit MLP holds (nets/mlp.py): pre-activation, activation, parameters.
LAYER_TENSORS = ("hook_z", "hook_a", "weight", "bias")
INPUT = "hook_input"

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def act(name: str, layer: int | str | None = None) -> str:
    """The transformer's tensor ``name`` (a TransformerLens short name) in block ``layer`` (or a placeholder)."""
    try:
        pattern = TRANSFORMER[name]
    except KeyError:
        raise KeyError(f"no transformer tensor named {name!r}; known: {', '.join(TRANSFORMER)}") from None
    if ("{layer}" in pattern) != (layer is not None):
        wanted = "per block: give its layer" if layer is None else "not per block: give no layer"
        raise KeyError(f"{name!r} is {wanted}")
    return pattern.format(layer=layer)


def layer(index: int | str, tensor: str) -> str:
    """The digit MLP's ``tensor`` (one of :data:`LAYER_TENSORS`) in layer ``index`` (or a placeholder)."""
    if tensor not in LAYER_TENSORS:
        raise KeyError(f"an MLP layer holds no {tensor!r}; it holds {', '.join(LAYER_TENSORS)}")
    return f"layers.{index}.{tensor}"


def key(name: Key) -> str:
    """A fact's full key: itself when a string, ``act(*name)`` when a (short name, layer) pair."""
    return name if isinstance(name, str) else act(*name)


def bindings(pattern: str, name: str) -> dict[str, str] | None:
    """The whole number each ``{placeholder}`` of ``pattern`` stands for in ``name``; None when it does not match.

    >>> bindings("layers.{layer}.hook_a", "layers.2.hook_a")
    {'layer': '2'}
    """
    parts = _PLACEHOLDER.split(pattern)
    found = re.fullmatch(r"(\d+)".join(map(re.escape, parts)), name)
    return None if found is None else dict(zip((p[1:-1] for p in _PLACEHOLDER.findall(pattern)), found.groups()))


def matches(pattern: str, name: str) -> bool:
    """Whether ``name`` is ``pattern`` with each ``{placeholder}`` standing for a whole number."""
    return bindings(pattern, name) is not None


def undeclared(names: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """The names that no pattern of ``patterns`` declares."""
    patterns = list(patterns)
    return sorted(n for n in names if not any(matches(p, n) for p in patterns))


def unused(patterns: Iterable[str], names: Iterable[str]) -> list[str]:
    """The patterns that declare none of ``names``."""
    names = list(names)
    return [p for p in patterns if not any(matches(p, n) for n in names)]
