"""The numbers each chapter shows, and an independent recomputation of them.

A chapter's facts module has two functions,

``build(config) -> Facts``
    runs the real networks (``run_with_cache``) and gathers every array the
    chapter's scenes read, each under a name;
``reference(config) -> dict[str, np.ndarray]``
    recomputes the same names by a different route (plain tensor algebra on the
    stored weights, autograd, a fresh count), for the truth ledger's audit.

and declares its keys in ``KEYS``: patterns of :mod:`netreel.nets.names`, with a
``{placeholder}`` for each number that repeats (layer, sample, snapshot), and what each
holds in ``MEANINGS`` (``netreel info CHAPTER --facts`` prints them). A key that
``reference`` may leave out is named in ``NOT_RECOMPUTED`` with its reason
(tests/test_facts_keys.py holds every chapter to all three).

Scenes only read facts; the audit compares what they showed with the reference.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from netreel.nets import names
from netreel.nets.config import DEFAULT_DATASET, NetConfig


VOCABULARY = "vocab.words"
"""In a reference of the transformer's chapters: every token's word, made again from the corpus (the
facts keep theirs in ``meta``), so a word drawn on screen is checked like a number."""


@dataclass
class Facts:
    """Named arrays (what scenes may show) plus JSON-able metadata (words, tokens)."""

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)

    def __getitem__(self, key: names.Key) -> np.ndarray:
        """A fact by its full key, or by (short name, layer) of the transformer: ``facts["pattern", 0]``."""
        full = names.key(key)
        if full not in self.arrays:
            raise KeyError(f"no fact named {full!r}; known: {', '.join(sorted(self.arrays))}")
        return self.arrays[full]

    def __contains__(self, key: names.Key) -> bool:
        return names.key(key) in self.arrays

    def digest(self) -> str:
        """A hash of every array and the metadata: equal digests, equal scenes."""
        h = hashlib.sha256()
        for key in sorted(self.arrays):
            array = np.ascontiguousarray(self.arrays[key])
            h.update(key.encode())
            h.update(str(array.dtype).encode() + str(array.shape).encode())
            h.update(array.tobytes())
        h.update(repr(sorted(self.meta.items())).encode())
        return h.hexdigest()[:16]


def as_arrays(values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every value as a float64 numpy array (ints and counts included)."""
    return {k: np.asarray(v.detach().numpy() if hasattr(v, "detach") else v, dtype=np.float64) for k, v in values.items()}


def _module(name: str):
    return importlib.import_module(f"netreel.nets.facts.{name}")


def _config(module, config: NetConfig) -> NetConfig:
    """``config`` with the module's own data set (``DATASET``, MNIST when it names none) unless
    the user chose one."""
    return config.defaulting_to(getattr(module, "DATASET", DEFAULT_DATASET))


def build(name: str, config: NetConfig) -> Facts:
    module = _module(name)
    return module.build(_config(module, config))


def reference(name: str, config: NetConfig) -> dict[str, np.ndarray]:
    module = _module(name)
    return module.reference(_config(module, config))


def summary(name: str, config: NetConfig) -> list[tuple[str, str]]:
    """Labelled figures of a chapter's networks, for ``netreel info``."""
    module = _module(name)
    return module.summary(_config(module, config))


def described(name: str, facts: Facts) -> list[tuple[str, np.ndarray, str]]:
    """Every fact of module ``name``, in the order it declares them: (key, array, what it holds)."""
    module = _module(name)
    rows = []
    for pattern in module.KEYS:
        for key in sorted(facts.arrays, key=lambda k: [int(p) if p.isdigit() else p for p in k.split(".")]):
            fills = names.bindings(pattern, key)
            if fills is not None:
                rows.append((key, facts.arrays[key], module.MEANINGS[pattern].format(**fills)))
    return rows
