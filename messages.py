"""How an exception is told to the user: in one line."""

from __future__ import annotations


def first_line(err: BaseException) -> str:
    """The first line of an error's message, else the name of its type."""
    return (str(err).strip() or type(err).__name__).splitlines()[0]
