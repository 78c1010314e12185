"""Chapter videos' subtitle tracks and markers, aspect ratios, clips, slide decks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import numpy as np
import pytest
import srt
from PIL import Image

from netreel.scenes import registry
from netreel.scenes.common.base import SceneContext
from netreel.render import clips, slides, video
from netreel.render.aspect import frame_size, outside_frame
from netreel.render.chapter import read_manifest, section_title
from netreel.render.pipeline import RenderOptions, render
from netreel.render.run import Settings, run_scene

SCENES = [(ch, cls) for ch in registry.CHAPTERS for cls in ch.scenes()]
IDS = [f"{ch.id}.{cls.__name__}" for ch, cls in SCENES]
FPS = 10  # tiny
ALPHA_SCENE = "network.ParameterCount"


def sections_of(manifest: dict) -> int:
    return sum(len(clips.section_ranges(e, FPS)) for e in manifest["scenes"].values())


@pytest.mark.parametrize("chapter", registry.CHAPTERS, ids=[ch.id for ch in registry.CHAPTERS])
def test_chapter_video_has_a_marker_per_scene_and_the_subtitles(rendered, chapter):
    folder, manifest = rendered(chapter.id)
    path = folder / manifest["chapter"]["video"]
    info = video.probe(path)
    markers = video.read_chapters(path)
    names = manifest["chapter"]["scenes"]
    assert len(markers) == len(names) == len(chapter.scenes())
    ends = np.cumsum([manifest["scenes"][n]["duration"] for n in names])
    assert [m[2] for m in markers] == pytest.approx(list(ends), abs=1e-3)
    assert [m[1] for m in markers] == pytest.approx([0.0, *ends[:-1]], abs=1e-3)
    assert ends[-1] == pytest.approx(info["frames"] / info["fps"], abs=1e-3)

    cues = list(srt.parse((folder / manifest["chapter"]["srt"]).read_text(encoding="utf-8")))
    track = video.read_subtitles(path)
    assert [c.content for c in cues] == [text for text, _, _ in track]
    for cue, (_, start, end) in zip(cues, track):
        assert cue.start.total_seconds() == pytest.approx(start, abs=1e-3)
        assert cue.end.total_seconds() == pytest.approx(end, abs=1e-3)
    assert cues[-1].end.total_seconds() <= info["duration"] + 1e-3
    # each scene's first cue starts where its marker does: subtitles line up with the joined video
    for name, (_, start, _) in zip(names, markers):
        first = manifest["scenes"][name]["cues"][0][1]
        assert any(abs(s - (start + first)) < 1e-3 for _, s, _ in track)


@pytest.mark.parametrize("aspect", ["4:3", "1:1"])
@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_last_frame_stays_inside_narrower_frames(chapter_facts, chapter, scene, aspect):
    facts, _ = chapter_facts(chapter.facts)
    done = run_scene(scene, SceneContext(facts), Settings(aspect=aspect), draw=False)
    assert done.mobjects, "the scene ends on an empty frame"
    assert outside_frame(done.mobjects, frame_size(aspect)) == []


def test_frame_check_catches_a_mobject_off_the_edge():
    from manim import Circle, Square

    inside, outside = Square(side_length=1), Circle(radius=0.5).move_to([6.9, 0, 0])
    assert outside_frame([inside], frame_size("16:9")) == []
    assert len(outside_frame([inside, outside], frame_size("16:9"))) == 1
    assert outside_frame([outside], frame_size("1:1")) != []  # 1:1 keeps 16:9's width
    assert outside_frame([Circle(radius=0.5).move_to([0, 5, 0])], frame_size("1:1")) == []


@pytest.fixture(scope="session")
def exported(rendered):
    """Chapter 1's clips in every opaque format: {format: (folder, [Clip])}."""
    folder, manifest = rendered("network")
    return {
        fmt: (clips.clip_folder(folder, fmt), clips.export("network", folder, manifest, list(manifest["scenes"]), fmt, FPS))
        for fmt in clips.FORMATS
    }


def test_clips_cut_every_section_exactly(rendered, exported):
    folder, manifest = rendered("network")
    clip_dir, mp4 = exported["mp4"]
    assert len(mp4) == sections_of(manifest)
    for name, entry in manifest["scenes"].items():
        own = [c for c in mp4 if c.scene == name]
        assert [c.section for c in own] == [s for s, _ in entry["sections"]]
        assert sum(c.frames for c in own) == entry["frames"]
        for clip in own:
            info = video.probe(clip_dir / clip.file)
            assert info["frames"] == clip.frames and (info["width"], info["height"]) == (256, 144)
            assert Image.open(clip_dir / clip.poster).size == (256, 144)
    index = json.loads((clip_dir / clips.INDEX).read_text(encoding="utf-8"))
    assert {"chapter", "scene", "section", "file", "duration"} <= set(index[0])
    assert [(c["scene"], c["section"]) for c in index] == [(c.scene, c.section) for c in mp4]
    notes = [n for c in mp4 for n in c.notes]
    assert notes == [text for e in manifest["scenes"].values() for text, _, _ in e["cues"]]


