"""The command line, through click's CliRunner and, for Ctrl-C, a real process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srt
from click.testing import CliRunner

from netreel.cli import main
from netreel.render import video

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("netreel: ")
    assert "Traceback" not in result.output + result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_list_names_chapters_and_scenes():
    result = run("list")
    assert result.exit_code == 0
    assert " 1 network" in result.stdout
    assert "network.ForwardPass" in result.stdout and "network.ParameterCount" in result.stdout


@pytest.mark.render
def test_render_chapter_one_tiny(tmp_path):
    result = run("render", "1", "--quality", "tiny", "--out", str(tmp_path), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    chapter_video = Path(result.stdout.strip().splitlines()[-1])
    assert chapter_video == tmp_path / "network" / "tiny" / "network.mp4"
    info = video.probe(chapter_video)
    assert (info["width"], info["height"]) == (256, 144)
    scenes = [video.probe(p) for p in sorted(chapter_video.parent.glob("*.mp4")) if p != chapter_video]
    assert len(scenes) == 6
    assert info["frames"] == sum(s["frames"] for s in scenes)
    assert info["duration"] == pytest.approx(sum(s["duration"] for s in scenes), abs=0.15)
    cues = list(srt.parse(chapter_video.with_suffix(".srt").read_text(encoding="utf-8")))
    assert len(cues) >= 6
    assert cues[-1].end.total_seconds() <= info["duration"] + 0.15
    assert all(a.start <= b.start for a, b in zip(cues, cues[1:]))

    before = {p: p.stat().st_mtime_ns for p in chapter_video.parent.glob("*.mp4")}
    again = run("render", "network", "--quality", "tiny", "--out", str(tmp_path))
    assert again.exit_code == 0
    assert again.stderr.count("unchanged, kept") == 6
    assert {p: p.stat().st_mtime_ns for p in chapter_video.parent.glob("*.mp4")} == before


@pytest.mark.render
def test_preview_still_writes_png(tmp_path):
    result = run("preview", "network.ParameterCount", "--still", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    png = Path(result.stdout.strip())
    assert png.suffix == ".png" and png.stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["render", "netwrk"], ["unknown chapter or scene 'netwrk'", "network"]),
        (["render", "network.ForwardPas"], ["no scene 'ForwardPas'", "ForwardPass"]),
        (["render", "ForwardPass"], ["network.ForwardPass"]),
        (["render", "1", "--quality", "ultra"], ["'ultra' is not one of", "tiny"]),
        (["render", "1", "--jobs", "0"], ["--jobs", "0"]),
        (["render", "1", "--dataset", "mnist"], ["--data-dir", "t10k-images-idx3-ubyte"]),
        (["preview", "network"], ["preview takes one scene"]),
    ],
)
def test_bad_input_is_one_line(args, needles):
    one_line_error(run(*args), *needles)


def test_missing_mnist_files_name_them(tmp_path):
    result = run("render", "1", "--dataset", "mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out"))
    one_line_error(result, "t10k-images-idx3-ubyte", "--data-dir")


def test_unwritable_out_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    one_line_error(run("render", "1", "--quality", "tiny", "--out", str(blocker / "renders")), "cannot write to --out")


@pytest.mark.render
def test_corrupt_cache_file_warns_and_retrains(tmp_path, monkeypatch):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    assert run("info").exit_code == 0
    for path in tmp_path.glob("mlp-*.json"):
        path.write_text("{ corrupt")
    result = run("info")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "retraining" in result.stderr
    assert "held-out accuracy" in result.stdout


@pytest.mark.render
def test_ctrl_c_keeps_finished_videos(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "renders"
    first = subprocess.run(
        [sys.executable, "-m", "netreel.cli", "render", "network.ParameterCount", "--quality", "tiny", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert first.returncode == 0, first.stderr
    good = out / "network" / "tiny" / "ParameterCount.mp4"
    content = good.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "netreel.cli", "render", "network", "--quality", "tiny", "--out", str(out), "--force", "--jobs", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "network" / "tiny" / ".work").glob("*/partial")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("netreel: interrupted")
    assert not (out / "network" / "tiny" / ".work").exists()
    for mp4 in (out / "network" / "tiny").glob("*.mp4"):
        assert video.probe(mp4)["frames"] > 0
    if good.read_bytes() != content:  # replaced only by a complete render of the same scene
        assert video.probe(good)["frames"] > 0


EXAMPLE = ROOT / "examples" / "prediction.py"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["clips", "network", "--format", "avi"], ["'avi' is not one of", "webm"]),
        (["clips", "network", "--format", "gif", "--transparent"], ["--transparent", "webm, mov, png"]),
        (["clips", "network", "--format", "mp4", "--transparent"], ["--transparent", "mp4 has none"]),
        (["render", "network", "--aspect", "2:1"], ["'2:1' is not one of", "4:3"]),
        (["slides", "network", "--to", "key"], ["'key' is not one of", "pptx"]),
        (["render", "no/such/file.py:MyScene"], ["no scene file 'no/such/file.py'"]),
        (["preview", "no/such/file.py:MyScene"], ["no scene file"]),
        (["render", f"{EXAMPLE}:Predictoin"], ["has no scene class 'Predictoin'", "Prediction"]),
    ],
)
def test_output_bad_input_is_one_line(args, needles):
    one_line_error(run(*args), *needles)


def test_scene_file_with_a_syntax_error_is_one_line(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("from netreel.scenes.kit import NetScene\n\nclass Mine(NetScene):\n    chapter = 'network'\n    def construct(self)\n        pass\n")
    one_line_error(run("render", f"{broken}:Mine"), f"{broken}:5: syntax error")


@pytest.mark.render
def test_render_into_a_folder_named_relative_to_where_netreel_runs(tmp_path, monkeypatch):
    """`make render` writes into `renders`, relative; the workers may have started in another folder."""
    run("render", "network.ParameterCount", "--quality", "tiny", "--out", str(tmp_path / "warm"))  # workers start here
    monkeypatch.chdir(tmp_path)
    result = run("render", "network.ParameterCount", "--quality", "tiny", "--out", "renders")
    assert result.exit_code == 0, result.stderr
    assert video.probe(tmp_path / "renders" / "network" / "tiny" / "ParameterCount.mp4")["frames"] > 0


@pytest.mark.render
def test_render_a_scene_file_of_ones_own(tmp_path):
    result = run("render", str(EXAMPLE), "--quality", "tiny", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "prediction" / "tiny" / "prediction.mp4"
    cues = list(srt.parse(path.with_suffix(".srt").read_text(encoding="utf-8")))
    assert len(cues) == 3 and video.probe(path)["frames"] > 0
    assert len(video.read_chapters(path)) == 1
    audit = run("audit", str(EXAMPLE))
    assert audit.exit_code == 0 and audit.stdout.startswith("ok    network.Prediction")


@pytest.mark.render
def test_preview_watch_keeps_the_last_good_preview(tmp_path):
    scene = tmp_path / "mine.py"
    good = EXAMPLE.read_text(encoding="utf-8")
    scene.write_text(good, encoding="utf-8")
    shutil.copy(EXAMPLE.with_suffix(".toml"), scene.with_suffix(".toml"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "netreel.cli", "preview", f"{scene}:Prediction", "--still", "--watch", "--quality", "tiny", "--out", str(tmp_path / "out")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = Path(proc.stdout.readline().strip())
        assert first.name == "Prediction.png" and first.exists()
        content = first.read_bytes()
        time.sleep(0.1)
        scene.write_text(good.replace("def outputs(self):", "def outputs(self)"), encoding="utf-8")
        while True:
            line = proc.stderr.readline()
            assert line, "the watch ended"
            if "preview failed" in line:
                break
        assert "syntax error" in line and "Traceback" not in line
        assert first.read_bytes() == content
        scene.write_text(good.replace("height=3.6", "height=2.4"), encoding="utf-8")
        second = Path(proc.stdout.readline().strip())
        assert second == first and first.read_bytes() != content
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
