"""Bilingual lectures: every language's catalog holds exactly the words the scenes use,
Chinese is drawn with real glyphs inside the frame, every language's subtitles share
one timing, and bad language input is one line."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import srt
from manim import DOWN, RIGHT, FadeIn, FadeOut, Text

from netreel.scenes import registry
from netreel.render.audit import audit_scene, missing_glyphs, overlapping_words, words_in
from netreel.scenes.common import palette, text
from netreel.scenes.common.base import NetScene, SceneContext
from netreel.scenes.common.ledger import tag
from netreel.scenes.common.text import DEFAULT_LANG, LOCALE_DIR, catalog, catalog_file, languages, placeholders, tr
from netreel.render import clips, gallery, slides, video
from netreel.render.aspect import DEFAULT_ASPECT, frame_size, outside_frame
from netreel.render.chapter import subtitle_name
from netreel.render.presets import QUALITIES
from netreel.render.run import Settings, run_scene
from tests import frames
from tests.test_cli import one_line_error, run

ROOT = Path(__file__).resolve().parents[1]
SCENES = [(ch, cls) for ch in registry.CHAPTERS for cls in ch.scenes()]
IDS = [f"{ch.id}.{cls.__name__}" for ch, cls in SCENES]
CHAPTER_IDS = [ch.id for ch in registry.CHAPTERS]
OTHERS = [lang for lang in languages() if lang != DEFAULT_LANG]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
FPS = 10  # tiny


def project_entries(lang: str) -> dict[str, str]:
    """The sentences of the project's own catalog files in ``lang`` (not catalogs beside scene files)."""
    return {key: sentence for key, (sentence, path) in catalog(lang).items() if path.parent == LOCALE_DIR / lang}


