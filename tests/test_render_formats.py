"""`render --format webm|gif`: the chapter video made again in another format beside its mp4, every frame
of it, the narration in a WebM, kept while its source is the same."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from netreel.cli import main
from netreel.render import audio, video
from tests import review_scenes

TARGET = str(Path(review_scenes.__file__))  # small scenes of one cue each, no network to train


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24").astype(int) for frame in container.decode(video=0)]


def render(tmp_path: Path, *args: str):
    result = CliRunner().invoke(main, ["render", TARGET, "-q", "tiny", "--out", str(tmp_path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.mark.render
def test_the_chapter_in_webm_and_gif_beside_its_mp4(tmp_path):
    first = render(tmp_path, "--voice", "offline", "--format", "webm")
    (webm,) = [Path(line) for line in first.stdout.split()]
    mp4 = webm.with_suffix(".mp4")
    assert webm.name == "review_scenes.webm" and mp4.is_file()
    made, source = frames(webm), frames(mp4)
    assert len(made) == len(source) == video.probe(mp4)["frames"] > 0
    assert max(np.abs(a - b).mean() for a, b in zip(made, source)) < 3  # grey levels: the same pictures, lossy twice

    (spoken,) = video.read_sound_tracks(mp4)
    (heard,) = video.read_sound_tracks(webm)
    assert heard[0] == spoken[0] == "en"
    assert abs(len(heard[1]) - len(spoken[1])) <= audio.RATE // 20  # within an Opus frame or two
    rms = [float(np.sqrt(np.mean(track[1] ** 2))) for track in (spoken, heard)]
    assert rms[0] > 0 and abs(20 * np.log10(rms[1] / rms[0])) < 1.0

    stamp = webm.stat().st_mtime_ns
    again = render(tmp_path, "--voice", "offline", "--format", "webm")
    assert "review_scenes.webm unchanged, kept" in again.stderr and webm.stat().st_mtime_ns == stamp

    (gif,) = [Path(line) for line in render(tmp_path, "--voice", "offline", "--format", "gif").stdout.split()]
    assert gif.name == "review_scenes.gif"
    with av.open(str(gif)) as container:
        assert not container.streams.audio
        assert sum(1 for _ in container.decode(video=0)) == len(source)  # tiny's 10 fps: every frame kept


@pytest.mark.render
def test_a_transparent_render_in_webm_is_each_scene_with_alpha(tmp_path):
    paths = [Path(line) for line in render(tmp_path, "-t", "--format", "webm").stdout.split()]
    assert [p.name for p in paths] == [f"{name}.webm" for name in ("Named", "NamedOutsideFrame", "NamedRemoved", "NamedStill", "NamedSwept", "NamesNothing")]
    with av.open(str(paths[0])) as container:
        assert container.streams.video[0].codec_context.name in ("vp9", "libvpx-vp9")
        assert container.streams.video[0].metadata.get("alpha_mode") == "1"
