"""Faults at the publish window: a killed render never leaves a file that a later render keeps,
one render at a time writes into a folder, workers end with their parent, and no code comes
from the working folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from netreel.integrity import bytes_digest, file_digest
from netreel.nets.facts import Facts
from netreel.render import executors
from netreel.render.chapter import is_current, read_manifest
from netreel.render.jobs import RenderError, SceneJob, SceneResult
from netreel.render.lock import FolderLock

NETREEL = Path(sys.executable).with_name("netreel")

SQUARE = '''
from manim import {colour}, Create, Scene, Square


class Square1(Scene):
    def construct(self):
        self.play(Create(Square(color={colour}, fill_opacity=1)))
'''


def scene_file(folder: Path, colour: str) -> Path:
    path = folder / "square.py"
    path.write_text(SQUARE.format(colour=colour), encoding="utf-8")
    return path


def render(path: Path, out: Path, *extra: str, env: dict | None = None, **kwargs):
    command = [str(NETREEL), "render", str(path), "-q", "tiny", "--out", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240, **kwargs)


def paused(path: Path, out: Path, flag: Path) -> subprocess.Popen:
    """A render that stops in its publish window (its files published, its record not written)."""
    env = {**os.environ, "NETREEL_PAUSE_AT": f"publish:{flag}"}
    command = [str(NETREEL), "render", str(path), "-q", "tiny", "--out", str(out)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 240
    while not flag.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the render never reached its publish window: {process.stderr.read().decode()}")
        time.sleep(0.2)
    return process


def middle_colour(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        frame = list(container.decode(video=0))[-1].to_ndarray(format="rgb24")
    return frame[frame.shape[0] // 2, frame.shape[1] // 2]


def leftovers(folder: Path) -> list[Path]:
    """What renders left in a chapter's folder besides their outputs: scratch folders, temporary files."""
    scratch = folder / ".work"
    return [*(scratch.iterdir() if scratch.exists() else []), *folder.glob(".*.tmp")]


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.render
def test_a_render_killed_in_its_publish_window_leaves_nothing_a_later_render_keeps(tmp_path):
    out, folder = tmp_path / "out", tmp_path / "out" / "square" / "tiny"
    path = scene_file(tmp_path, "RED")
    assert render(path, out).returncode == 0
    red = middle_colour(folder / "Square1.mp4")
    scene_file(tmp_path, "BLUE")
    process = paused(path, out, tmp_path / "flag")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not np.array_equal(middle_colour(folder / "Square1.mp4"), red)  # the blue video is published, unrecorded
    scene_file(tmp_path, "RED")  # back to the inputs the record names
    again = render(path, out)
    assert again.returncode == 0, again.stderr
    assert "unchanged, kept" not in again.stderr
    assert np.array_equal(middle_colour(folder / "Square1.mp4"), red)
    assert leftovers(folder) == []


@pytest.mark.render
def test_a_second_render_into_a_folder_refuses_and_a_dead_ones_lock_and_leftovers_are_taken_over(tmp_path):
    out, folder = tmp_path / "out", tmp_path / "out" / "square" / "tiny"
    path = scene_file(tmp_path, "RED")
    first = paused(path, out, tmp_path / "flag")
    try:
        worker = int((tmp_path / "flag").read_text())
        second = render(path, out)
        (folder / ".work" / "Square1-1").mkdir(parents=True, exist_ok=True)
        (folder / ".Square1.mp4.1.tmp").write_bytes(b"half a video")
        os.kill(first.pid, signal.SIGKILL)  # the parent alone: its worker must not outlive it
        first.wait()
        assert gone(worker, 10), "the worker outlived its parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
    assert second.returncode != 0 and "Traceback" not in second.stderr
    assert [line for line in second.stderr.splitlines() if "not audited" not in line] == [
        f"netreel: {folder} is being rendered into by pid {first.pid} "
        f"({NETREEL} render {path} -q tiny --out {out}); wait for it to finish, or render with another --out"
    ]
    third = render(path, out)
    assert third.returncode == 0, third.stderr
    assert leftovers(folder) == []
    manifest = read_manifest(folder)
    assert is_current(manifest, folder, "Square1", {"Square1": manifest["scenes"]["Square1"]["hash"]}, Facts({}))