def named_in_code(chapter, scene) -> set[str]:
    """The scene's own keys its class names in string literals: words said on a branch the
    test run did not take (a head that turned out another way, a vocabulary of another size)."""
    tree = ast.parse(Path(sys.modules[scene.__module__].__file__).read_text(encoding="utf-8"))
    body = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == scene.__name__)
    patterns = [
        "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+" for part in node.values)
        for node in ast.walk(body)
        if isinstance(node, ast.JoinedStr) and any(isinstance(part, ast.Constant) for part in node.values)  # f"role_{kind}"
    ]
    patterns += [re.escape(node.value) for node in ast.walk(body) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    prefix = f"{chapter.id}.{scene.__name__}."
    own = [key for key in catalog(DEFAULT_LANG) if key.startswith(prefix)]
    return {key for key in own if any(re.fullmatch(pattern, key.removeprefix(prefix)) for pattern in patterns)}


@pytest.fixture(scope="session")
def used_keys(audited) -> set[str]:
    """Every key the product looks up: what the scenes said and showed when run or name on
    another branch, their titles, the gallery's words."""
    keys = set()
    for chapter, scene in SCENES:
        keys |= audited(chapter, scene, DEFAULT_LANG).keys | named_in_code(chapter, scene)
    keys |= {f"{ch.id}.title" for ch in registry.CHAPTERS}  # `netreel list`, the gallery, slide decks
    keys |= {f"{ch.id}.{cls.__name__}.title" for ch, cls in SCENES}  # chapter markers, the gallery
    keys |= {f"{ch.id}.{cls.__name__}.sections.{step}" for ch, cls in SCENES for step in cls.steps}  # the gallery
    keys |= set(re.findall(r'"(gallery\.\w+)"', (ROOT / "render" / "gallery.py").read_text(encoding="utf-8")))
    keys |= {f"gallery.quality.{quality}" for quality in QUALITIES} | {f"gallery.language.{lang}" for lang in languages()}
    return keys


# -- catalogs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", languages())
@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_every_key_a_scene_uses_is_in_every_language(audited, chapter, scene, lang):
    keys = audited(chapter, scene, DEFAULT_LANG).keys
    assert any(key.startswith(f"{chapter.id}.{scene.__name__}.") for key in keys), "the scene uses none of its own words"
    missing = [f"{key} (in {catalog_file(key, lang)})" for key in sorted(keys) if key not in catalog(lang)]
    assert not missing, "missing: " + ", ".join(missing)


@pytest.mark.parametrize("lang", languages())
def test_catalogs_hold_exactly_the_keys_in_use(used_keys, lang):
    entries = project_entries(lang)
    unused = [f"{key} ({catalog_file(key, lang)})" for key in sorted(set(entries) - used_keys)]
    missing = [f"{key} ({catalog_file(key, lang)})" for key in sorted(used_keys - set(entries))]
    assert not unused, "keys nothing uses: " + ", ".join(unused)
    assert not missing, "keys missing: " + ", ".join(missing)


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_keep_the_placeholders(lang):
    english = project_entries(DEFAULT_LANG)
    differ = [key for key, sentence in project_entries(lang).items() if key in english and placeholders(sentence) != placeholders(english[key])]
    assert not differ, f"placeholders differ from English in: {', '.join(differ)}"


@pytest.mark.parametrize("lang", languages())
def test_sentences_hold_no_digits(lang):
    with_digits = [key for key, sentence in project_entries(lang).items() if any(c.isdigit() for c in sentence)]
    assert not with_digits, f"numbers must come from the ledger through placeholders: {', '.join(with_digits)}"


def _keys(table: dict, prefix: str = "") -> dict[str, set[str]]:
    found = {}
    for key, value in table.items():
        if isinstance(value, dict):
            found |= _keys(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = placeholders(str(value))
    return found


@pytest.mark.parametrize("lang", OTHERS)
def test_example_scene_files_have_their_words_in_every_language(lang):
    originals = [p for p in sorted((ROOT / "examples").glob("*.toml")) if "." not in p.stem]
    assert originals
    for original in originals:
        translated = original.with_suffix(f".{lang}.toml")
        assert translated.exists(), f"{translated} is missing"
        assert _keys(tomllib.loads(translated.read_text(encoding="utf-8"))) == _keys(tomllib.loads(original.read_text(encoding="utf-8")))


# -- Chinese on screen ------------------------------------------------------------------------


def test_fontconfig_resolves_the_chinese_font_with_chinese_coverage():
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is installed by scripts/setup-system")
    family = palette.font("zh")
    found = subprocess.run(["fc-match", "-f", "%{family}\n%{lang}", family], capture_output=True, text=True, check=True).stdout
    families, coverage = found.split("\n")
    assert family in families.split(","), f"fontconfig resolves {family!r} to {families!r}"
    assert "zh-cn" in coverage.split("|")


def test_the_glyph_check_catches_an_empty_box():
    """A character no font has is drawn as a box of hex digits: several outlines for one character."""
    box = tag(Text("神\u0378经", font=palette.font("zh")), "words", "a character no font has")
    assert len(missing_glyphs([box])) == 1
    assert missing_glyphs([text.words("network.title", "zh")]) == []


@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=CHAPTER_IDS)
def test_chinese_still_draws_real_glyphs_inside_the_frame(rendered, chapter_facts, chapter):
    scene = chapter.scenes()[0]
    folder, manifest = rendered(chapter.id, "zh", (DEFAULT_LANG, "zh"))
    assert folder.name == "zh"
    still = frames.load_frame(folder / manifest["scenes"][scene.__name__]["still"])
    english, _ = rendered(chapter.id)
    english_still = frames.load_frame(english / f"{scene.__name__}.png")
    assert still.shape == english_still.shape == (144, 256, 3)
    assert (np.abs(still.astype(int) - english_still).max(axis=2) > frames.LEVEL).any(), "the words on screen did not change"

    facts, _ = chapter_facts(chapter.facts)
    done = run_scene(scene, SceneContext(facts, "zh"), Settings(), draw=False)
    texts = list(dict.fromkeys(words_in(done.seen + done.mobjects)))
    chinese = [t for t in texts if CJK.search(t.original_text)]
    assert chinese, "no Chinese words on screen"
    assert {t.font for t in texts} == {palette.font("zh")}
    assert missing_glyphs(texts) == []
    outlines = {}  # one glyph per Chinese character, its outline scaled to unit width
    for t in chinese:
        characters = [c for c in t.original_text if not c.isspace()]
        assert len(t.submobjects) == len(characters), t.original_text
        for character, glyph in zip(characters, t.submobjects):
            if CJK.match(character) and character not in outlines:
                points = glyph.points - glyph.get_center()
                outlines[character] = np.round(points / glyph.width, 3).tobytes()
    assert len(outlines) > 1
    assert len(set(outlines.values())) == len(outlines), "different characters share an outline: empty boxes"
    assert outside_frame(done.mobjects, frame_size(DEFAULT_ASPECT)) == []


@pytest.fixture
def no_chinese_font(tmp_path) -> dict[str, str]:
    """An environment whose fontconfig knows only DejaVu, as on a machine without fonts-noto-cjk."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is installed by scripts/setup-system")
    dejavu = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True).stdout
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{Path(dejavu).parent}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT)}


@pytest.mark.render
def test_without_the_chinese_font_the_glyph_check_fails(no_chinese_font, tmp_path):
    probe = (
        "from manim import config; config.text_dir = {texts!r}\n"
        "from netreel.render.audit import missing_glyphs; from netreel.scenes.common.text import words\n"
        "print(len(missing_glyphs([words('network.title', 'zh')])))\n"
    ).format(texts=str(tmp_path / "texts"))
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=no_chinese_font, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"


@pytest.mark.render
def test_without_the_chinese_font_render_names_the_package(no_chinese_font, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "netreel.cli", "render", "network.ParameterCount", "--lang", "zh", "--quality", "tiny", "--out", str(tmp_path)],
        cwd=ROOT, env=no_chinese_font, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("netreel: ") and "fonts-noto-cjk" in lines[0] and palette.font("zh") in lines[0]


# -- the audit catches words that bypass the catalog or break the layout ----------------------


class ShowsChineseOutsideTheCatalog(NetScene):
    chapter = "network"

    def construct(self):
        self.play(FadeIn(self.ledger.number("params.total", decimals=0)), FadeIn(Text("你好", font=palette.font("zh"))))


class NarratesOutsideTheCatalog(NetScene):
    chapter = "network"

    def construct(self):
        self.step("count")
        self.play(FadeIn(self.ledger.number("params.total", decimals=0)), subcaption="hello")


class WordsOverWords(NetScene):
    chapter = "network"

    def construct(self):
        weights = self.words("common.weights")
        biases = self.words("common.biases").move_to(weights)
        self.play(FadeIn(weights), FadeIn(biases), FadeIn(self.ledger.number("params.total", decimals=0).to_edge(DOWN)))


class WordsLeaveTheFrameMidway(NetScene):
    chapter = "network"

    def construct(self):
        label = self.words("common.weights")
        self.play(FadeIn(label), FadeIn(self.ledger.number("params.total", decimals=0).to_edge(DOWN)))
        self.play(label.animate.shift(RIGHT * 8))
        self.play(FadeOut(label))


@pytest.mark.parametrize(
    ("scene", "needle"),
    [
        (ShowsChineseOutsideTheCatalog, "text that bypasses the catalog: Text('你好')"),
        (NarratesOutsideTheCatalog, "a subcaption that bypasses the catalog"),
        (WordsOverWords, "words overlap: Text('"),
        (WordsLeaveTheFrameMidway, "off the frame in step"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
@pytest.mark.parametrize("lang", languages())
def test_audit_fails_words_outside_the_catalog_or_the_layout(chapter_facts, scene, needle, lang):
    facts, reference = chapter_facts("network")
    report = audit_scene(scene, facts, reference, lang)
    assert not report.ok
    assert any(needle in problem for problem in report.problems), report.problems


def test_overlap_check_leaves_words_side_by_side_alone():
    weights = text.words("common.weights", "zh")
    biases = text.words("common.biases", "zh").next_to(weights, RIGHT, buff=0.1)
    assert overlapping_words([weights, biases]) == []
    assert len(overlapping_words([weights, biases.copy().move_to(weights)])) == 1


# -- one timing for every language --------------------------------------------------------------


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=CHAPTER_IDS)
def test_subtitles_share_one_timing_in_every_language(rendered, chapter, lang):
    en_folder, en_manifest = rendered(chapter.id)
    folder, manifest = rendered(chapter.id, lang, (DEFAULT_LANG, lang))
    english = list(srt.parse((en_folder / en_manifest["chapter"]["srt"]).read_text(encoding="utf-8")))
    own = list(srt.parse((folder / manifest["chapter"]["srt"]).read_text(encoding="utf-8")))
    assert len(own) == len(english) > 0
    assert [(c.start, c.end) for c in own] == [(c.start, c.end) for c in english]
    assert all(a.content != b.content for a, b in zip(own, english))
    if lang == "zh":
        assert all(CJK.search(c.content) for c in own)

    # the render in one language carries the other's subtitles: the very ones its own render writes
    srt_name = manifest["chapter"]["srt"]
    assert (folder / subtitle_name(srt_name, DEFAULT_LANG)).read_text(encoding="utf-8") == (en_folder / srt_name).read_text(encoding="utf-8")
    assert (folder / subtitle_name(srt_name, lang)).read_text(encoding="utf-8") == (folder / srt_name).read_text(encoding="utf-8")
    for name in manifest["scenes"]:
        assert (folder / f"{name}.{DEFAULT_LANG}.srt").read_text(encoding="utf-8") == (en_folder / f"{name}.srt").read_text(encoding="utf-8")

    # scene by scene: the same frames, sections and cue times; the counted frames are the video's
    for name, entry in en_manifest["scenes"].items():
        other = manifest["scenes"][name]
        assert other["frames"] == entry["frames"] == entry["frames_counted"] == other["frames_counted"], name
        assert other["sections"] == entry["sections"], name
        assert [cue[1:] for cue in other["cues"]] == [cue[1:] for cue in entry["cues"]], name

    # the chapter video: one subtitle track per language, its own first, all with the same timings
    path = folder / manifest["chapter"]["video"]
    assert video.probe(path)["frames"] == video.probe(en_folder / en_manifest["chapter"]["video"])["frames"]
    assert video.subtitle_languages(path) == [video.TRACK_LANGUAGES[lang], video.TRACK_LANGUAGES[DEFAULT_LANG]]
    first, second = video.read_subtitles(path, 0), video.read_subtitles(path, 1)
    assert [t for t, _, _ in first] == [c.content for c in own]
    assert [t for t, _, _ in second] == [c.content for c in english]
    assert [cue[1:] for cue in first] == [cue[1:] for cue in second]
    assert [title for title, _, _ in video.read_chapters(path)] == [tr(f"{chapter.id}.{cls.__name__}.title", lang) for cls in chapter.scenes()]


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=CHAPTER_IDS)
def test_clips_and_decks_in_another_language(rendered, chapter, lang):
    en_folder, en_manifest = rendered(chapter.id)
    folder, manifest = rendered(chapter.id, lang, (DEFAULT_LANG, lang))
    names = list(manifest["scenes"])
    made = clips.export(chapter.id, folder, manifest, names, "png", FPS)
    english = clips.export(chapter.id, en_folder, en_manifest, names, "png", FPS)
    assert folder.name == lang and all((clips.clip_folder(folder, "png") / c.file).exists() for c in made)
    assert [(c.scene, c.section, c.frames) for c in made] == [(c.scene, c.section, c.frames) for c in english]
    assert [n for c in made for n in c.notes] == [t for e in manifest["scenes"].values() for t, _, _ in e["cues"]]
    assert slides.deck_name(chapter, chapter.scenes(), lang) == (chapter.id, tr(f"{chapter.id}.title", lang))


def test_gallery_has_a_page_per_language(rendered):
    folder, _ = rendered("network", "zh", (DEFAULT_LANG, "zh"))
    en_folder, _ = rendered("network")
    root = en_folder.parents[1]
    assert folder.parents[2] == root
    page = gallery.write(root, "zh")
    assert page.name == "index.zh.html"
    html = page.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in html and tr("gallery.title", "zh") in html and tr("network.title", "zh") in html
    assert "network/tiny/zh/DigitInput.png" in html and "network/tiny/zh/network.en.srt" in html
    assert "network/tiny/DigitInput.png" not in html
    english = gallery.page(root)
    assert "network/tiny/DigitInput.png" in english and "/zh/" not in english


class VisibleWords(HTMLParser):
    """The words a reader of a page sees: its text, its title and the images' alt texts; not commands in <code>."""

    HIDDEN = {"code", "style", "script"}

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in self.HIDDEN
        self.words += [value for name, value in attrs if name == "alt" and value]

    def handle_endtag(self, tag):
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data):
        if not self._hidden:
            self.words.append(data)


ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
# The program's name, the names Chinese keeps in Latin letters (scenes/locale/README.md: functions, models,
# matrices, a variable), the clips' formats.
ALLOWED = {"netreel", "Sigmoid", "Softmax", "ReLU", "GPT", "MLP", "MeanFlow", "Transformer", "OV", "QK", "T", "MP4", "PNG", "WEBM", "MOV", "GIF"}


