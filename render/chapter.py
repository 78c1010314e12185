"""A chapter's folder: its manifest, its scenes' subtitles, and the chapter video assembled from them.

``manifest.json`` records each rendered scene (its hash, duration, cues, sections,
the digest of every file it wrote) and the assembled chapter; a scene is current when
its hash matches and each of its files is there with the digest it was made with.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from netreel.integrity import file_digest, plain_name
from netreel.render import audio, clips, video
from netreel.nets.facts import Facts
from netreel.scenes.common.ledger import rebuild_fill
from netreel.scenes.common.text import DEFAULT_LANG, CatalogError, tr
from netreel.scenes.registry import Chapter

MANIFEST = "manifest.json"


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("scenes"), dict) else {"scenes": {}}
    except (OSError, ValueError):
        return {"scenes": {}}


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write the record through a temporary name; one that cannot be written leaves nothing behind."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=1)
        os.replace(name, folder / MANIFEST)
    except OSError as err:
        err.filename = err.filename or str(folder / MANIFEST)
        raise
    finally:
        Path(name).unlink(missing_ok=True)


def is_current(manifest: dict, folder: Path, name: str, hashes: dict[str, str], facts: Facts) -> bool:
    """Whether a scene's render in ``folder`` is of the inputs that hash to ``hashes[name]``:
    its record says so, every file it records is there, in the folder, as it was made, and
    every fill of its captions is made again from ``facts``."""
    entry = manifest["scenes"].get(name)
    if not isinstance(entry, dict) or entry.get("hash") != hashes[name]:
        return False
    audio = entry.get("audio", {})
    needed = [entry.get("video"), *(audio.values() if isinstance(audio, dict) else [None])]
    return unchanged(folder, entry.get("files")) and all(n in entry["files"] for n in needed) and _fills_hold(entry, facts)


def unchanged(folder: Path, files: object) -> bool:
    """Whether each file a record names (``{name: digest}``) is in ``folder`` and has its digest."""
    return isinstance(files, dict) and bool(files) and all(
        plain_name(name) and file_digest(folder / name) == digest for name, digest in files.items()
    )


def subtitle_name(name: str, lang: str) -> str:
    """``network.srt`` in another language: ``network.zh.srt`` (players pick the language from the name)."""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{lang}.{suffix}"


def scene_cues(entry: dict, lang: str, facts: Facts) -> list[video.Cue]:
    """A rendered scene's cues in ``lang``: the same timings, each caption in that language's words,
    its numbers and words made again from the facts they were read from (:func:`rebuild_fill`).

    ValueError for a record whose fills are not the ledger's.
    """
    return [
        (tr(key, lang, **{name: rebuild_fill(record, facts) for name, record in fills.items()}), start, end)
        for (key, fills), (_, start, end) in zip(entry["captions"], entry["cues"])
    ]


def _fills_hold(entry: dict, facts: Facts) -> bool:
    """Whether every fill a scene's record keeps is made again from ``facts`` (a record written
    before fills named their facts, or altered since, is not)."""
    try:
        for _, fills in entry["captions"]:
            for record in fills.values():
                rebuild_fill(record, facts)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True


def write_srt(path: Path, cues: list[video.Cue]) -> None:
    """``path`` (SubRip) and the same cues as WebVTT beside it (``.vtt``, for HTML5 video)."""
    for target, text in ((path, video.cues_to_srt(cues)), (path.with_suffix(".vtt"), video.cues_to_vtt(cues))):
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)


def chapter_sound(folder: Path, entries: list[dict]) -> list[tuple[str, np.ndarray]]:
    """Each language's track of the chapter: its scenes' FLACs joined sample for sample, at the target loudness.

    A scene without a track in a language is silence there; no languages when no scene has sound.
    """
    langs = list(dict.fromkeys(lang for e in entries for lang in e.get("audio", {})))
    joined = []
    for lang in langs:
        parts = [
            audio.read_sound(folder / e["audio"][lang]) if lang in e.get("audio", {}) else np.zeros(0, np.float32)
            for e in entries
        ]
        lengths = [round(e["duration"] * audio.RATE) for e in entries]
        track = np.concatenate([np.pad(p[:n], (0, n - len(p[:n]))) for p, n in zip(parts, lengths)])
        joined.append((lang, audio.match_loudness(track)))
    return joined


def assemble(
    chapter: Chapter, scenes: list[type], folder: Path, manifest: dict, hashes: dict[str, str], facts: Facts,
    lang: str = DEFAULT_LANG, subtitles: tuple[str, ...] = (),
) -> Path | None:
    """Join the chapter's scene videos and subtitles, when every scene is current.

    The video's own language (``lang``) is its first subtitle track and ``<chapter>.srt``;
    each language of ``subtitles`` gets ``<chapter>.<lang>.srt`` and a track of its own.
    """
    names = [cls.__name__ for cls in scenes]
    if not all(is_current(manifest, folder, n, hashes, facts) for n in names):
        return None
    target = folder / f"{chapter.id}.mp4"
    key = [hashes[n] for n in names]
    srt_files = {each: subtitle_name(target.with_suffix(".srt").name, each) for each in subtitles}
    previous = manifest.get("chapter", {})
    if (
        isinstance(previous, dict) and previous.get("scene_hashes") == key and previous.get("subtitles", {}) == srt_files
        and "chapters" in previous and previous.get("video") == target.name and unchanged(folder, previous.get("files"))
    ):
        return target
    entries = [manifest["scenes"][n] for n in names]
    cues = video.join_cues([(e["duration"], e["cues"]) for e in entries])
    tracks = {lang: cues}
    for each in subtitles:
        tracks.setdefault(each, video.join_cues([(e["duration"], scene_cues(e, each, facts)) for e in entries]))
    starts = video.join_cues([(e["duration"], [(scene_title(cls, lang), 0.0, e["duration"])]) for cls, e in zip(scenes, entries)])
    sound = chapter_sound(folder, entries)
    video.concat([folder / e["video"] for e in entries], target, chapters=starts, tracks=list(tracks.items()), audio=sound)
    srt_path = target.with_suffix(".srt")
    write_srt(srt_path, cues)
    for each, name in srt_files.items():
        write_srt(folder / name, tracks[each])
    manifest["chapter"] = {
        "video": target.name,
        "srt": srt_path.name,
        "subtitles": srt_files,
        "scenes": names,
        "scene_hashes": key,
        "duration": sum(e["duration"] for e in entries),
        "audio": [lang for lang, _ in sound],
        "chapters": [[title, start, end] for title, start, end in starts],
        "files": {
            name: file_digest(folder / name)
            for name in (target.name, srt_path.name, srt_path.with_suffix(".vtt").name, *srt_files.values(),
                         *(Path(n).with_suffix(".vtt").name for n in srt_files.values()))
        },
    }
    write_manifest(folder, manifest)
    return target


def converted(folder: Path, record: dict, name: str, fmt: str) -> tuple[Path, bool]:
    """The video ``name`` of ``folder`` in format ``fmt`` (webm, gif) beside it, and whether it was made
    now: it is made again only when ``record`` (its scene's or the chapter's) says the last one was
    made from another file, or the file is not the one made."""
    target = Path(name).with_suffix(clips.FORMATS[fmt].suffix).name
    source = file_digest(folder / name)
    done = record.get("converted", {}).get(fmt)
    if isinstance(done, dict) and done.get("source") == source and done.get("file") == target and unchanged(folder, done.get("files")):
        return folder / target, False
    clips.convert(folder / name, folder / target, fmt)
    record.setdefault("converted", {})[fmt] = {"file": target, "source": source, "files": {target: file_digest(folder / target)}}
    return folder / target, True


def _title(key: str, lang: str, fallback: str) -> str:
    try:
        return tr(key, lang)
    except CatalogError:
        return fallback


def scene_title(cls: type, lang: str = DEFAULT_LANG) -> str:
    """A scene's title from its catalog (its chapter marker and its name in the gallery), else its class name."""
    return _title(f"{cls.chapter}.{cls.__name__}.title", lang, cls.__name__)


def section_title(chapter: str, scene: str, section: str, lang: str = DEFAULT_LANG) -> str:
    """A section's title from its scene's catalog (``[Scene.sections]``: its name in the gallery and
    its slide's title), else its name."""
    return _title(f"{chapter}.{scene}.sections.{section}", lang, section)
