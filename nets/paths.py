"""Where netreel keeps what it computes once: a module without torch, for processes that only render."""

from __future__ import annotations

import os
from pathlib import Path


NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"  # where set-up runs `npm ci`


def cache_dir() -> Path:
    """``$NETREEL_CACHE``, else ``~/.cache/netreel``."""
    return Path(os.environ.get("NETREEL_CACHE") or Path.home() / ".cache" / "netreel")
