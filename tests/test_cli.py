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
from netreel.scenes import network

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
    assert len(scenes) == len(network.SCENES)
    assert info["frames"] == sum(s["frames"] for s in scenes)
    assert info["duration"] == pytest.approx(sum(s["duration"] for s in scenes), abs=0.15)
    cues = list(srt.parse(chapter_video.with_suffix(".srt").read_text(encoding="utf-8")))
    assert len(cues) >= 6
    assert cues[-1].end.total_seconds() <= info["duration"] + 0.15
    assert all(a.start <= b.start for a, b in zip(cues, cues[1:]))

    before = {p: p.stat().st_mtime_ns for p in chapter_video.parent.glob("*.mp4")}
    again = run("render", "network", "--quality", "tiny", "--out", str(tmp_path))
    assert again.exit_code == 0
    assert again.stderr.count("unchanged, kept") == len(network.SCENES)
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
        (["render", "network", "--format", "gif", "-t"], ["--transparent needs a format with an alpha channel", "gif has none"]),
        (["render", "network", "-s", "--format", "mp4"], ["-s saves each scene's last frame as png", "--format mp4"]),
        (["render", "network", "-t", "--format", "mp4"], ["--transparent needs a format with an alpha channel", "mp4 has none"]),
        (["render", "network", "-q", "p"], ["'p' is not one of", "'l', 'm', 'h', 'k'"]),
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


def test_no_arguments_prints_help_and_succeeds():
    result = run()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ") and "Commands:" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("command", [[], *[[name] for name in main.commands]])
def test_dash_h_is_help_everywhere(command):
    short, long = run(*command, "-h"), run(*command, "--help")
    assert short.exit_code == 0 and short.stdout.startswith("Usage: ")
    assert short.stdout == long.stdout


def test_top_level_help_keeps_whole_summaries():
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    text = " ".join(result.stdout.split("Commands:")[1].split())
    assert "..." not in text
    assert "Make a slide deck of TARGET: one slide per section, the subcaptions as speaker notes." in text
    assert "Check every number TARGET shows against an independent recomputation, its words, and its layout in the frame." in text


def test_quality_help_names_each_presets_size_and_rate():
    text = " ".join(run("render", "--help").stdout.split())
    assert ("-q, --quality [tiny|low|medium|high|4k|l|m|h|k] Preset (manim's letter for it): tiny 256x144 at 10 fps, "
            "low (l) 854x480 at 15 fps, medium (m) 1280x720 at 30 fps, high (h) 1920x1080 at 60 fps, "
            "4k (k) 3840x2160 at 60 fps.") in text


@pytest.fixture
def rendered_as(monkeypatch):
    """What `render` would render, without rendering: its options and whether transparent."""
    asked = {}

    def fake(target, opts, transparent=False):
        asked.update(target=target, opts=opts, transparent=transparent)
        return []

    monkeypatch.setattr("netreel.cli.render_targets", fake)
    return asked


@pytest.mark.parametrize(
    ("letter", "preset", "size"),
    [("l", "low", (854, 480, 15)), ("m", "medium", (1280, 720, 30)), ("h", "high", (1920, 1080, 60)), ("k", "4k", (3840, 2160, 60))],
)
def test_manim_quality_letters_are_the_presets_of_the_same_size(rendered_as, letter, preset, size):
    from netreel.render.presets import QUALITIES

    for args in (["-q", letter], [f"-q{letter}"], ["--quality", letter]):
        assert run("render", "network", *args).exit_code == 0
        assert rendered_as["opts"].quality == preset
    q = QUALITIES[preset]
    assert (q.width, q.height, q.fps) == size  # manim's -ql, -qm, -qh, -qk


@pytest.mark.parametrize(
    ("args", "transparent", "fmt"),
    [([], False, "mp4"), (["-t"], True, "mov"), (["--format", "mov"], True, "mov"), (["-t", "--format", "mov"], True, "mov"),
     (["--format", "webm"], False, "webm"), (["-t", "--format", "webm"], True, "webm"), (["--format", "gif"], False, "gif")],
)
def test_render_format_and_transparent(rendered_as, args, transparent, fmt):
    assert run("render", "network", *args).exit_code == 0
    assert rendered_as["transparent"] is transparent and rendered_as["opts"].fmt == fmt


