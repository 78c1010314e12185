"""Narration: speech inside its cues, tracks as long as the video, loudness, recordings that set the timing."""

from __future__ import annotations

import json
import math
import shutil
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from netreel.cli import main
from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.render import audio, executors, narrator, speech, video
from netreel.render.chapter import read_manifest
from netreel.render.jobs import SceneJob
from netreel.render.narrator import Narrator, spoken
from netreel.render.pipeline import RenderOptions, render
from netreel.scenes import registry
from netreel.scenes.common.base import SPEECH_LEAD_SECONDS, SPEECH_PAUSE_SECONDS
from netreel.scenes.common.ledger import Shown

SCENE = "network.DigitInput"
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is installed by scripts/setup-system")


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0


def write_tone(path: Path, seconds: float, rate: int, channels: int) -> None:
    """A 220 Hz tone of ``seconds`` as 16-bit PCM: a stand-in for a recorded sentence."""
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * math.pi * 220 * t) * 2**15).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(np.repeat(tone, channels).tobytes())


@pytest.fixture(scope="module")
def voiced(tmp_path_factory, net_cache):
    out = tmp_path_factory.mktemp("voiced")
    opts = RenderOptions(quality="tiny", out=out, subtitles=("en", "zh"), voice="espeak")
    (output,) = render(registry.resolve(SCENE), opts)
    return output.folder, read_manifest(output.folder)["scenes"]["DigitInput"]


@needs_espeak
def test_speech_is_inside_the_cues_and_silence_outside(voiced):
    folder, entry = voiced
    for lang in ("en", "zh"):
        track = audio.read_sound(folder / entry["audio"][lang])
        inside = np.zeros(len(track), bool)
        for _, start, end in entry["cues"]:
            a, b = int(start * audio.RATE), int(end * audio.RATE)
            inside[a:b] = True
            assert rms(track[a:b]) > 0.02, f"{lang}: no speech in the cue at {start:.1f} s"
            assert np.abs(track[a : a + int(0.9 * SPEECH_LEAD_SECONDS * audio.RATE)]).max() < 1e-3, "speech before its cue"
        assert np.abs(track[~inside]).max(initial=0.0) < 1e-3, f"{lang}: sound outside every cue"


@needs_espeak
def test_tracks_last_the_video_and_are_at_the_target_loudness(voiced):
    folder, entry = voiced
    movie = folder / entry["video"]
    assert video.audio_languages(movie) == [("eng", True), ("zho", False)]
    with av.open(str(movie)) as container:
        frame = 1 / float(container.streams.video[0].average_rate)
        for stream in container.streams.audio:
            assert abs(float(stream.duration * stream.time_base) - entry["duration"]) <= frame
    for index in range(2):  # as a player hears it: AAC decoded
        with av.open(str(movie)) as container:
            heard = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=index)])
        assert abs(audio.loudness(heard) - audio.TARGET_LUFS) <= 1.0
        assert audio.true_peak_db(heard) <= audio.CEILING_DBTP + 0.05
    for lang in ("en", "zh"):
        track = audio.read_sound(folder / entry["audio"][lang])
        assert abs(len(track) / audio.RATE - entry["duration"]) <= frame
        assert abs(audio.loudness(track) - audio.TARGET_LUFS) <= 1.0
        assert audio.true_peak_db(track) <= audio.CEILING_DBTP + 0.05


@needs_espeak
def test_english_and_chinese_speech_start_at_the_same_cue_times(voiced):
    folder, entry = voiced
    onsets = {}
    for lang in ("en", "zh"):
        track = audio.read_sound(folder / entry["audio"][lang])
        loud = np.abs(track) > 0.01
        onsets[lang] = [
            int(np.argmax(loud[int(start * audio.RATE) :])) / audio.RATE + start for _, start, _ in entry["cues"]
        ]
    expected = [start + SPEECH_LEAD_SECONDS for _, start, _ in entry["cues"]]
    for lang, times in onsets.items():
        assert np.allclose(times, expected, atol=0.05), lang


@needs_espeak
def test_each_cue_lasts_its_slowest_language(voiced):
    folder, entry = voiced
    for (_, start, end), cue in zip(entry["cues"], entry["cue_ids"]):
        spoken_seconds = max(
            len(audio.trim_silence(audio.read_sound(folder / entry["audio"][lang])[int(start * audio.RATE) : int(end * audio.RATE)]))
            for lang in ("en", "zh")
        ) / audio.RATE
        assert end - start >= spoken_seconds, cue


def test_recordings_set_the_cue_lengths_and_a_missing_one_falls_back(tmp_path, net_cache):
    recordings, lengths, missing = recordings_for_the_scene(tmp_path)
    lines = []
    (output,) = render(registry.resolve(SCENE), RenderOptions(quality="tiny", out=tmp_path / "out", voice=f"recorded:{recordings}"), lines.append)
    entry = read_manifest(output.folder)["scenes"]["DigitInput"]
    assert_cues_follow(entry["cues"], entry["cue_ids"], lengths)
    assert any("warning" in line and missing in line for line in lines), lines
    assert entry["voice_fallbacks"] == [missing]


