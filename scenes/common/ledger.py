"""The truth ledger: the only way a number, or a size or colour derived from one, reaches the screen.

Every call records ``(fact key, index, value, what was shown)``. The audit
(:mod:`netreel.render.audit`) recomputes each entry from the network by an independent
route and fails on any mismatch, and on any numeric mobject that did not come
from here.

Examples
--------
A scene reads facts only through its ledger::

    class OneActivation(NetScene):
        chapter = "network"

        def construct(self):
            value = self.ledger.number("layers.0.hook_a", 3, decimals=2)
            self.play(FadeIn(value))
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from manim import DecimalNumber, Integer, Mobject

from netreel.nets import names
from netreel.nets.facts import Facts

SOURCE_ATTR = "netreel_source"

Index = tuple[int | slice, ...]


def tag(mob: Mobject, source: str, detail: object = None) -> Mobject:
    """Mark where a mobject's characters come from (``ledger``, ``words``, ``eq``, ``scale``)."""
    setattr(mob, SOURCE_ATTR, (source, detail))
    return mob


def source_of(mob: Mobject) -> tuple[str, object] | None:
    return getattr(mob, SOURCE_ATTR, None)


class Shown(str):
    """A number (or a vocabulary word) from the ledger, to be placed in a sentence or an equation.

    ``origin`` is the fact it was read from, ``(key, index, spec)``: a subtitle in another
    language is made again from it (:func:`fill_record`, :func:`rebuild_fill`).
    """

    origin: tuple[str, list, str] | None = None


def _shown(text: str, key: str, idx: "Index", spec: str) -> Shown:
    shown = Shown(text)
    shown.origin = (key, encode_index(idx), spec)
    return shown


COUNTINGS = {"from0": lambda i, n: i, "from1": lambda i, n: i + 1, "back": lambda i, n: n - 1 - i}
"""How :meth:`Ledger.ordinal` counts an entry's position among ``n``: from zero, from one, back from the last."""


@dataclass
class Entry:
    key: str
    index: list  # ints, and [start, stop, step] lists for slices
    value: float | list  # what the scene read (a list for array entries)
    shown: str | None  # the characters on screen, None for sizes and colours
    spec: str | None  # the format spec that made ``shown`` from ``value``
    kind: str  # "number", "derived" (sizes, colours), "scale" (axis ticks), "span" (an axis's range),
    # "position" (a layer's number) or "token" (a vocabulary word)

    def to_json(self) -> dict:
        return asdict(self)


def encode_index(index: Index) -> list:
    return [[i.start, i.stop, i.step] if isinstance(i, slice) else int(i) for i in index]


def decode_index(index: list) -> Index:
    return tuple(slice(*i) if isinstance(i, list) else i for i in index)


def as_index(index: int | Index | None) -> Index:
    if index is None:
        return ()
    return (index,) if isinstance(index, (int, np.integer, slice)) else tuple(index)


def format_value(value: float, spec: str) -> str:
    """Format like the screen does: ``-0`` is shown as ``0``."""
    text = format(value, spec)
    return text[1:] if text.startswith("-") and float(text.replace(",", "").rstrip("%")) == 0 else text


def decimal_spec(decimals: int) -> str:
    return f",.{decimals}f"