def test_gif_and_png_clips_open_with_pillow(exported):
    gif_dir, gifs = exported["gif"]
    png_dir, pngs = exported["png"]
    for clip in gifs:
        with Image.open(gif_dir / clip.file) as image:
            assert image.format == "GIF" and image.size == (256, 144)
            assert getattr(image, "n_frames", 1) > 1 or clip.frames == 1
    for clip in pngs:
        with Image.open(png_dir / clip.file) as image:
            assert image.format == "PNG" and image.size == (256, 144)
        assert clip.poster == clip.file
    for fmt in ("webm", "mov"):
        folder, made = exported[fmt]
        assert all(video.probe(folder / c.file)["frames"] == c.frames for c in made)


@pytest.fixture(scope="session")
def transparent(rendered, tmp_path_factory):
    """One scene rendered without background, exported as webm, mov and png."""
    out = tmp_path_factory.mktemp("alpha")
    (output,) = render(registry.resolve(ALPHA_SCENE), RenderOptions(quality="tiny", out=out, transparent=True))
    manifest = read_manifest(output.folder)
    name = ALPHA_SCENE.split(".")[1]
    return {fmt: (clips.clip_folder(output.folder, fmt), clips.export("network", output.folder, manifest, [name], fmt, FPS)) for fmt in clips.ALPHA_FORMATS}