@pytest.mark.parametrize("lang", OTHERS)
def test_the_gallery_in_another_language_has_no_english_left(rendered, lang):
    folder, manifest = rendered("network", lang, (DEFAULT_LANG, lang))
    clips.export("network", folder, manifest, list(manifest["scenes"]), "png", FPS)
    root = folder.parents[2]
    parser = VisibleWords()
    parser.feed(gallery.page(root, lang))
    files = {path.name for path in root.rglob("*") if path.is_file()}
    left = sorted({w for text in parser.words for w in ASCII_WORD.findall(text) if w not in ALLOWED and w not in files})
    assert left == [], f"words not in {lang} on its gallery page"
    text = " ".join(parser.words)
    step = registry.chapter("network").scenes()[0].steps[0]
    assert tr(f"network.DigitInput.sections.{step}", lang) in text and tr("gallery.quality.tiny", lang) in text


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["render", "network", "--lang", "fr"],
        ["render", "network", "--subtitles", "en+fr"],
        ["preview", "network.Layers", "--lang", "fr"],
        ["clips", "network", "--lang", "fr"],
        ["slides", "network", "--lang", "fr"],
        ["gallery", "--lang", "fr"],
        ["audit", "network", "--lang", "fr"],
    ],
)
def test_an_unknown_language_lists_the_available_ones(args):
    one_line_error(run(*args), "unknown language 'fr'", "available: " + ", ".join(languages()))