def test_a_record_is_current_only_for_the_files_it_names_as_they_were_made_and_the_fills_the_facts_make(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"video")
    (tmp_path / "a.png").write_bytes(b"still")
    entry = {
        "hash": "h", "video": "a.mp4", "files": {"a.mp4": file_digest(tmp_path / "a.mp4"), "a.png": file_digest(tmp_path / "a.png")},
        "captions": [["cue.accuracy", {"value": {"fact": "accuracy", "index": [], "spec": ".2f"}}]],
    }
    facts = Facts({"accuracy": np.array(0.9)})

    def current(**changed) -> bool:
        return is_current({"scenes": {"a": {**entry, **changed}}}, tmp_path, "a", {"a": "h"}, facts)

    assert current()
    assert not current(captions=[["cue.accuracy", {"value": {"fact": "loss", "index": [], "spec": ".2f"}}]])  # a fact not made
    assert not current(captions=[["cue.accuracy", {"value": "0.90"}]])  # a number typed, not from the ledger
    assert not current(captions=None)
    assert not current(hash="other")
    assert not current(files={})
    assert not current(files=None)
    assert not current(video="b.mp4")  # a video it does not record
    outside = tmp_path.parent / "outside.mp4"
    outside.write_bytes(b"video")
    assert not current(video="../outside.mp4", files={"../outside.mp4": file_digest(outside)})
    assert not current(video=str(outside), files={str(outside): file_digest(outside)})
    with open(tmp_path / "a.mp4", "r+b") as f:
        f.truncate(2)  # cut short
    assert not current()


def test_a_lock_names_its_holder_and_is_free_again_once_released(tmp_path):
    with FolderLock(tmp_path):
        with pytest.raises(RenderError, match=f"is being rendered into by pid {os.getpid()} "):
            FolderLock(tmp_path).__enter__()
    with FolderLock(tmp_path):
        pass


def job(out: Path) -> SceneJob:
    return SceneJob("square", "square", "Square1", None, "tiny", str(out), "en")


def test_files_from_a_dask_worker_are_written_only_as_the_worker_made_them(tmp_path):
    result = SceneResult("Square1", "Square1.mp4", "Square1.png", 1.0, files={"Square1.mp4": bytes_digest(b"video")})
    sent = executors.RemoteResult(result, {"Square1.mp4": b"vide0"}, "hash")
    with pytest.raises(RenderError, match="damaged"):
        executors.receive(job(tmp_path), sent)
    escaping = executors.RemoteResult(
        SceneResult("Square1", "Square1.mp4", "Square1.png", 1.0, files={"../x": bytes_digest(b"x")}), {"../x": b"x"}, "hash",
    )
    with pytest.raises(RenderError, match="unasked"):
        executors.receive(job(tmp_path), escaping)
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent / "x").exists()


def test_scratch_folders_of_dead_dask_renders_are_swept_and_live_ones_kept(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, live = tmp_path / f"netreel-{done.stdout.strip()}-abc", tmp_path / f"netreel-{os.getpid()}-def"
    dead.mkdir(), live.mkdir()
    assert executors.sweep_remote(tmp_path) == [dead]
    assert live.exists() and not dead.exists()


MARKER = "import pathlib; pathlib.Path({path!r}).write_text('imported from the working folder')\n"


@pytest.mark.render
@pytest.mark.parametrize("how", ["script", "module"])
def test_no_module_is_imported_from_the_working_folder(tmp_path, how):
    marker = tmp_path / "marker"
    for name in ("manim", "torch", "numpy"):
        (tmp_path / f"{name}.py").write_text(MARKER.format(path=str(marker)), encoding="utf-8")
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    path = scene_file(scenes, "RED")
    command = [str(NETREEL)] if how == "script" else [sys.executable, "-m", "netreel.cli"]
    result = subprocess.run(
        [*command, "render", str(path), "-q", "tiny", "--out", str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    manifest = json.loads((tmp_path / "out" / "square" / "tiny" / "manifest.json").read_text())
    assert manifest["scenes"]["Square1"]["files"]
