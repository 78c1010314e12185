"""Deterministic training, cached: weights as safetensors beside a JSON record.

A cache entry is keyed by a hash of everything that decides the weights (the
model's config and a digest of its data). The same config and seed always give
bit-identical weights, so a cache entry can be thrown away and rebuilt at will.
Each record holds the digest of its weights file; an entry that is missing, corrupt,
of another config, whose weights do not match their digest or whose tensors are not
the model's (names, shapes, dtypes) is retrained with a warning. Before
training, a notice says what is trained and about how long it takes (logged at
INFO on the ``netreel`` logger; the command line shows it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from netreel.integrity import file_digest
from netreel.messages import first_line
from netreel.nets.paths import cache_dir

log = logging.getLogger("netreel")

Entry = tuple[dict[str, torch.Tensor], dict]
"""What the store keeps: named tensors and a JSON-able record."""

StateDict = dict[str, torch.Tensor]

WHAT = {  # what is computed for each kind of entry, as a notice names it
    "mlp": "training the digit network",
    "cnn": "training the digit CNN",
    "vit": "training the digit vision transformer",
    "flow": "training the flow network",
    "meanflow": "training the MeanFlow network",
    "gpt": "training the transformer",
    "terrain": "mapping the loss landscape",
}
ESTIMATED_SECONDS = {"mlp": 4.0, "cnn": 3.0, "vit": 18.0, "flow": 17.0, "meanflow": 30.0, "gpt": 40.0, "terrain": 5.0}  # measured on 2 busy cores, digits

M = TypeVar("M", bound=nn.Module)
H = TypeVar("H")


@dataclass
class Trained(Generic[M, H]):
    """A trained network with what its training reported."""

    model: M  # the final weights, in eval mode
    history: H  # what training measured along the way
    snapshots: list[StateDict]  # state_dict at each checkpoint (0 = untrained), or only the final one
    record: dict  # the store's JSON record (key, config, train_seconds, ...)


def config_key(config: dict) -> str:
    """A short, stable hash of a JSON-able config."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread, without oneDNN, while training.

    These networks are too small to gain from more threads, render workers
    training side by side would otherwise fight over the cores, and one thread
    gives the same weights on machines with different numbers of cores. oneDNN
    picks its convolution kernels by the CPU's instruction set and caches; without
    it a convolution is an MKL product, whose branch the package fixes (__init__.py).
    """
    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn


def load_or_train(
    kind: str,
    config: dict,
    model: Callable[[], M],
    train: Callable[[], tuple[list[StateDict], dict]],
    history: Callable[[dict], H],
    snapshots: str | None = None,
) -> Trained[M, H]:
    """The trained network for ``config``, from the cache when present.

    ``train()`` returns the state_dicts it kept (the final weights last) and a JSON-able
    record; ``model()`` makes an untrained network to load the weights into, ``history``
    reads the history back from the record. With ``snapshots`` (a name such as "epoch")
    every kept state_dict is stored, as ``{snapshots}.{i}.{tensor}``; without it only the final one.
    """

    def trainer() -> Entry:
        states, record = train()
        if snapshots is None:
            return {k: v.detach().clone() for k, v in states[-1].items()}, record
        return {f"{snapshots}.{i}.{k}": v for i, state in enumerate(states) for k, v in state.items()}, record

    def fits(tensors: dict[str, torch.Tensor]) -> None:
        with torch.random.fork_rng(devices=[]):  # making a model to compare with draws no numbers of the run's
            _fits(model(), tensors, snapshots)

    tensors, record = load_or_compute(kind, config, trainer, fits)
    states = [tensors] if snapshots is None else _unpack(tensors, snapshots)
    net = model()
    net.load_state_dict(states[-1])
    net.eval()
    return Trained(net, history(record), states, record)


def _fits(net: nn.Module, tensors: dict[str, torch.Tensor], snapshots: str | None) -> None:
    """Raise ValueError unless ``tensors`` hold ``net``'s state_dict (each stored one, with ``snapshots``):
    the same names, shapes and dtypes."""
    expected = {k: (tuple(v.shape), v.dtype) for k, v in net.state_dict().items()}
    try:
        states = [tensors] if snapshots is None else _unpack(tensors, snapshots)
    except (ValueError, IndexError):
        raise ValueError("its tensors are not named as snapshots") from None
    for state in states:
        found = {k: (tuple(v.shape), v.dtype) for k, v in state.items()}
        if found != expected:
            wrong = min(k for k in {*found, *expected} if found.get(k) != expected.get(k))
            raise ValueError(f"its tensor {wrong!r} is missing, unknown, or of another shape or dtype")


def _unpack(tensors: dict[str, torch.Tensor], prefix: str) -> list[StateDict]:
    """The state_dicts stored as ``{prefix}.{i}.{tensor}``, in order of i."""
    count = 1 + max(int(k.split(".", 2)[1]) for k in tensors)
    return [{k.split(".", 2)[2]: v for k, v in tensors.items() if k.startswith(f"{prefix}.{i}.")} for i in range(count)]


def load_or_compute(
    kind: str, config: dict, compute: Callable[[], Entry], check: Callable[[dict[str, torch.Tensor]], None] | None = None,
) -> Entry:
    """Return the cached entry for ``config``, computing (training) and caching it when absent.

    The returned record carries ``key``, ``config``, ``train_seconds``, the digest of
    the weights file and whatever ``compute`` recorded (accuracy, loss curves, ...).
    An entry is used only when its record is a JSON object of this config, its weights
    file has the digest the record gives, and ``check`` (raising ValueError) accepts its
    tensors; else it is computed again, with a warning.
    """
    key = config_key(config)
    stem = cache_dir() / f"{kind}-{key}"
    weights_path, record_path = stem.with_suffix(".safetensors"), stem.with_suffix(".json")
    first_use = not (weights_path.exists() or record_path.exists())
    if not first_use:
        try:
            return _load(weights_path, record_path, config, check)
        except (OSError, ValueError, SafetensorError) as err:
            log.warning("cache entry %s is unusable (%s); retraining", stem.name, first_line(err))
    what, about = WHAT.get(kind, f"computing {kind}"), max(1, round(expected_seconds(kind)))
    log.info("%s (%sabout %s s)", what, "first use, " if first_use else "", about)
    start = time.perf_counter()
    with one_thread():
        tensors, record = compute()
    record = {**record, "key": key, "config": config, "train_seconds": time.perf_counter() - start}
    _save(weights_path, record_path, tensors, record)
    return tensors, record


def _load(weights_path: Path, record_path: Path, config: dict, check) -> Entry:
    """A cache entry, once it proved whole; ValueError (or OSError) saying why it is not."""
    record = json.loads(record_path.read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("its record is not a JSON object")
    if record.get("config") != config:
        raise ValueError("its config does not match its name")
    if "weights_digest" not in record:
        raise ValueError("its record has no digest of its weights")
    if file_digest(weights_path) != record["weights_digest"]:
        raise ValueError("its weights file does not match its digest")
    tensors = load_file(weights_path)
    if check is not None:
        check(tensors)
    return tensors, record


def expected_seconds(kind: str) -> float:
    """How long computing an entry of ``kind`` takes: as long as the newest entry of that kind
    in the cache took, else a typical time."""
    newest = None
    for path in cache_dir().glob(f"{kind}-*.json"):
        try:
            record = (path.stat().st_mtime, float(json.loads(path.read_text())["train_seconds"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        newest = max(newest or record, record)
    return newest[1] if newest else ESTIMATED_SECONDS.get(kind, 10.0)


def _save(weights_path: Path, record_path: Path, tensors: dict[str, torch.Tensor], record: dict) -> None:
    """Write both files through temporary names, so readers never see half a file."""
    try:
        weights_path.parent.mkdir(parents=True, exist_ok=True)
        contiguous = {k: v.contiguous() for k, v in tensors.items()}
        _atomic(weights_path, lambda tmp: save_file(contiguous, str(tmp)))
        record["weights_digest"] = file_digest(weights_path)
        _atomic(record_path, lambda tmp: tmp.write_text(json.dumps(record, indent=1), encoding="utf-8"))
    except OSError as err:
        log.warning("cannot write the network cache in %s (%s); continuing without it", weights_path.parent, err)


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
