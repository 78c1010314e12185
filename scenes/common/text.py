"""Words on screen: every sentence comes from a per-language catalog.

Catalogs live in ``scenes/locale/<lang>/<chapter>.toml``; nested tables become
dotted keys prefixed by the file's name (``network.ForwardPass.pulse``).
``common.toml`` holds words shared by all chapters (``common.inputs``).
English (``en``) is the reference: every other language has exactly its keys,
with the same placeholders.

A catalog sentence holds no digits of its own: a number enters it only as a
placeholder filled with a value from the truth ledger (:class:`netreel.scenes.common.ledger.Shown`).
"""

from __future__ import annotations

import contextlib
import math
import functools
import re
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path

from manim import DecimalNumber, MarkupText, MathTex, Mobject, Paragraph, SingleStringMathTex, Text

from netreel.scenes.common import palette
from netreel.scenes.common.ledger import Shown, tag

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANG = "en"
_NUMBER_IN_NOTATION = re.compile(r"\d+\.\d+|\d{2,}")
_LAYER_NUMBER = re.compile(r"\^\{\(\s*\d+\s*\)\}")  # a^{(1)}: one layer of one network, so a fact


class CatalogError(Exception):
    """A missing language, key or placeholder; the message is meant for the user."""


class FontError(Exception):
    """The font a language's words are drawn in is not installed; the message names its package."""


_recorders: list[set[str]] = []


@contextlib.contextmanager
def recording() -> Iterator[set[str]]:
    """Collect every key looked up (by :func:`tr`, and so by :func:`words`) while the block runs."""
    keys: set[str] = set()
    _recorders.append(keys)
    try:
        yield keys
    finally:
        _recorders.remove(keys)


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir())


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, tuple[str, Path]]:
    """Every sentence of one language: dotted key -> (text, the file it came from)."""
    folder = LOCALE_DIR / lang
    if not folder.is_dir():
        raise CatalogError(f"unknown language {lang!r}; available: {', '.join(languages())}")
    entries: dict[str, tuple[str, Path]] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise CatalogError(f"{path}: {err}") from None
        for key, text in _flatten(table, path.stem):
            entries[key] = (text, path)
    return entries


def _flatten(table: dict, prefix: str):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}.{key}")
        else:
            yield f"{prefix}.{key}", str(value)


def add_catalog_file(path: Path, lang: str = DEFAULT_LANG) -> None:
    """Add the sentences of a catalog of one's own to a language, keys written in full.

    For the words of a scene file outside the project, e.g. ``my_scene.toml``::

        [network.Prediction]
        title = "What the network says"
    """
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CatalogError(f"{path}: {err}") from None
    entries = catalog(lang)
    for key, text in _flatten(table, ""):
        entries[key[1:]] = (text, path)


def catalog_files(scene_file: Path, lang: str, chapter: str | None = None) -> list[Path]:
    """The catalog files that hold the words of a scene file's scenes in ``lang`` (some may not exist).

    With the scenes' ``chapter``: ``locale/<lang>/<chapter>.toml`` and ``locale/<lang>/common.toml``
    first. Always the catalog of one's own beside the file: ``my_scene.toml`` in English,
    ``my_scene.<lang>.toml`` in another language.
    """
    shared = [] if chapter is None else [LOCALE_DIR / lang / f"{chapter}.toml", LOCALE_DIR / lang / "common.toml"]
    return [*shared, scene_file.with_suffix(".toml" if lang == DEFAULT_LANG else f".{lang}.toml")]


def catalog_file(key: str, lang: str) -> Path:
    """The file that holds (or should hold) ``key`` in ``lang``: the English entry's counterpart.

    ``locale/en/network.toml`` becomes ``locale/zh/network.toml``; a catalog of one's
    own beside a scene file, ``my_scene.toml``, becomes ``my_scene.zh.toml``.
    """
    english = catalog(DEFAULT_LANG).get(key)
    if english is None or english[1].parent == LOCALE_DIR / DEFAULT_LANG:
        return LOCALE_DIR / lang / f"{key.split('.')[0]}.toml"
    (own,) = catalog_files(english[1], lang)
    return own


def missing_keys(lang: str, prefixes: list[str]) -> list[str]:
    """The English keys under ``prefixes`` (``network``, ``common``) that ``lang`` lacks."""
    have = catalog(lang)
    return [key for key in catalog(DEFAULT_LANG) if key.split(".")[0] in prefixes and key not in have]


