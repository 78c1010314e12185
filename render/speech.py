"""Speech engines: text in one language to a sound file, offline.

A voice is named by a spec (``--voice`` or ``voice = "..."`` in ``[tool.netreel]``):

- ``offline``: the most natural voice installed for each language: Festival's
  HTS voice ``cmu_us_slt_arctic_hts`` for English (a smooth statistical voice;
  flite's ``slt`` and espeak-ng are the fallbacks), espeak-ng's Mandarin ``cmn``
  for Chinese (the only offline Debian engine that speaks it);
- ``espeak``, ``flite``, ``festival``: one engine for every language it speaks;
- ``piper:VOICE.onnx``: a neural voice file run by piper-tts (``pip install piper-tts``);
- ``command:CMD``: any program; ``{wav}`` in CMD is the file to write, ``{lang}``
  the language, and the text comes on its standard input.

Recorded narration (``recorded:DIR``) is :mod:`netreel.render.narrator`'s: it falls
back to ``offline`` for cues without a recording.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ENGINE_SECONDS = 120  # an engine that takes longer than this for one sentence has hung


class VoiceError(ValueError):
    """A voice that cannot speak: unknown, not installed, or a file it cannot load. One line."""


@dataclass(frozen=True)
class Engine:
    """One way to speak: ``argv`` (with ``{wav}``, ``{lang}``, ``{text_file}``) per language it speaks."""

    name: str
    binary: str
    package: str  # what installs ``binary``
    argv: dict[str, tuple[str, ...]]  # language -> command line; "*" for any language
    stdin: bool = True  # the text on standard input (else in ``{text_file}``)
    shell: bool = False
    identity: str = ""  # what else decides its sound (a voice file's digest)

    def command(self, lang: str) -> tuple[str, ...]:
        argv = self.argv.get(lang) or self.argv.get("*")
        if argv is None:
            raise VoiceError(f"the {self.name} voice does not speak {lang!r} (it speaks {', '.join(self.argv)})")
        return argv

    def check(self) -> None:
        if shutil.which(self.binary) is None:
            raise VoiceError(f"the {self.name} voice needs {self.binary!r}, which is not installed: {self.package}")

    @property
    def fingerprint(self) -> str:
        return f"{self.name}:{self.argv}:{self.identity}"

    def speak(self, text: str, lang: str, wav: Path) -> None:
        """Write ``text`` spoken in ``lang`` to ``wav``."""
        self.check()
        with tempfile.TemporaryDirectory(prefix="netreel-voice-") as folder:
            text_file = Path(folder) / "text.txt"
            text_file.write_text(text + "\n", encoding="utf-8")
            fill = {"wav": str(wav), "lang": lang, "text_file": str(text_file)}
            argv = self.command(lang)
            if self.shell:
                run: str | list[str] = argv[0].format(**{k: shlex.quote(v) for k, v in fill.items()})
            else:
                run = [part.format(**fill) for part in argv]
            try:
                done = subprocess.run(
                    run, input=text.encode("utf-8") if self.stdin else None, shell=self.shell,
                    capture_output=True, timeout=ENGINE_SECONDS, check=False,
                )
            except subprocess.TimeoutExpired:
                raise VoiceError(f"the {self.name} voice took over {ENGINE_SECONDS} s for one sentence") from None
        if done.returncode != 0 or not wav.exists() or wav.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise VoiceError(
                f"the {self.name} voice failed (exit {done.returncode})" + (f": {detail[-1]}" if detail else "")
            )


ESPEAK = Engine(
    "espeak", "espeak-ng", "Debian package espeak-ng",
    {"en": ("espeak-ng", "-v", "en-us", "-s", "160", "-w", "{wav}"), "zh": ("espeak-ng", "-v", "cmn", "-s", "160", "-w", "{wav}")},
)
FLITE = Engine("flite", "flite", "Debian package flite", {"en": ("flite", "-voice", "slt", "-f", "{text_file}", "-o", "{wav}")}, stdin=False)
FESTIVAL = Engine(
    "festival", "text2wave", "Debian packages festival and festvox-us-slt-hts",
    {"en": ("text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-o", "{wav}", "{text_file}")}, stdin=False,
)
ENGINES = {engine.name: engine for engine in (ESPEAK, FLITE, FESTIVAL)}
OFFLINE_PREFERENCE = {"en": (FESTIVAL, FLITE, ESPEAK), "zh": (ESPEAK,)}  # most natural first
SPECS = ("none", "offline", *ENGINES, "piper:VOICE.onnx", "command:CMD", "recorded:DIR")


def offline(lang: str) -> Engine:
    """The most natural installed engine for ``lang`` (see the module's notes)."""
    choices = OFFLINE_PREFERENCE.get(lang, (ESPEAK,))
    for engine in choices:
        if shutil.which(engine.binary) is not None:
            return engine
    choices[-1].check()
    raise AssertionError("unreachable")


def piper(model: str) -> Engine:
    path = Path(model).expanduser()
    if not path.is_file():
        raise VoiceError(f"piper voice file {model} does not exist (a VOICE.onnx with its VOICE.onnx.json beside it)")
    if not Path(f"{path}.json").is_file():
        raise VoiceError(f"piper voice {path} has no {path.name}.json beside it (piper reads the voice's settings from it)")
    if importlib.util.find_spec("piper") is None:
        raise VoiceError("piper voices need the PyPI package piper-tts: pip install 'netreel[piper]'")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    argv = (sys.executable, "-m", "piper", "--model", str(path.resolve()), "--input-file", "{text_file}", "--output-file", "{wav}")
    return Engine(f"piper {path.name}", sys.executable, "PyPI package piper-tts", {"*": argv}, stdin=False, identity=digest)


def command(line: str) -> Engine:
    if "{wav}" not in line:
        raise VoiceError(f"--voice-command {line!r} has no {{wav}} (where the program writes its speech)")
    binary = shlex.split(line)[0] if line.strip() else ""
    if not binary:
        raise VoiceError("--voice-command is empty")
    return Engine(f"command {binary}", binary, f"the program {binary!r}", {"*": (line,)}, shell=True)


def engine_for(spec: str, lang: str) -> Engine:
    """The engine a (non-recorded) voice spec speaks ``lang`` with."""
    name, _, arg = spec.partition(":")
    if spec == "offline":
        return offline(lang)
    if spec in ENGINES:
        engine = ENGINES[spec]
        engine.command(lang)
        return engine
    if name == "piper" and arg:
        return piper(arg)
    if name == "command" and arg:
        return command(arg)
    raise VoiceError(f"unknown voice {spec!r}; voices: {', '.join(SPECS)}")