def _alpha_frames(path: Path) -> tuple[str, list[np.ndarray]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.codec_context.name == "vp9":  # FFmpeg's own VP9 decoder drops the alpha plane; libvpx keeps it
            decoder = av.CodecContext.create("libvpx-vp9", "r")
            frames = [f for packet in container.demux(stream) for f in decoder.decode(packet)]
        else:
            frames = list(container.decode(stream))
    return frames[-1].format.name, [f.to_ndarray(format="rgba")[..., 3] for f in frames]


@pytest.mark.parametrize(("fmt", "pix_fmt"), [("webm", "yuva420p"), ("mov", "argb")])
def test_transparent_clips_carry_alpha(transparent, fmt, pix_fmt):
    folder, made = transparent[fmt]
    assert made and all(c.transparent for c in made)
    for clip in made:
        name, alphas = _alpha_frames(folder / clip.file)
        assert name == pix_fmt
        last = alphas[-1]
        assert last.min() <= 8 and last.max() >= 224, "alpha does not vary across the frame"  # VP9's alpha is lossy
        assert 0.05 < (last == 0).mean() < 0.98
    if fmt == "webm":
        with av.open(str(folder / made[0].file)) as container:
            assert container.streams.video[0].metadata.get("alpha_mode") == "1"


def test_transparent_png_and_posters_have_alpha(transparent):
    folder, made = transparent["png"]
    for clip in made:
        with Image.open(folder / clip.file) as image:
            alpha = np.asarray(image.convert("RGBA"))[..., 3]
            assert image.mode == "RGBA" and alpha.min() == 0 and alpha.max() >= 224  # text at tiny is antialiased


def test_failed_export_keeps_the_clips_already_there(rendered, exported, monkeypatch):
    folder, manifest = rendered("network")
    clip_dir, mp4 = exported["mp4"]
    scene = "ParameterCount"
    before = {p.name: p.read_bytes() for p in clip_dir.iterdir()}
    stale = [dict(c, source_hash="stale") if c["scene"] == scene else c for c in clips.read_index(clip_dir)]
    (clip_dir / clips.INDEX).write_text(json.dumps(stale), encoding="utf-8")
    calls = {"n": 0}
    original = clips._PacketWriter.write

    def fail_midway(self, packet):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        original(self, packet)

    monkeypatch.setattr(clips._PacketWriter, "write", fail_midway)
    with pytest.raises(OSError):
        clips.export("network", folder, manifest, [scene], "mp4", FPS)
    after = {p.name: p.read_bytes() for p in clip_dir.iterdir() if p.name != clips.INDEX}
    assert after == {k: v for k, v in before.items() if k != clips.INDEX}, "a clip was replaced or a partial file left"
    monkeypatch.undo()
    clips.export("network", folder, manifest, [scene], "mp4", FPS)  # the index is whole again


@pytest.fixture(scope="session")
def decks(rendered, exported):
    folder, _ = rendered("network")
    clip_dir, mp4 = exported["mp4"]
    return {
        to: slides.build(mp4, clip_dir, slides.deck_path(folder, "network", to), to, "network", "#0b0d12")
        for to in slides.DECK_FORMATS
    }, mp4


WIDESCREEN, STANDARD = (12192000, 6858000), (9144000, 6858000)  # 13.333 x 7.5 in, 10 x 7.5 in


def check_pptx_slides(path: Path, made: list[clips.Clip], size: tuple[int, int]) -> None:
    """Each slide: the standard ``size``, its step as title, its narration as notes, its clip fitted below the title."""
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = pptx.Presentation(str(path))
    assert (deck.slide_width, deck.slide_height) == size
    assert len(deck.slides) == len(made)
    for slide, clip in zip(deck.slides, made):
        assert slide.shapes.title is not None and slide.shapes.title.text == section_title(clip.chapter, clip.scene, clip.section)
        assert slide.notes_slide.notes_text_frame.text == "\n\n".join(clip.notes)
        movies = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        (movie,) = movies
        title = slide.shapes.title
        assert movie.top >= title.top + title.height, "the clip covers the title"
        assert movie.left >= 0 and movie.left + movie.width <= size[0] and movie.top + movie.height <= size[1]
        assert movie.width / movie.height == pytest.approx(clip.width / clip.height, rel=1e-3)
        assert max(movie.width / size[0], movie.height / size[1]) > 0.75, "the clip is not scaled up to fill the slide"


def test_pptx_has_a_titled_standard_slide_per_section_with_the_narration_as_notes(decks):
    paths, mp4 = decks
    check_pptx_slides(paths["pptx"], mp4, WIDESCREEN)
    assert any(clip.notes for clip in mp4)


def _clip(folder: Path, width: int, height: int) -> clips.Clip:
    """A two-second mp4 of ``width`` x ``height`` pixels, as a clip with one cue."""
    with av.open(str(folder / "made.mp4"), mode="w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for k in range(2 * FPS):
            frame = np.full((height, width, 3), 12 * k, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return clips.Clip("network", "Made", "weights", 1, "made.mp4", "made.png", 0.0, 2.0, 2 * FPS, width, height,
                      "mp4", False, ["Each weight is a number."], "hash")


@pytest.mark.parametrize(
    ("width", "height", "size"), [(96, 72, STANDARD), (72, 72, STANDARD), (144, 108, STANDARD), (1280, 720, WIDESCREEN)]
)
def test_pptx_slide_is_standard_whatever_the_clips_size(tmp_path, width, height, size):
    made = [_clip(tmp_path, width, height)]
    deck = slides.build(made, tmp_path, slides.deck_path(tmp_path, "made", "pptx"), "pptx", "made", "#0b0d12")
    check_pptx_slides(deck, made, size)


def test_html_deck_references_every_clip(decks):
    paths, mp4 = decks
    page = paths["html"].read_text(encoding="utf-8")
    videos = re.findall(r'data-background-video="([^"]+)"', page)
    assert len(videos) == len(mp4)
    for ref, clip in zip(videos, mp4):
        assert ref.endswith(clip.file)
        assert (paths["html"].parent / ref).is_file()
    notes = re.findall(r'<aside class="notes"[^>]*>(.*?)</aside>', page, flags=re.S)
    assert len(notes) == sum(1 for c in mp4 if c.notes)


def test_html_deck_carries_reveal_js_beside_it(decks):
    paths, _ = decks
    page = re.sub(r"<!--.*?-->", "", paths["html"].read_text(encoding="utf-8"), flags=re.S)
    loaded = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    assert {"reveal.js", "reveal.css"} <= {ref.rsplit("/dist/", 1)[-1] for ref in loaded}
    for ref in loaded:
        assert not re.match(r"(https?:)?//", ref), f"the deck loads {ref} from the web"
        assert (paths["html"].parent / ref).is_file(), f"{ref} is not beside the deck"


def test_html_deck_loads_reveal_js_from_the_cdn_when_asked(exported, tmp_path):
    clip_dir, mp4 = exported["mp4"]
    deck = slides.deck_path(tmp_path, "cdn", "html")
    slides.build(mp4[:1], clip_dir, deck, "html", "cdn", "#0b0d12", offline=False)
    page = deck.read_text(encoding="utf-8")
    assert f'src="https://cdn.jsdelivr.net/npm/reveal.js@{slides.REVEAL_VERSION}/dist/reveal.js"' in page
    assert not (deck.parent / slides.assets_name(deck) / "reveal.js").exists()


@pytest.mark.parametrize(
    ("version", "said"), [(None, "reveal.js is not installed"), ("5.2.1", "reveal.js 5.2.1 is installed")]
)
def test_missing_reveal_js_is_one_line_before_rendering(tmp_path, monkeypatch, version, said):
    from click.testing import CliRunner

    from netreel.cli import main

    if version:
        (tmp_path / "reveal.js" / "dist").mkdir(parents=True)
        (tmp_path / "reveal.js" / "dist" / "reveal.js").write_text("", encoding="utf-8")
        (tmp_path / "reveal.js" / "package.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    monkeypatch.setattr(slides, "NODE_MODULES", tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["slides", "network", "--to", "html", "--quality", "tiny", "--out", str(out)])
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("netreel: ") and said in line and "npm ci" in line and "--cdn" in line
    assert not any(out.rglob("*.mp4")), "it rendered before saying reveal.js is missing"


def test_pdf_deck_has_a_page_per_section(decks):
    paths, mp4 = decks
    data = paths["pdf"].read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == len(mp4)
