"""Cached numbers are checked, not trusted: every way a cache entry can be damaged is trained or
built again with a warning, and facts altered on disk, digest and all, fail the audit."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from netreel.integrity import file_digest
from netreel.nets import facts_cache, store
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts
from netreel.render.audit import audit_target

CONFIG = {"toy": 1}


@pytest.fixture(autouse=True)
def warnings_reach_caplog(monkeypatch):
    monkeypatch.setattr(logging.getLogger("netreel"), "propagate", True)  # the command line stops it at its own handler


def toy(tmp_path, monkeypatch):
    """A two-by-two linear layer kept in a cache of its own; returns (load, how many times it trained)."""
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    trained = []

    def train():
        trained.append(1)
        torch.manual_seed(0)
        return [nn.Linear(2, 2).state_dict()], {"history": []}

    def load():
        return store.load_or_train("toy", CONFIG, lambda: nn.Linear(2, 2), train, lambda record: record["history"])

    return load, trained


def entry(tmp_path):
    stem = tmp_path / f"toy-{store.config_key(CONFIG)}"
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def resave(tmp_path, tensors):
    """Replace the weights and give the record their digest, as a forger who knows the format would."""
    weights, record_path = entry(tmp_path)
    save_file(tensors, str(weights))
    record = json.loads(record_path.read_text())
    record["weights_digest"] = file_digest(weights)
    record_path.write_text(json.dumps(record))


def flip_byte(tmp_path):
    weights, _ = entry(tmp_path)
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))


DAMAGE = {
    "truncated weights": lambda p: entry(p)[0].write_bytes(entry(p)[0].read_bytes()[:40]),
    "a flipped byte": flip_byte,
    "a wrong tensor name": lambda p: resave(p, {"weight": torch.zeros(2, 2), "offset": torch.zeros(2)}),
    "a wrong shape": lambda p: resave(p, {"weight": torch.zeros(3, 2), "bias": torch.zeros(2)}),
    "a wrong dtype": lambda p: resave(p, {"weight": torch.zeros(2, 2, dtype=torch.float64), "bias": torch.zeros(2)}),
    "malformed JSON": lambda p: entry(p)[1].write_text("{not json"),
    "JSON of the wrong type": lambda p: entry(p)[1].write_text("[1, 2]"),
    "no record": lambda p: entry(p)[1].unlink(),
    "no weights": lambda p: entry(p)[0].unlink(),
    "a wrong digest": lambda p: entry(p)[1].write_text(
        json.dumps({**json.loads(entry(p)[1].read_text()), "weights_digest": "0:00"})
    ),
    "no digest": lambda p: entry(p)[1].write_text(
        json.dumps({k: v for k, v in json.loads(entry(p)[1].read_text()).items() if k != "weights_digest"})
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_network_cache_entry_is_trained_again_with_a_warning(tmp_path, monkeypatch, caplog, damage):
    load, trained = toy(tmp_path, monkeypatch)
    first = load()
    load()
    assert len(trained) == 1  # whole, the entry is used
    DAMAGE[damage](tmp_path)
    with caplog.at_level(logging.WARNING, logger="netreel"):
        again = load()
    assert len(trained) == 2
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING][0].startswith(
        f"cache entry toy-{store.config_key(CONFIG)} is unusable ("
    )
    assert all(torch.equal(a, b) for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values()))
    assert len(trained) == 2 and load() is not None and len(trained) == 2  # and the entry written again is whole


FACTS = Facts({"x": np.arange(3.0), "y": np.ones((2, 2))}, {"side": 8})


def stored_facts(tmp_path):
    path = tmp_path / "f.npz"
    facts_cache._store(path, FACTS)
    return path


def rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files}
    path.unlink()
    np.savez(path, **{**arrays, **changes})


FACTS_DAMAGE = {
    "an altered number": lambda p: rewrite(p, x=np.array([0.0, 1.0, 2.5])),
    "an array of another dtype": lambda p: rewrite(p, x=np.arange(3, dtype=np.int64)),
    "a missing array": lambda p: _drop(p, "y"),
    "malformed metadata": lambda p: rewrite(p, __meta__=np.array("{side")),
    "metadata of the wrong type": lambda p: rewrite(p, __meta__=np.array("[8]")),
    "no digest": lambda p: _drop(p, "__digest__"),
    "not an npz": lambda p: p.write_bytes(b"PK\x03\x04 nothing"),
}


def _drop(path, key):
    with np.load(path, allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files if k != key}
    path.unlink()
    np.savez(path, **arrays)


def test_stored_facts_are_read_back_whole(tmp_path):
    loaded = facts_cache._load(stored_facts(tmp_path))
    assert loaded.digest() == FACTS.digest()


@pytest.mark.parametrize("damage", FACTS_DAMAGE, ids=list(FACTS_DAMAGE))
def test_damaged_stored_facts_are_built_again_with_a_warning(tmp_path, caplog, damage):
    path = stored_facts(tmp_path)
    FACTS_DAMAGE[damage](path)
    with caplog.at_level(logging.WARNING, logger="netreel"):
        assert facts_cache._load(path) is None
    assert [r.getMessage() for r in caplog.records][0].startswith("stored facts f.npz are unusable (")


@pytest.mark.render
def test_facts_altered_on_disk_with_their_digest_fail_the_audit(net_cache):
    config = NetConfig()
    for _ in range(2):  # the second time under the key of the trained network's cache entry
        facts_cache.build("network", config)
    path = net_cache / "facts" / f"network-{facts_cache.key('network', config)}.npz"
    original = path.read_bytes()
    try:
        (clean,) = audit_target("network.DigitInput")
        assert clean.ok, clean.problems
        with np.load(path, allow_pickle=False) as stored:
            arrays = {k: stored[k] for k in stored.files}
        meta = json.loads(arrays["__meta__"].item())
        label = arrays["digit.label"]
        arrays["digit.label"] = (label + 1) % 10
        forged = Facts({k: v for k, v in arrays.items() if not k.startswith("__")}, meta)
        arrays["__digest__"] = np.array(forged.digest())
        path.unlink()
        np.savez(path, **arrays)
        assert facts_cache._load(path) is not None  # the digest holds: only the audit can tell
        (report,) = audit_target("network.DigitInput")
        assert not report.ok
        assert any("digit.label" in problem for problem in report.problems), report.problems
    finally:
        path.write_bytes(original)
