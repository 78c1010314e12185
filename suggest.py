"""The closest known names to a mistyped one, for error messages."""

from __future__ import annotations

import difflib


def closest(name: str, options: list[str], n: int = 3) -> str:
    """``; did you mean A, B?`` with the (up to ``n``) names nearest ``name``, else ``; choose from`` all of ``options``."""
    close = difflib.get_close_matches(name, options, n=n, cutoff=0.4)
    return f"; did you mean {', '.join(close)}?" if close else f"; choose from {', '.join(options)}"