def recordings_for_the_scene(tmp_path) -> tuple[Path, dict[str, float], str]:
    """Tones of known, different lengths for each of the scene's cues but the last: the folder, the lengths, the last's id."""
    script = CliRunner().invoke(main, ["script", SCENE, "--langs", "en", "--out", str(tmp_path / "script")])
    assert script.exit_code == 0, script.output
    rows = json.loads((tmp_path / "script" / "network" / "script" / "network-DigitInput.json").read_text())
    lengths = {row["id"]: 9.0 + 1.5 * i for i, row in enumerate(rows[:-1])}  # longer than any animation; the last is missing
    for i, (cue, seconds) in enumerate(lengths.items()):
        write_tone(tmp_path / "recorded" / "en" / f"{cue}.wav", seconds, (44_100, 16_000)[i % 2], 1 + i % 2)
    return tmp_path / "recorded", lengths, rows[-1]["id"]


def assert_cues_follow(cues: list, cue_ids: list, lengths: dict[str, float]) -> None:
    fps = 10.0
    for cue, (_, start, end) in zip(cue_ids, cues):
        if cue in lengths:
            planned = math.ceil((SPEECH_LEAD_SECONDS + lengths[cue] + SPEECH_PAUSE_SECONDS) * fps) / fps
            assert end - start == pytest.approx(planned, abs=1.01 / fps), cue


def test_a_worker_without_the_recordings_folder_speaks_the_recordings_it_is_sent(tmp_path, net_cache):
    recordings, lengths, missing = recordings_for_the_scene(tmp_path)
    (other := recordings / "en" / "network.Layers.title.wav").write_bytes((recordings / "en" / f"{next(iter(lengths))}.wav").read_bytes())
    (recordings / "en" / "network.DigitInput.notes.txt").write_text("not a recording")
    sent = narrator.recordings_of(f"recorded:{recordings}", ("en",), "network.DigitInput")
    assert sorted(sent) == sorted(f"en/{cue}.wav" for cue in lengths) and f"en/{other.name}" not in sent
    (chapter, (cls,)), = registry.resolve(SCENE)
    job = SceneJob(
        chapter.id, cls.__module__, cls.__name__, facts_cache.build(chapter.facts, NetConfig()), "tiny", str(tmp_path / "out"),
        voice=f"recorded:{tmp_path / 'elsewhere'}", voice_langs=("en",), voice_key="recorded", recordings=sent,
    )
    remote = executors.render_remote(job)
    assert_cues_follow(remote.result.cues, remote.result.cue_ids, lengths)
    assert remote.result.voice_fallbacks == [missing]


def test_a_recording_sent_with_a_path_that_leaves_its_folder_is_refused(tmp_path):
    with pytest.raises(speech.VoiceError, match="not <lang>/<cue id>.wav"):
        narrator.unpack_recordings({"../en/network.DigitInput.digit.wav": b"RIFF"}, tmp_path / "voice")
    assert not (tmp_path / "en").exists()


def test_a_corrupt_recording_is_refused_by_name(tmp_path):
    bad = tmp_path / "en" / "network.DigitInput.digit.wav"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"RIFF not really a wave file")
    result = CliRunner().invoke(main, ["render", SCENE, "--quality", "tiny", "--out", str(tmp_path / "out"), "--voice", f"recorded:{tmp_path}"])
    assert result.exit_code != 0
    assert str(bad) in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "network").exists() or not list((tmp_path / "out" / "network").rglob("*.mp4"))


@pytest.mark.parametrize(("voice", "says"), [
    ("klingon", "voices: none, offline"),
    ("recorded:/no/such/folder", "does not exist"),
    ("piper:/no/voice.onnx", "does not exist"),
    ("command:true", "{wav}"),
    ("command:no-such-tts-program {wav}", "not installed"),
])
def test_a_voice_that_cannot_speak_is_one_line(tmp_path, voice, says):
    result = CliRunner().invoke(main, ["render", SCENE, "--quality", "tiny", "--out", str(tmp_path), "--voice", voice])
    assert result.exit_code != 0
    assert says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@needs_espeak
def test_a_command_engine_speaks_and_is_cached(net_cache):
    narrator = Narrator("command:espeak-ng -v en-us -w {wav}", ("en",))
    seconds = narrator.seconds("network.DigitInput.digit", "network.DigitInput.digit", {"n_test": Shown("359")})
    assert 2.0 < seconds < 20.0
    again = Narrator("command:espeak-ng -v en-us -w {wav}", ("en",))
    assert again.seconds("x", "network.DigitInput.digit", {"n_test": Shown("359")}) == pytest.approx(seconds, abs=1e-6)
    assert len(list((net_cache / "voice").glob("*.flac"))) >= 1


def test_signs_are_said_as_words():
    assert spoken("a − b × c", "en") == "a minus b times c"
    assert spoken("−3", "zh") == "负3"


def test_the_limiter_holds_the_true_peak_and_normalise_the_loudness():
    t = np.arange(audio.RATE * 2) / audio.RATE
    loud = (0.99 * np.sign(np.sin(2 * math.pi * 440 * t))).astype(np.float32)  # a square wave: overshoots when oversampled
    limited = audio.limit(loud)
    assert audio.true_peak_db(loud) > 0 and audio.true_peak_db(limited) <= audio.CEILING_DBTP + 0.05
    quiet = (0.01 * np.sin(2 * math.pi * 300 * t)).astype(np.float32)
    assert abs(audio.loudness(audio.normalise(quiet)) - audio.TARGET_LUFS) < 0.5


def test_any_wav_is_read_as_mono_at_the_track_rate(tmp_path):
    write_tone(tmp_path / "stereo.wav", 1.5, 44_100, 2)
    samples = audio.read_sound(tmp_path / "stereo.wav")
    assert abs(len(samples) / audio.RATE - 1.5) < 0.01 and samples.ndim == 1
