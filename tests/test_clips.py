"""Clips cut without a second lossy generation: copied H.264, the index first, GIFs written as they come."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from netreel.render import audio, clips, video

FPS = 10  # tiny
SCENE = "ParameterCount"
CLIP_SETTINGS = b"crf=20.0"  # in the x264 settings a clip encoded again carries (scene videos: crf=23.0)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _payloads(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(packet) for packet in container.demux(video=0) if packet.size]


def _atoms(path: Path) -> list[str]:
    """The top-level atoms of an MP4/QuickTime file, in order."""
    names, data, at = [], path.read_bytes(), 0
    while at + 8 <= len(data):
        size, name = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
        names.append(name.decode("latin-1"))
        at = len(data) if size == 0 else at + size
    return names


@pytest.fixture(scope="module")
def chapter(rendered):
    """Chapter 1 at tiny, its scene videos decoded: (folder, manifest, {scene: frames})."""
    folder, manifest = rendered("network")
    return folder, manifest, {name: _frames(folder / entry["video"]) for name, entry in manifest["scenes"].items()}


@pytest.fixture
def one_scene(rendered, tmp_path):
    """A copy of one scene's render to change: (folder, manifest with that scene alone)."""
    folder, manifest = rendered("network")
    entry = json.loads(json.dumps(manifest["scenes"][SCENE]))
    shutil.copy(folder / entry["video"], tmp_path / entry["video"])
    return tmp_path, {"scenes": {SCENE: entry}}


@pytest.mark.parametrize("fmt", ["mp4", "mov"])
def test_mp4_and_mov_clips_are_the_scene_stream_copied(chapter, fmt):
    folder, manifest, decoded = chapter
    made = clips.export("network", folder, manifest, list(manifest["scenes"]), fmt, FPS)
    where = clips.clip_folder(folder, fmt)
    for name, entry in manifest["scenes"].items():
        scene_packets = _payloads(folder / entry["video"])
        for clip in (c for c in made if c.scene == name):
            first = round(clip.start * FPS)
            expected = decoded[name][first : first + clip.frames]
            frames = _frames(where / clip.file)
            assert len(frames) == clip.frames == len(expected)
            assert np.array_equal(frames[0], expected[0]) and np.array_equal(frames[-1], expected[-1])
            assert np.array_equal(np.asarray(Image.open(where / clip.poster).convert("RGB")), expected[-1])
            packets = _payloads(where / clip.file)
            assert packets[0] in scene_packets and set(packets) <= set(scene_packets)
            assert _atoms(where / clip.file).index("moov") < _atoms(where / clip.file).index("mdat")


def test_a_section_that_does_not_start_on_a_keyframe_is_encoded_again(one_scene):
    folder, manifest = one_scene
    entry = manifest["scenes"][SCENE]
    keyframe = entry["sections"][1][1]
    entry["sections"][1][1] = keyframe + 3 / FPS  # three frames past the keyframe the encoder put there
    scene = _frames(folder / entry["video"])
    made = clips.export("network", folder, manifest, [SCENE], "mp4", FPS)
    where = clips.clip_folder(folder, "mp4")
    moved = made[1]
    first = round(moved.start * FPS)
    assert first == round(keyframe * FPS) + 3
    assert CLIP_SETTINGS in (where / moved.file).read_bytes()
    assert not set(_payloads(where / moved.file)) & set(_payloads(folder / entry["video"]))
    frames = _frames(where / moved.file)
    assert len(frames) == moved.frames == entry["frames"] - first
    for got, want in ((frames[0], scene[first]), (frames[-1], scene[first + moved.frames - 1])):
        assert np.abs(got.astype(int) - want).mean() < 2.0
    assert _atoms(where / moved.file).index("moov") < _atoms(where / moved.file).index("mdat")


def test_clips_keep_their_sound_slice(one_scene):
    folder, manifest = one_scene
    entry = manifest["scenes"][SCENE]
    t = np.arange(round(entry["frames"] / FPS * audio.RATE)) / audio.RATE
    tone = (0.25 * np.sin(2 * np.pi * 440 * t) * (t < 1.0 + entry["sections"][1][1])).astype(np.float32)
    audio.write_flac(folder / "ParameterCount.en.flac", tone)
    entry["audio"] = {"en": "ParameterCount.en.flac"}
    made = clips.export("network", folder, manifest, [SCENE], "mp4", FPS)
    where = clips.clip_folder(folder, "mp4")
    scene = _frames(folder / entry["video"])
    for clip in made:
        path = where / clip.file
        first = round(clip.start * FPS)
        frames = _frames(path)
        assert len(frames) == clip.frames
        assert all(np.array_equal(got, want) for got, want in zip(frames, scene[first:])), "the video was encoded again"
        assert video.audio_languages(path) == [("eng", True)]
        sound = audio.read_sound(path)
        assert len(sound) == pytest.approx(clip.duration * audio.RATE, abs=2048)
        assert _atoms(path).index("moov") < _atoms(path).index("mdat")
    loud = [float(np.abs(audio.read_sound(where / c.file)[: audio.RATE // 2]).max()) for c in made]
    assert loud[0] > 0.2 and loud[1] > 0.2  # the tone runs a second into the second section


def test_chapter_video_has_its_index_first(rendered):
    folder, manifest = rendered("network")
    atoms = _atoms(folder / manifest["chapter"]["video"])
    assert atoms.index("moov") < atoms.index("mdat")


def test_gif_clips_hold_every_frame_of_their_section(chapter):
    folder, manifest, decoded = chapter
    made = clips.export("network", folder, manifest, list(manifest["scenes"]), "gif", FPS)
    where = clips.clip_folder(folder, "gif")
    for clip in made:
        with Image.open(where / clip.file) as image:
            durations = []
            for k in range(image.n_frames):
                image.seek(k)
                durations.append(image.info["duration"])
            last = np.asarray(image.convert("RGB")).astype(int)
        assert len(durations) == clip.frames
        assert sum(durations) == 10 * round(100 * clip.duration)
        first = round(clip.start * FPS)
        assert np.abs(last - decoded[clip.scene][first + clip.frames - 1]).mean() < 4.0  # 255 colours, no dithering


def _pixels_held(obj: object, seen: set[int]) -> int:
    """Bytes of pixels (arrays, images, video frames) ``obj`` holds, through its attributes and containers."""
    if id(obj) in seen or isinstance(obj, type):
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, Image.Image):
        return obj.width * obj.height * len(obj.getbands())
    if isinstance(obj, av.VideoFrame):
        return obj.width * obj.height
    if isinstance(obj, dict):
        return sum(_pixels_held(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple, set)):
        return sum(_pixels_held(v, seen) for v in obj)
    return _pixels_held(vars(obj), seen) if hasattr(obj, "__dict__") else 0


def test_gif_writer_holds_no_clip_in_memory(tmp_path):
    rng = np.random.default_rng(0)
    frames = (rng.integers(0, 255, (144, 256, 3), np.uint8) for _ in range(61))  # noise: ~40 kB a frame, past write buffers
    first = next(frames)
    writer = clips._GifWriter(tmp_path / "c.gif", FPS, clips._palette(iter([first]), 1), 61)
    writer.write(first)
    sizes = []
    for k, frame in enumerate(frames):
        writer.write(frame)
        if k % 20 == 19:
            sizes.append(writer.tmp.stat().st_size)
            assert _pixels_held(writer, set()) < first.nbytes, "the writer keeps frames"
    writer.close()
    assert 0 < sizes[0] < sizes[1] < sizes[2], "frames are not written as they come"
    with Image.open(tmp_path / "c.gif") as image:
        assert image.n_frames == 61