def write_config(folder: Path, text: str) -> None:
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "line"),
    [
        ('[tool.netreel]\nqualty = "high"\n', "netreel: pyproject.toml: [tool.netreel] has no key 'qualty'; did you mean quality?"),
        ('[tool.netreel\nquality = "high"\n',
         "netreel: pyproject.toml: not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 14)"),
        ('[tool.netreel]\njobs = "two"\n', "netreel: pyproject.toml: [tool.netreel] jobs must be an integer, not 'two'"),
        ("[tool.netreel]\nforce = 1\n", "netreel: pyproject.toml: [tool.netreel] force must be true or false, not 1"),
        ("[tool.netreel]\nquality = [\"low\"]\n", "netreel: pyproject.toml: [tool.netreel] quality must be a string, not ['low']"),
        ('[tool.netreel]\nlang = "fr"\n', "netreel: pyproject.toml: [tool.netreel] lang: unknown language 'fr'; available: en, zh"),
        ('[tool]\nnetreel = 3\n', "netreel: pyproject.toml: tool.netreel must be a table, [tool.netreel]"),
    ],
)
def test_a_broken_config_is_one_line_naming_the_file_and_key(tmp_path, monkeypatch, table, line):
    write_config(tmp_path, table)
    monkeypatch.chdir(tmp_path)
    result = run("list")
    one_line_error(result)
    assert result.stderr.strip() == line


def test_config_sets_defaults_by_option_name(tmp_path, monkeypatch, rendered_as):
    write_config(tmp_path, '[tool.netreel]\nquality = "h"\nedge_seconds = 3\ndata-dir = "digits"\nseed = 7\n')
    monkeypatch.chdir(tmp_path)
    assert run("render", "network").exit_code == 0
    assert rendered_as["opts"].quality == "high"
    assert rendered_as["opts"].net.seed == 7 and rendered_as["opts"].net.data_dir == "digits"
    assert "[default: 3; x>=0.1]" in run("bench", "--help").stdout
    assert run("render", "network", "-q", "tiny").exit_code == 0
    assert rendered_as["opts"].quality == "tiny"  # a flag still wins


def test_ctrl_c_exits_130_with_one_line(monkeypatch):
    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr("netreel.render.chapter.read_manifest", interrupted)
    result = run("list")
    assert result.exit_code == 130
    assert result.stderr.strip() == "netreel: interrupted; finished files are kept and none was replaced by a partial one"


@pytest.mark.parametrize(
    ("terminal", "opener", "line"),
    [
        (False, "/usr/bin/xdg-open", "not run from a terminal"),
        (True, None, "no program here opens files (xdg-open is not installed)"),
    ],
)
def test_open_where_nothing_can_open_says_so_and_succeeds(tmp_path, monkeypatch, terminal, opener, line):
    monkeypatch.setattr("netreel.cli.at_terminal", lambda: terminal)
    monkeypatch.setattr("netreel.cli.OPENER", "xdg-open")
    monkeypatch.setattr("shutil.which", lambda name: opener)
    monkeypatch.setattr("click.launch", lambda path: pytest.fail("launched"))
    result = run("gallery", "--out", str(tmp_path), "-p")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(tmp_path / "index.html")
    assert result.stderr.strip() == f"netreel: -p: {tmp_path / 'index.html'} not opened: {line}"


def test_open_launches_the_result(tmp_path, monkeypatch):
    launched = []
    monkeypatch.setattr("netreel.cli.at_terminal", lambda: True)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("click.launch", lambda path: launched.append(path) or 0)
    result = run("gallery", "--out", str(tmp_path), "-p")
    assert result.exit_code == 0 and result.stderr == ""
    assert launched == [str(tmp_path / "index.html")]


def complete(*words: str) -> list[str]:
    env = {"_NETREEL_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(["netreel", *words]), "COMP_CWORD": str(len(words))}
    result = CliRunner().invoke(main, [], prog_name="netreel", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_completion_of_chapters_and_scenes():
    assert complete("render", "network.Forw") == ["plain,network.ForwardPass"]
    assert complete("clips", "netw")[:2] == ["plain,network", "plain,network.DigitInput"]
    everything = complete("audit", "")
    assert {"plain,all", "plain,network", "plain,cnn", "plain,attention.Pattern"} <= set(everything)
    assert complete("preview", "examples/pre") == ["file,examples/pre"]  # a scene file: the shell completes the name


@pytest.mark.render
def test_render_s_t_saves_each_last_frame_with_alpha(tmp_path):
    from PIL import Image

    result = run("render", "network.ParameterCount", "-s", "-t", "-q", "tiny", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    png = tmp_path / "preview" / "network" / "ParameterCount.png"
    assert result.stdout.strip() == str(png)
    with Image.open(png) as image:
        assert image.size == (256, 144) and image.mode == "RGBA"
        assert image.getchannel("A").getextrema()[0] == 0  # the background is see-through
    assert not (tmp_path / "network").exists()  # no video was rendered


def test_the_formats_offered_are_the_clip_writers():
    from netreel.cli import CLIP_FORMATS
    from netreel.render.clips import FORMATS

    assert CLIP_FORMATS == list(FORMATS)