@pytest.fixture
def locale_without_a_key(tmp_path, monkeypatch) -> tuple[str, Path]:
    """A copy of the catalogs whose Chinese lacks the last key of Chapter 1's file: (key, file)."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    chapter = registry.CHAPTERS[0].id
    path = copy / "zh" / f"{chapter}.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if re.match(r"\w+ = ", line))
    table = [m.group(1) for line in lines[:last] if (m := re.match(r"\[(.+)\]", line))]
    key = ".".join([chapter, *table[-1:], lines[last].split(" = ")[0]])
    path.write_text("".join(lines[:last] + lines[last + 1 :]), encoding="utf-8")
    monkeypatch.setattr(text, "LOCALE_DIR", copy)
    catalog.cache_clear()
    yield key, path
    catalog.cache_clear()


@pytest.mark.parametrize("command", [["render", "network"], ["preview", "network.Layers", "--still"], ["audit", "network"]])
def test_a_missing_key_names_itself_and_its_file(locale_without_a_key, command, tmp_path):
    key, path = locale_without_a_key
    out = ["--out", str(tmp_path / "out")] if command[0] != "audit" else []
    one_line_error(run(*command, "--lang", "zh", *out), f"catalog key {key!r} is missing from {path}")


@pytest.mark.render
def test_preview_in_chinese_goes_to_its_own_folder(tmp_path):
    result = run("preview", "network.ParameterCount", "--still", "--lang", "zh", "--quality", "tiny", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()) == tmp_path / "preview" / "network" / "zh" / "ParameterCount.png"


def test_project_default_language(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.netreel]\nlang = "zh"\n', encoding="utf-8")
    result = run("gallery", "--out", str(tmp_path / "renders"))
    assert result.exit_code == 0, result.stderr
    page = Path(result.stdout.strip())
    assert page.name == "index.zh.html" and tr("gallery.title", "zh") in page.read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.netreel]\nlang = "klingon"\n', encoding="utf-8")
    one_line_error(run("gallery", "--out", str(tmp_path / "renders")), "unknown language 'klingon'")
