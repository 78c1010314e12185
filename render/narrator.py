"""The voice of a render: each cue's speech in every voiced language, timed and cached.

A scene asks its narrator how long a cue's words take to say (the longest of the
voiced languages: one timing carries every language's track); the worker then
lays each cue's speech at its start into one track per language.

Speech is synthesised once per (engine, language, text): normalised utterances are
kept as FLAC in ``<cache>/voice/``, so re-rendering, changing a picture or adding a
language speaks only what is new.

Recorded narration, ``recorded:DIR``, reads ``DIR/<lang>/<cue id>.wav`` (or
``.flac``); ``netreel script`` lists the cue ids. A cue without a recording is
spoken by the offline voice, and the render names it. A worker on another machine
(``--executor dask``) is sent the scene's recordings with its job.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from netreel.integrity import plain_name
from netreel.nets.paths import cache_dir
from netreel.render import audio, speech
from netreel.scenes.common.text import tr

RECORDING_SUFFIXES = (".wav", ".flac")
SPOKEN = {"en": {"−": " minus ", "…": "...", "×": " times "}, "zh": {"−": "负", "…": "……", "×": "乘"}}


def spoken(text: str, lang: str) -> str:
    """What an engine is given to say: signs it would skip or misread written as words."""
    for sign, word in SPOKEN.get(lang, SPOKEN["en"]).items():
        text = text.replace(sign, word)
    return " ".join(text.split())


def recordings_folder(spec: str) -> Path | None:
    """The folder of a ``recorded:DIR`` voice (checked), else None."""
    name, _, arg = spec.partition(":")
    if name != "recorded":
        return None
    folder = Path(arg).expanduser()
    if not arg or not folder.is_dir():
        raise speech.VoiceError(f"recordings folder {arg or '(none given)'} does not exist (recorded:DIR, DIR/<lang>/<cue id>.wav)")
    return folder


def check(spec: str, langs: tuple[str, ...]) -> None:
    """Refuse a voice that cannot speak every language asked for, before anything renders."""
    if spec == "none":
        return
    folder = recordings_folder(spec)
    for lang in langs:
        speech.engine_for("offline" if folder else spec, lang).check()
        for path in sorted((folder / lang).glob("*")) if folder else ():
            if path.suffix in RECORDING_SUFFIXES:
                audio.read_sound(path)  # an unreadable recording is refused by name now, not half-way


def recordings_of(spec: str, langs: tuple[str, ...], scene_id: str) -> dict[str, bytes]:
    """A ``recorded:DIR`` voice's files for one scene, by ``<lang>/<name>``: what a worker
    on another machine, without the folder, is sent to speak with (empty for other voices)."""
    folder = recordings_folder(spec)
    if folder is None:
        return {}
    return {
        f"{lang}/{path.name}": path.read_bytes()
        for lang in langs for path in sorted((folder / lang).glob(f"{scene_id}.*")) if path.suffix in RECORDING_SUFFIXES
    }


def unpack_recordings(files: dict[str, bytes], folder: Path) -> str:
    """Write :func:`recordings_of`'s files under ``folder``; the voice spec that speaks with them."""
    for name, data in files.items():
        lang, _, file = name.partition("/")
        if not (plain_name(lang) and plain_name(file)):
            raise speech.VoiceError(f"a recording sent as {name!r} is not <lang>/<cue id>.wav")
        (folder / lang).mkdir(parents=True, exist_ok=True)
        (folder / lang / file).write_bytes(data)
    return f"recorded:{folder}"


def fingerprint(spec: str, langs: tuple[str, ...], scene_id: str) -> str:
    """What decides a scene's speech: the engines per language, or its recordings' bytes."""
    if spec == "none":
        return "none"
    folder = recordings_folder(spec)
    h = hashlib.sha256()
    for lang in langs:
        h.update(speech.engine_for("offline" if folder else spec, lang).fingerprint.encode() + b"\0")
        if folder is not None:
            for path in sorted((folder / lang).glob(f"{scene_id}.*")):
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{spec.partition(':')[0]}-{'+'.join(langs)}-{h.hexdigest()[:16]}"


@dataclass
class Narrator:
    """Speech for one scene's cues in ``langs`` with the voice ``spec`` (see :mod:`netreel.render.speech`)."""

    spec: str
    langs: tuple[str, ...]
    said: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (cue id, lang) -> samples
    fallbacks: list[str] = field(default_factory=list)  # cue ids without a recording, spoken offline

    def __post_init__(self) -> None:
        self.folder = recordings_folder(self.spec)

    def seconds(self, cue: str, key: str, fills: dict[str, object]) -> float:
        """How long the cue's words take to say in the slowest voiced language."""
        return max(len(self.speak(cue, lang, tr(key, lang, **fills))) / audio.RATE for lang in self.langs)

    def speak(self, cue: str, lang: str, text: str) -> np.ndarray:
        if (cue, lang) not in self.said:
            self.said[cue, lang] = self._recorded(cue, lang) if self.folder else None
            if self.said[cue, lang] is None:
                if self.folder and cue not in self.fallbacks:
                    self.fallbacks.append(cue)
                self.said[cue, lang] = synthesised(speech.engine_for("offline" if self.folder else self.spec, lang), lang, text)
        return self.said[cue, lang]

    def _recorded(self, cue: str, lang: str) -> np.ndarray | None:
        for suffix in RECORDING_SUFFIXES:
            path = self.folder / lang / f"{cue}{suffix}"
            if path.is_file():
                return audio.normalise(audio.trim_silence(audio.read_sound(path)))
        return None

    def utterances(self, cues: list[str], starts: list[float], lang: str, lead: float) -> list[tuple[float, np.ndarray]]:
        """Each cue's speech in ``lang`` and the time it starts (``lead`` after its cue)."""
        return [(start + lead, self.said[cue, lang]) for cue, start in zip(cues, starts) if (cue, lang) in self.said]


def synthesised(engine: speech.Engine, lang: str, text: str) -> np.ndarray:
    """``text`` said by ``engine``, trimmed and normalised; from the cache when said before."""
    words = spoken(text, lang)
    level = f"{audio.TARGET_LUFS}/{audio.CEILING_DBTP - audio.HEADROOM_DB}"  # how it was normalised
    digest = hashlib.sha256(f"{engine.fingerprint}\0{lang}\0{words}\0{level}".encode()).hexdigest()[:24]
    kept = cache_dir() / "voice" / f"{digest}.flac"
    if kept.is_file():
        try:
            return audio.read_sound(kept)
        except audio.AudioError:
            kept.unlink(missing_ok=True)
    kept.parent.mkdir(parents=True, exist_ok=True)
    wav = kept.with_name(f".{digest}.{os.getpid()}.wav")
    try:
        engine.speak(words, lang, wav)
        samples = audio.normalise(audio.trim_silence(audio.read_sound(wav)))
    except audio.AudioError as err:
        raise speech.VoiceError(f"the {engine.name} voice wrote no sound this reader can use ({err})") from None
    finally:
        wav.unlink(missing_ok=True)
    tmp = kept.with_name(f".{digest}.{os.getpid()}.flac")
    audio.write_flac(tmp, samples)
    os.replace(tmp, kept)
    return samples