def check_language(lang: str, prefixes: list[str]) -> None:
    """Refuse a language that is unknown or lacks some of the English keys under ``prefixes``."""
    missing = missing_keys(lang, prefixes)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise CatalogError(f"catalog key {missing[0]!r} is missing from {catalog_file(missing[0], lang)}{more}")


def check_font(lang: str) -> None:
    """Refuse to draw ``lang``'s words when its font is not installed (Pango would draw empty boxes)."""
    import manimpango

    family = palette.font(lang)
    if family not in manimpango.list_fonts():
        package = palette.FONT_PACKAGES.get(family, "a package that provides it")
        raise FontError(f"the {lang} words need the font {family!r}, which is not installed; Debian's {package} provides it")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def tr(key: str, lang: str = DEFAULT_LANG, **fills: object) -> str:
    """The sentence for ``key`` in ``lang``, its placeholders filled."""
    entries = catalog(lang)
    for keys in _recorders:
        keys.add(key)
    if key not in entries:
        raise CatalogError(f"catalog key {key!r} is missing from {catalog_file(key, lang)}")
    template, path = entries[key]
    missing = placeholders(template) - set(fills)
    if missing:
        raise CatalogError(f"{path}: {key!r} needs {', '.join(sorted(missing))}")
    for name, value in fills.items():
        _check_fill(key, name, value)
    return template.format(**fills)


def _check_fill(key: str, name: str, value: object) -> None:
    if any(c.isdigit() for c in str(value)) and not isinstance(value, Shown):
        raise ValueError(f"{key}: placeholder {name}={value!r} holds a number that is not from the ledger")


def words(key: str, lang: str = DEFAULT_LANG, font_size: float = palette.BODY_SIZE, **kwargs) -> Text:
    """A Text mobject of a catalog sentence; ``kwargs`` are placeholder fills, then Text options."""
    template = catalog(lang).get(key, ("", None))[0]
    names = placeholders(template)
    fills = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    kwargs.setdefault("color", palette.TEXT)
    mob = Text(tr(key, lang, **fills), font=palette.font(lang), font_size=font_size, **kwargs)
    return tag(mob, "words", key)


def eq(*parts: str, **kwargs) -> MathTex:
    """Mathematical notation (MathTex), one substring per part.

    A part that shows a number must be a ledger value (:class:`Shown`, from
    ``Ledger.shown``), and so must a layer's number (``a^{(1)}``: :func:`numbered`);
    other parts may use digits only as notation (exponents, ``L-1``), never as a
    decimal or multi-digit number.
    """
    for part in parts:
        if isinstance(part, Shown):
            continue
        if _NUMBER_IN_NOTATION.search(part):
            raise ValueError(f"notation {part!r} holds a literal number; pass it from the ledger")
        if _LAYER_NUMBER.search(part):
            raise ValueError(f"notation {part!r} numbers a layer; pass the number from the ledger (numbered, Ledger.ordinal)")
    latex = [part.replace(",", "{,}") if isinstance(part, Shown) else part for part in parts]
    return tag(MathTex(*latex, **kwargs), "eq", " ".join(parts))


def numbered(symbol: str, number: Shown) -> Shown:
    """``symbol^{(number)}`` as one equation part, the layer's number from the ledger (``Ledger.ordinal``)."""
    if not isinstance(number, Shown):
        raise ValueError(f"{symbol}: the layer number {number!r} is not from the ledger")
    part = Shown(f"{symbol}^{{({number})}}")
    part.origin = number.origin
    return part


def is_text(mob: Mobject) -> bool:
    """Whether a mobject draws characters (and so must come from the catalog or the ledger)."""
    return isinstance(mob, (DecimalNumber, SingleStringMathTex, Text, MarkupText, Paragraph))


def turned(mob: Mobject) -> Mobject:
    """A text turned a quarter to read upwards, its font size kept.

    manim reads a text's font size from its height; turned, its height is what was its
    width, so the size it reports (and the review measures) is corrected to the one drawn.
    """
    width, height = mob.width, mob.height
    mob.rotate(math.pi / 2)
    if hasattr(mob, "initial_height") and height > 0:
        mob.initial_height *= width / height
    return mob
