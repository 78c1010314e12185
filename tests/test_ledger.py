"""The truth ledger and its audit catch what they are meant to catch."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from manim import DecimalNumber, FadeIn, MathTex, Text, VGroup

from netreel.nets.facts import Facts
from netreel.render.audit import LayoutWatch, audit_scene, check_entry, check_scene, untracked_text
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import NetScene, SceneContext
from netreel.scenes.common.ledger import Ledger, Shown
from netreel.scenes.common.text import CatalogError, eq, tr, words


def facts() -> Facts:
    return Facts({"w": np.array([[0.5, -1.25], [2.0, 3.0]]), "n": np.array(1482.0)})


def test_ledger_records_what_is_shown():
    ledger = Ledger(facts())
    mob = ledger.number("w", (0, 1), decimals=2)
    assert mob.get_value() == -1.25
    assert ledger.shown("n", spec=",.0f") == "1,482"
    (first, second) = ledger.entries
    assert (first.key, first.index, first.value, first.shown) == ("w", [0, 1], -1.25, "-1.25")
    assert (second.shown, second.kind) == ("1,482", "number")
    row = ledger.array("w", 1)
    assert row.tolist() == [2.0, 3.0] and ledger.entries[-1].index == [1]


def test_check_entry_catches_wrong_values_and_unknown_facts():
    ledger = Ledger(facts())
    ledger.number("w", (1, 0), decimals=2)
    ledger.array("w", 0)
    good = {"w": np.array([[0.5, -1.25], [2.0, 3.0]])}
    assert [check_entry(e, good) for e in ledger.entries] == [None, None]
    bad = {"w": np.array([[0.5, -1.2], [2.01, 3.0]])}
    problems = [check_entry(e, bad) for e in ledger.entries]
    assert "scene read" in problems[0] and "scene read" in problems[1]
    assert "no independent recomputation" in check_entry(ledger.entries[0], {})


def test_check_entry_catches_a_wrongly_rounded_display():
    ledger = Ledger(facts())
    ledger.shown("w", (0, 0), spec=".2f")
    entry = copy.deepcopy(ledger.entries[0])
    entry.shown = "0.60"
    assert "shown '0.60'" in check_entry(entry, {"w": np.array([[0.5, 0.0], [0.0, 0.0]])})


def test_untracked_numbers_and_words_are_reported():
    ledger = Ledger(facts())
    tracked = ledger.number("w", (0, 0))
    loose_number = DecimalNumber(0.5)
    loose_words = Text("Hello")
    loose_tex = MathTex(r"0.73")
    problems = untracked_text([VGroup(tracked, loose_number), loose_words, loose_tex, eq(r"\vdots")])
    assert any("numeric mobject not in the ledger: DecimalNumber" in p for p in problems)
    assert any("bypasses the catalog: Text('Hello')" in p for p in problems)
    assert any("SingleStringMathTex('0.73')" in p or "MathTex('0.73')" in p for p in problems)
    assert len(problems) == 3


def test_words_and_notation_refuse_literal_numbers():
    with pytest.raises(ValueError, match="not from the ledger"):
        words("common.n_neurons", n="64")
    assert "64 neurons" == tr("common.n_neurons", n=Shown("64"))
    with pytest.raises(ValueError, match="literal number"):
        eq("z = 0.73")
    with pytest.raises(CatalogError, match="missing"):
        tr("network.NoSuchScene.title")
    with pytest.raises(CatalogError, match="unknown language"):
        tr("common.weights", lang="xx")


class ShowsALooseNumber(NetScene):
    chapter = "network"

    def construct(self):
        self.play(FadeIn(self.ledger.number("params.total", decimals=0)), FadeIn(DecimalNumber(13.0)))


class ShowsTheFocusActivation(NetScene):
    chapter = "network"

    def construct(self):
        self.play(FadeIn(self.ledger.number("layers.0.hook_a", int(self.ledger.value("focus.neuron")))))


def test_audit_fails_a_scene_with_a_number_outside_the_ledger(chapter_facts):
    built, reference = chapter_facts("network")
    report = audit_scene(ShowsALooseNumber, built, reference)
    assert not report.ok
    assert any("numeric mobject not in the ledger" in p for p in report.problems)


def test_audit_fails_a_scene_reading_tampered_facts(chapter_facts):
    built, reference = chapter_facts("network")
    assert audit_scene(ShowsTheFocusActivation, built, reference).ok
    tampered = Facts({k: v.copy() for k, v in built.arrays.items()}, built.meta)
    tampered.arrays["layers.0.hook_a"] += 0.01
    report = audit_scene(ShowsTheFocusActivation, tampered, reference)
    assert any("layers.0.hook_a" in p and "recomputed" in p for p in report.problems)


def test_a_scene_without_its_context_says_so():
    with pytest.raises(RuntimeError, match="ShowsTheFocusActivation has no scene context"):
        ShowsTheFocusActivation().render()


def test_audit_checks_the_record_of_a_dry_run(chapter_facts):
    built, reference = chapter_facts("network")
    watch = LayoutWatch()
    scene = run_scene(ShowsTheFocusActivation, SceneContext(built), Settings(), draw=False, observer=watch)
    assert scene.frames > 0 and watch.problems == []
    assert check_scene(scene, reference, watch.problems, set()).ok
    report = check_scene(scene, reference, ["off the frame in step 'start': a label"], set())
    assert report.problems == ["off the frame in step 'start': a label"]
