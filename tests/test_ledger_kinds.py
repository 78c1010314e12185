"""The ledger's last kinds: layer numbers, axis ranges, vocabulary words, and subtitle fills made again
from the facts. Each is checked by the audit against the recomputation, and each check can fail."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from netreel.nets.facts import VOCABULARY, Facts
from netreel.render.audit import audit_scene, check_entry
from netreel.render.chapter import read_manifest
from netreel.render.pipeline import RenderOptions, render
from netreel.scenes import registry
from netreel.scenes.common.ledger import Ledger, fill_record, rebuild_fill
from netreel.scenes.common.text import eq, numbered
from netreel.scenes.gpt import Tokens

SIZES = np.array([784.0, 16.0, 16.0, 10.0])


def ledger() -> Ledger:
    return Ledger(Facts({"sizes": SIZES, "w": np.array([0.5, -1.25, 3.0]), "ids": np.array([2.0, 0.0])}, {"vocab": ["a", "cat", "sat"]}))


def test_a_layer_number_is_the_networks_own():
    book = ledger()
    assert [book.ordinal("sizes", 1), book.ordinal("sizes", 1, "from1"), book.ordinal("sizes", 1, "back")] == ["1", "2", "2"]
    with pytest.raises(IndexError, match="has 4 entries"):
        book.ordinal("sizes", 4)
    same = {"sizes": SIZES}
    assert [check_entry(e, same) for e in book.entries] == [None, None, None]
    shallower = {"sizes": SIZES[:3]}  # a network with one layer fewer: "back" from its last is another number
    assert [check_entry(e, shallower) for e in book.entries][:2] == [None, None]
    assert "numbered '2', recomputed '1'" in check_entry(book.entries[2], shallower)
    book.ordinal("sizes", 3)
    assert "none numbered '3'" in check_entry(book.entries[-1], shallower)


def test_an_equation_takes_a_layer_number_only_from_the_ledger():
    with pytest.raises(ValueError, match="numbers a layer"):
        eq("a^{(3)}", "=", "x")
    with pytest.raises(ValueError, match="not from the ledger"):
        numbered("a", "3")
    part = numbered("a", ledger().ordinal("sizes", 3))
    assert part == "a^{(3)}" and part.origin == ("sizes", [3], "from0")
    assert eq(part, "_{", "j", "}").tex_string  # a layer from the ledger, beside notation
    assert eq("a^{(L-1)}", "x^2").tex_string  # relative layers and exponents stay notation


def test_an_axis_range_must_hold_every_recomputed_value():
    book = ledger()
    assert book.span("w", None, -2.0, 3.0) == (-2.0, 3.0)
    assert check_entry(book.entries[0], {"w": np.array([0.5, -1.25, 3.0])}) is None
    problem = check_entry(book.entries[0], {"w": np.array([0.5, -1.25, 4.0])})
    assert "leaves the axis's range [-2.0, 3.0]" in problem


def test_a_drawn_word_is_checked_against_the_vocabulary_made_again():
    book = ledger()
    assert book.token(["a", "cat", "sat"], "ids", 0) == "sat"
    with pytest.raises(IndexError, match="not a token id"):
        book.token(["a"], "ids", 0)
    entry = book.entries[0]
    assert (entry.kind, entry.value, entry.shown) == ("token", 2.0, "sat")
    ids = np.array([2.0, 0.0])
    assert check_entry(entry, {"ids": ids, VOCABULARY: np.array(["a", "cat", "sat"])}) is None
    assert "drew 'sat', the vocabulary's token 2 is 'dog'" in check_entry(entry, {"ids": ids, VOCABULARY: np.array(["a", "cat", "dog"])})
    assert "no vocabulary recomputed" in check_entry(entry, {"ids": ids})


def test_a_vocabulary_altered_in_the_facts_fails_the_audit(chapter_facts):
    built, reference = chapter_facts("gpt")
    assert audit_scene(Tokens, built, reference).ok
    vocab = list(built.meta["vocab"])
    first = int(built["prompt.tokens"][0])
    other = (first + 1) % len(vocab)
    vocab[first], vocab[other] = vocab[other], vocab[first]
    report = audit_scene(Tokens, Facts(built.arrays, {**built.meta, "vocab": vocab}), reference)
    assert any("prompt.tokens[0]: drew" in p for p in report.problems), report.problems


def test_a_subtitle_fill_is_made_again_from_the_fact_it_was_read_from():
    book = ledger()
    fills = [book.shown("w", 1, ".2f"), book.ordinal("sizes", 2, "from1"), book.token(["a", "cat", "sat"], "ids", 1), "cat"]
    records = [fill_record(f) for f in fills]
    assert records[0] == {"fact": "w", "index": [1], "spec": ".2f"} and records[3] == "cat"
    assert json.loads(json.dumps(records)) == records
    assert [rebuild_fill(r, book.facts) for r in records] == ["-1.25", "3", "a", "cat"]
    changed = Facts({**book.facts.arrays, "w": np.array([0.5, -1.5, 3.0])}, book.facts.meta)
    assert rebuild_fill(records[0], changed) == "-1.50"  # the facts' number, not the record's
    for bad in ("64", {"fact": "nope", "index": [], "spec": ".2f"}, {"fact": "w", "index": [7], "spec": ".2f"}, {"fact": "w"}):
        with pytest.raises(ValueError):
            rebuild_fill(bad, book.facts)


def test_a_record_with_a_number_typed_into_its_fills_is_rendered_again(rendered, tmp_path):
    folder, manifest = rendered("network", "zh", ("en", "zh"))
    out = tmp_path / "out"
    copy = out / "network" / "tiny" / "zh"
    shutil.copytree(folder, copy)
    record = read_manifest(copy)
    filled = [(n, e) for n, e in record["scenes"].items() if any(isinstance(v, dict) for _, f in e["captions"] for v in f.values())]
    name, entry = min(filled, key=lambda item: item[1]["duration"])  # the shortest to render again
    cue = next(i for i, (_, f) in enumerate(entry["captions"]) if any(isinstance(v, dict) for v in f.values()))
    fill = next(k for k, v in entry["captions"][cue][1].items() if isinstance(v, dict))
    entry["captions"][cue][1][fill] = "99.9"
    (copy / "manifest.json").write_text(json.dumps(record), encoding="utf-8")
    (output,) = render(registry.resolve(f"network.{name}"), RenderOptions(quality="tiny", out=out, jobs=1, lang="zh", subtitles=("en", "zh")))
    assert output.rendered == [name]
    for srt in (f"{name}.en.srt", f"{name}.zh.srt", "network.en.srt"):
        assert (copy / srt).read_text(encoding="utf-8") == (folder / srt).read_text(encoding="utf-8"), srt