class Ledger:
    """Reads a scene's facts and records every read that reaches the screen."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.entries: list[Entry] = []

    def _read(self, key: names.Key, index: int | Index | None) -> tuple[str, np.ndarray, Index]:
        """The fact's full key, the value read, and its index."""
        full, idx = names.key(key), as_index(index)
        return full, np.asarray(self.facts[full][idx]), idx

    def _record(self, key: str, idx: Index, value: np.ndarray, shown: str | None, spec: str | None, kind: str) -> None:
        recorded = value.tolist() if value.ndim else float(value)
        self.entries.append(Entry(key, encode_index(idx), recorded, shown, spec, kind))

    def value(self, key: names.Key, index: int | Index | None = None) -> float:
        """One number used for a size, a position or a colour."""
        key, value, idx = self._read(key, index)
        self._record(key, idx, value, None, None, "derived")
        return float(value)

    def array(self, key: names.Key, index: int | Index | None = None) -> np.ndarray:
        """An array (or a slice of one) used for sizes, colours or pixels."""
        key, value, idx = self._read(key, index)
        self._record(key, idx, value, None, None, "derived")
        return value.copy()

    def shown(self, key: names.Key, index: int | Index | None = None, spec: str = ",.2f") -> Shown:
        """A number as text, for a catalog sentence's placeholder or an equation part."""
        key, value, idx = self._read(key, index)
        text = format_value(float(value), spec)
        self._record(key, idx, value, text, spec, "number")
        return _shown(text, key, idx, spec)

    def ordinal(self, key: names.Key, position: int, counting: str = "from0") -> Shown:
        """The number of an entry of ``key`` (a layer, a link of the chain), counted as :data:`COUNTINGS` says.

        ``a^{(1)}`` of the first hidden layer is ``ordinal("sizes", 1)``; the audit checks that the
        recomputed fact has that entry and that it is numbered so.
        """
        key, n = names.key(key), len(self.facts[key])
        if not 0 <= position < n:
            raise IndexError(f"{key} has {n} entries, not one at {position}")
        text = str(COUNTINGS[counting](position, n))
        self.entries.append(Entry(key, [int(position)], float(n), text, counting, "position"))
        return _shown(text, key, (position,), counting)

    def span(self, key: names.Key, index: int | Index | None, low: float, high: float) -> tuple[float, float]:
        """An axis's range worked out from a fact's values: the audit checks every recomputed value lies in it."""
        key, value, idx = self._read(key, index)
        self.entries.append(Entry(key, encode_index(idx), [float(low), float(high)], None, None, "span"))
        return float(low), float(high)

    def token(self, vocab: list[str], key: names.Key, index: int | Index | None = None) -> Shown:
        """The vocabulary word of the token id at ``key[index]``; the audit checks it against the vocabulary."""
        key, value, idx = self._read(key, index)
        token = int(round(float(value)))
        if not 0 <= token < len(vocab):
            raise IndexError(f"{key}{list(idx)} = {token} is not a token id of the {len(vocab)}-word vocabulary")
        self._record(key, idx, value, vocab[token], "token", "token")
        return _shown(vocab[token], key, idx, "token")

    def number(self, key: names.Key, index: int | Index | None = None, decimals: int = 2, **kwargs) -> DecimalNumber:
        """A DecimalNumber showing one fact."""
        key, value, idx = self._read(key, index)
        mob = DecimalNumber(float(value), num_decimal_places=decimals, **kwargs)
        spec = decimal_spec(decimals)
        self._record(key, idx, value, format_value(float(value), spec), spec, "number")
        return tag(mob, "ledger", key)

    def integer(self, key: names.Key, index: int | Index | None = None, **kwargs) -> Integer:
        """An Integer showing one whole-number fact (a count, a label, a class)."""
        key, value, idx = self._read(key, index)
        if not math.isclose(float(value), round(float(value))):
            raise ValueError(f"{key}{list(idx)} = {float(value)} is not a whole number")
        mob = Integer(int(round(float(value))), **kwargs)
        self._record(key, idx, value, format_value(float(value), ",.0f"), ",.0f", "number")
        return tag(mob, "ledger", key)

    def tick(self, value: float, decimals: int = 0, **kwargs) -> DecimalNumber:
        """An axis tick label: a coordinate of the plot, not a fact of the network."""
        mob = DecimalNumber(value, num_decimal_places=decimals, **kwargs)
        spec = decimal_spec(decimals)
        self.entries.append(Entry("scale", [], float(value), format_value(value, spec), spec, "scale"))
        return tag(mob, "scale", value)


def fill_record(value: object) -> dict | str:
    """A subtitle's placeholder fill as the manifest keeps it: the fact a ledger value came from,
    else the words themselves (which hold no digit: :func:`netreel.scenes.common.text.tr` refuses those)."""
    origin = getattr(value, "origin", None)
    if origin is None:
        return str(value)
    key, index, spec = origin
    return {"fact": key, "index": index, "spec": spec}


def rebuild_fill(record: object, facts: Facts) -> str:
    """A fill made again from the facts, as the ledger made it; ValueError for a record that is not one."""
    if isinstance(record, str):
        if any(c.isdigit() for c in record):
            raise ValueError(f"a fill {record!r} holds a number that is not from the ledger")
        return record
    try:
        key, index, spec = record["fact"], decode_index(record["index"]), record["spec"]
        values = facts[key]
        if spec in COUNTINGS:
            (position,) = index
            return _shown(str(COUNTINGS[spec](position, len(values))), key, index, spec)
        value = float(np.asarray(values[index]))
        if spec == "token":
            return _shown(facts.meta["vocab"][int(round(value))], key, index, spec)
        return _shown(format_value(value, spec), key, index, spec)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ValueError(f"a fill {record!r} names no fact shown this way ({err})") from None
