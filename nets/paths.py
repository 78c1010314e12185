"""Where netreel keeps what it computes once: a module without torch, for processes that only render."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$NETREEL_CACHE``, else ``~/.cache/netreel``."""
    return Path(os.environ.get("NETREEL_CACHE") or Path.home() / ".cache" / "netreel")
