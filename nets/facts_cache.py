"""Chapter facts kept on disk, so that rendering and previewing need no torch when nothing changed.

Building facts imports torch, loads the data and runs the networks: seconds,
every time, for numbers that change only when what decides them changes. That
is, exactly: the networks' code (every module of ``nets/``), the user's choices
(:class:`NetConfig`), the versions of the libraries that compute, the files the
choices name (an MNIST folder, a corpus) and the entries of the network cache.
:func:`key` hashes all of these without building anything; :func:`build` returns
the facts stored under that key, or builds and stores them. A missing or
unreadable entry is built again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

import netreel.nets.facts
from netreel.messages import first_line
from netreel.nets.config import NetConfig
from netreel.nets.data import MNIST_PACKAGE
from netreel.nets.facts import Facts
from netreel.nets.paths import cache_dir

log = logging.getLogger("netreel")

NETS_ROOT = Path(netreel.nets.__file__).resolve().parent
META, DIGEST = "__meta__", "__digest__"  # an entry's metadata (JSON) and the digest of all it holds
PACKAGES = ("torch", "numpy", "scikit-learn", "safetensors")


def build(name: str, config: NetConfig) -> Facts:
    """The facts of facts module ``name`` under ``config``: stored ones when their key still holds."""
    if not name:  # scenes that show no network's numbers: a plain manim Scene of one's own
        return Facts({})
    path = cache_dir() / "facts" / f"{name}-{key(name, config)}.npz"
    stored = _load(path)
    if stored is not None:
        return stored
    facts = netreel.nets.facts.build(name, config)
    if Facts(facts.arrays, json.loads(json.dumps(facts.meta))).digest() == facts.digest():  # JSON carries the metadata exactly
        _store(path, facts)
    return facts


def _load(path: Path) -> Facts | None:
    """The facts stored at ``path`` when they are whole: their arrays and metadata hash to the
    digest stored with them. None when there are none; a warning when they are unusable."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(stored[META].item())
            facts = Facts({k: stored[k] for k in stored.files if k not in (META, DIGEST)}, meta)
            if not isinstance(meta, dict) or stored[DIGEST].item() != facts.digest():
                raise ValueError("its numbers do not match their digest")
            return facts
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as err:
        log.warning("stored facts %s are unusable (%s); building them again", path.name, first_line(err))
        return None


def key(name: str, config: NetConfig) -> str:
    """A hash of everything that decides the facts of module ``name`` (see the module's notes)."""
    h = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            h.update(str(part).encode())
            h.update(b"\0")

    add(name, json.dumps(config.to_dict(), sort_keys=True))
    for path in sorted(NETS_ROOT.rglob("*.py")):
        add(path.relative_to(NETS_ROOT).as_posix(), path.read_text(encoding="utf-8"))
    for package in PACKAGES:
        add(package, _version(package))
    for value in (config.data_dir, config.corpus):  # the files the choices name; a prompt is words, never a path
        if value is not None and Path(value).exists():
            for path in _files(Path(value)):
                add(*_stat(path))
    for path in _files(MNIST_PACKAGE):  # the default digits, when set-up has installed them
        add(*_stat(path))
    for path in _files(cache_dir(), recursive=False):  # the trained networks
        add(*_stat(path))
    return h.hexdigest()[:16]


def _store(path: Path, facts: Facts) -> None:
    """Write the entry through a temporary name; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{META: np.array(json.dumps(facts.meta)), DIGEST: np.array(facts.digest())}, **facts.arrays)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        pass


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def _files(path: Path, recursive: bool = True) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found = path.rglob("*") if recursive else path.iterdir()
    return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def _stat(path: Path) -> tuple[str, int, int]:
    info = path.stat()
    return str(path.resolve()), info.st_size, info.st_mtime_ns
