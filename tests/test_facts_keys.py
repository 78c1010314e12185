"""Each chapter's facts module declares its keys: what build() makes, what reference() recomputes, agree.

A renamed hook or a fact added without its reference fails here, not when a scene is audited.
"""

from __future__ import annotations

import importlib
import string

import pytest

from netreel.nets import names

CHAPTERS = ("network", "descent", "analysis", "backprop", "calculus", "gpt", "attention", "cnn", "flow")


def facts_module(chapter: str):
    return importlib.import_module(f"netreel.nets.facts.{chapter}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_declared_keys_are_distinct_patterns(chapter):
    keys = facts_module(chapter).KEYS
    assert isinstance(keys, tuple) and keys
    assert len(set(keys)) == len(keys), "a key pattern is declared twice"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_built_key_is_declared_and_every_declared_pattern_is_built(chapter, chapter_facts):
    facts, _ = chapter_facts(chapter)
    keys = facts_module(chapter).KEYS
    assert names.undeclared(facts.arrays, keys) == []
    assert names.unused(keys, facts.arrays) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_reference_recomputes_every_built_key_but_those_declared_not_to(chapter, chapter_facts):
    facts, reference = chapter_facts(chapter)
    module = facts_module(chapter)
    exempt = getattr(module, "NOT_RECOMPUTED", {})
    assert all(isinstance(reason, str) and reason.strip() for reason in exempt.values()), "each exemption says why"
    assert set(exempt) <= set(module.KEYS), "an exemption names a key the chapter does not declare"
    missing = set(facts.arrays) - set(reference)
    assert names.undeclared(missing, exempt) == [], "built but not recomputed by reference()"
    assert names.unused(exempt, missing) == [], "declared not recomputed, yet reference() recomputes it"
    both = set(reference) & set(facts.arrays)
    assert [k for k in sorted(both) if any(names.matches(p, k) for p in exempt)] == [], "exempt, yet recomputed"



def fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_declared_key_says_what_it_holds(chapter):
    module = facts_module(chapter)
    assert sorted(set(module.KEYS) - set(module.MEANINGS)) == [], "keys without a meaning in MEANINGS"
    assert sorted(set(module.MEANINGS) - set(module.KEYS)) == [], "meanings of keys the chapter does not declare"
    for pattern, meaning in module.MEANINGS.items():
        assert isinstance(meaning, str) and meaning.strip(), f"{pattern} has an empty meaning"
        assert fields(meaning) <= fields(pattern), f"{pattern}: its meaning names a placeholder the key lacks"
