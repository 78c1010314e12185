"""Digests that tell a file netreel wrote from any other: a render's outputs, the caches.

A digest is the file's size and a BLAKE2b hash of its bytes: a file truncated by a
crash, replaced by another render's or edited by hand no longer matches the digest
recorded beside it, and is made again instead of being kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def bytes_digest(data: bytes) -> str:
    return f"{len(data)}:{hashlib.blake2b(data, digest_size=16).hexdigest()}"


def file_digest(path: str | Path) -> str | None:
    """``size:hash`` of the file at ``path``; None when it cannot be read."""
    h = hashlib.blake2b(digest_size=16)
    size = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
                size += len(chunk)
    except OSError:
        return None
    return f"{size}:{h.hexdigest()}"


def plain_name(name: object) -> bool:
    """Whether ``name`` (read from a record) names a file in its own folder: no path, no way out."""
    return isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name and "\\" not in name
