"""The gallery page: ``OUT/index.html`` lists every chapter and scene with what was rendered of it.

For each chapter (in lecture order) and each render of it (quality, aspect,
background): the chapter video, its subtitles, its slide decks; for each scene
its last frame as thumbnail, its duration, its sections, and links to its video
and to the clips of each section. Chapters not rendered yet say how to render
them; renders of scene files of one's own follow the chapters. Links are
relative, so the folder can be moved or served as it is.

Each language has a page of its own, in its words, listing its renders:
``index.html`` for English, ``index.<lang>.html`` (``index.zh.html``) for the others.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from urllib.parse import quote

from netreel.scenes import registry
from netreel.scenes.common.text import DEFAULT_LANG, tr
from netreel.render import clips as clip_files
from netreel.render.aspect import DEFAULT_ASPECT, pixel_size
from netreel.render.chapter import MANIFEST, read_manifest, scene_title, section_title
from netreel.render.presets import QUALITIES
from netreel.render.slides import DECK_FORMATS

PAGE = "index.html"
HTML_LANG = {"zh": "zh-Hans"}  # catalog language -> the page's lang attribute, where they differ
STYLE = """
body { background: #0b0d12; color: #e8e8e8; font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; }
a { color: #8ab4f8; } h1, h2, h3 { font-weight: normal; } code { background: #1d2030; padding: 0.1em 0.3em; }
.render { border-top: 1px solid #333; padding-top: 0.5em; margin-bottom: 2em; }
.scenes { display: grid; grid-template-columns: repeat(auto-fill, minmax(16em, 1fr)); gap: 1em; }
.scene { background: #151823; padding: 0.6em; border-radius: 4px; }
.scene img { width: 100%; display: block; background: repeating-conic-gradient(#444 0 25%, #666 0 50%) 0 / 16px 16px; }
.scene ol { padding-left: 1.4em; margin: 0.3em 0; } video { max-width: 100%; }
.muted { color: #999; }
"""


def _href(path: Path, root: Path) -> str:
    return quote(path.relative_to(root).as_posix())


def _link(path: Path, root: Path, label: str) -> str:
    return f'<a href="{_href(path, root)}">{html.escape(label)}</a>'


def _seconds(value: float) -> str:
    return f"{int(value // 60)}:{value % 60:04.1f}"


def page_name(lang: str = DEFAULT_LANG) -> str:
    return PAGE if lang == DEFAULT_LANG else f"index.{lang}.html"


def _renders(folder: Path, lang: str = DEFAULT_LANG) -> list[Path]:
    """A chapter's render folders in a language (one per quality, aspect and background), those with a manifest."""
    if not folder.is_dir():
        return []
    variants = sorted(p if lang == DEFAULT_LANG else p / lang for p in folder.iterdir() if p.is_dir())
    return [p for p in variants if (p / MANIFEST).exists()]


def _variant(render: Path, lang: str) -> str:
    """The quality, aspect and background a render folder holds (``low``, ``low-4x3``)."""
    return render.name if lang == DEFAULT_LANG else render.parent.name


def _variant_label(render: Path, lang: str) -> str:
    """A render folder's quality, size, frame rate, aspect and background in ``lang``'s words: ``low · 854×480 · 15 fps``."""
    quality, *rest = _variant(render, lang).split("-")
    aspect = next((part.replace("x", ":") for part in rest if part not in ("alpha", "subs")), DEFAULT_ASPECT)
    width, height = pixel_size(quality, aspect)
    parts = [tr(f"gallery.quality.{quality}", lang), f"{width}×{height}", f'{QUALITIES[quality].fps} {tr("gallery.fps", lang)}']
    if aspect != DEFAULT_ASPECT:
        parts.append(aspect)
    if "alpha" in rest:
        parts.append(tr("gallery.transparent", lang))
    if "subs" in rest:
        parts.append(tr("gallery.burned", lang))
    return " · ".join(parts)


def _clips_by_section(render: Path) -> dict[tuple[str, str], list[tuple[str, Path]]]:
    """(scene, section) -> [(format, file)] for every clip exported from a render."""
    found: dict[tuple[str, str], list[tuple[str, Path]]] = {}
    for index in sorted((render / "clips").glob(f"*/{clip_files.INDEX}")):
        for clip in clip_files.read_index(index.parent):
            path = index.parent / clip["file"]
            if path.exists():
                found.setdefault((clip["scene"], clip["section"]), []).append((clip["format"], path))
    return found


def _scene_card(
    name: str, title: str, sections_named: dict[str, str], entry: dict | None, render: Path, root: Path, clips: dict, lang: str,
) -> str:
    if entry is None:
        return f'<div class="scene"><h3>{html.escape(title)}</h3><p class="muted">{html.escape(tr("gallery.scene_not_rendered", lang))}</p></div>'
    still = render / entry["still"]
    video = render / entry["video"]
    sections = []
    for section, _ in entry.get("sections", []):
        links = " ".join(_link(path, root, fmt.upper()) for fmt, path in clips.get((name, section), []))
        sections.append(f"<li>{html.escape(sections_named.get(section, section))} {links}</li>")
    anchor = "-".join(html.escape(part) for part in render.relative_to(root).parts + (name,))
    return (
        f'<div class="scene" id="{anchor}">'
        f'<a href="{_href(video, root)}"><img src="{_href(still, root)}" alt="{html.escape(title)}" loading="lazy"></a>'
        f"<h3>{html.escape(title)}</h3>"
        f'<p>{_link(video, root, tr("gallery.video", lang))} · {_seconds(entry["duration"])}</p>'
        f'<p class="muted">{html.escape(tr("gallery.sections", lang))}</p><ol>{"".join(sections)}</ol></div>'
    )


def _tracks(render: Path, root: Path, chapter: dict, lang: str) -> str:
    """``<track>`` elements for the chapter video's WebVTT subtitles: its own language's first (the default), then the others'."""
    files = {lang: chapter["srt"], **{each: name for each, name in chapter.get("subtitles", {}).items() if each != lang}}
    tracks = []
    for each, name in files.items():
        vtt = render / Path(name).with_suffix(".vtt")
        if vtt.is_file():
            label = html.escape(tr(f"gallery.language.{each}", lang), quote=True)
            default = " default" if each == lang else ""
            tracks.append(f'<track kind="subtitles" src="{_href(vtt, root)}" srclang="{each}" label="{label}"{default}>')
    return "".join(tracks)


def _render_block(render: Path, root: Path, scenes: list[tuple[str, str, dict[str, str]]], lang: str = DEFAULT_LANG) -> str:
    """A render's videos, subtitles and decks, and a card per scene: (class name, title, {section: its title})."""
    manifest = read_manifest(render)
    clips = _clips_by_section(render)
    head = [f"<h3>{html.escape(_variant_label(render, lang))}</h3>"]
    chapter = manifest.get("chapter", {})
    if chapter and (render / chapter.get("video", "")).is_file():
        target = render / chapter["video"]
        poster = render / manifest["scenes"][chapter["scenes"][0]]["still"]
        tracks = _tracks(render, root, chapter, lang)
        head.append(f'<video controls preload="metadata" src="{_href(target, root)}" poster="{_href(poster, root)}">{tracks}</video>')
        links = [_link(target, root, tr("gallery.chapter_video", lang)), _link(render / chapter["srt"], root, tr("gallery.subtitles", lang))]
        links += [
            _link(render / name, root, tr("gallery.subtitles_in", lang, language=tr(f"gallery.language.{each}", lang)))
            for each, name in chapter.get("subtitles", {}).items() if each != lang and (render / name).is_file()
        ]
        head.append(f"<p>{' · '.join(links)} · {_seconds(chapter['duration'])}</p>")
    decks = [deck for to in DECK_FORMATS for deck in sorted((render / "slides").glob(f"*.{to}"))]
    if decks:
        head.append(f'<p>{html.escape(tr("gallery.slides", lang))}: {" · ".join(_link(d, root, d.name) for d in decks)}</p>')
    cards = [
        _scene_card(name, title, sections, manifest["scenes"].get(name), render, root, clips, lang) for name, title, sections in scenes
    ]
    return f'<div class="render">{"".join(head)}<div class="scenes">{"".join(cards)}</div></div>'


def page(root: Path, lang: str = DEFAULT_LANG) -> str:
    """The gallery, in ``lang``'s words, of everything rendered in ``lang`` under ``root``."""
    body = [f'<h1>{html.escape(tr("gallery.title", lang))}</h1><p>{html.escape(tr("gallery.intro", lang))}</p>']
    known = set()
    command = "" if lang == DEFAULT_LANG else f" --lang {lang}"
    for chapter in registry.CHAPTERS:
        known.add(chapter.id)
        scenes = [
            (cls.__name__, scene_title(cls, lang), {step: section_title(cls.chapter, cls.__name__, step, lang) for step in cls.steps})
            for cls in chapter.scenes()
        ]
        body.append(f'<section id="{chapter.id}"><h2>{chapter.number}. {html.escape(tr(f"{chapter.id}.title", lang))}</h2>')
        renders = _renders(root / chapter.id, lang)
        if not renders:
            body.append(f'<p class="muted">{html.escape(tr("gallery.not_rendered", lang))} <code>netreel render {chapter.id}{command}</code></p>')
        body += [_render_block(render, root, scenes, lang) for render in renders]
        body.append("</section>")
    own = [p for p in sorted(root.iterdir()) if p.is_dir() and p.name not in known and _renders(p, lang)] if root.is_dir() else []
    if own:
        body.append(f'<section id="own"><h2>{html.escape(tr("gallery.own_scenes", lang))}</h2>')
        for folder in own:
            body.append(f"<h3>{html.escape(folder.name)}</h3>")
            for render in _renders(folder, lang):
                names = list(read_manifest(render)["scenes"])
                body.append(_render_block(render, root, [(n, n, {}) for n in names], lang))
        body.append("</section>")
    return (
        f'<!DOCTYPE html><html lang="{HTML_LANG.get(lang, lang)}"><head><meta charset="utf-8"><title>{html.escape(tr("gallery.title", lang))}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
        f"<body>{''.join(body)}</body></html>\n"
    )


def write(root: Path, lang: str = DEFAULT_LANG) -> Path:
    """Write ``root``'s page in ``lang`` (``index.html``, ``index.zh.html``; under a temporary name first); return its path."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / page_name(lang)
    tmp = root / f".{target.name}.{os.getpid()}.tmp"
    tmp.write_text(page(root, lang), encoding="utf-8")
    os.replace(tmp, target)
    return target
