"""Nothing hangs: a scene that never ends is stopped at its time limit, named, in a render, a preview and an audit."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from netreel.render.executors import DaskExecutor
from netreel.render.jobs import RenderError

NETREEL = Path(sys.executable).with_name("netreel")

LOOPING = '''
from manim import Create, Square

from netreel.scenes.kit import NetScene


class Forever(NetScene):
    chapter = "network"
    steps = ("loop",)

    def loop(self):
        self.play(Create(Square()))
        while True:
            pass
'''


@pytest.mark.render
@pytest.mark.parametrize("command", [["render"], ["preview"], ["preview", "--still"], ["audit"]], ids=" ".join)
def test_a_scene_that_never_ends_is_stopped_at_its_time_limit(tmp_path, command):
    path = tmp_path / "forever.py"
    path.write_text(LOOPING, encoding="utf-8")
    quality = [] if command == ["audit"] else ["-q", "tiny", "--out", str(tmp_path / "out")]
    started = time.monotonic()
    result = subprocess.run(
        [str(NETREEL), *command, f"{path}:Forever", *quality, "--scene-timeout", "4"],
        capture_output=True, text=True, timeout=180,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "netreel: forever.Forever ran past its time limit of 4 s (--scene-timeout) and was stopped"
    )
    assert time.monotonic() - started < 90
    if command == ["render"]:
        assert not list((tmp_path / "out").rglob("*.mp4"))


def silent_server(greeting: bytes) -> tuple[socket.socket, str]:
    """A TCP server that accepts every connection, sends ``greeting`` and then says nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            conn.sendall(greeting)

    threading.Thread(target=serve, daemon=True).start()
    return server, f"tcp://127.0.0.1:{server.getsockname()[1]}"


@pytest.mark.parametrize("greeting", [b"", b"HTTP/1.1 400 Bad Request\r\n\r\n"], ids=["silent", "another protocol"])
def test_a_scheduler_that_never_answers_is_reported_within_ten_seconds(greeting):
    pytest.importorskip("distributed")
    server, address = silent_server(greeting)
    try:
        started = time.monotonic()
        with pytest.raises(RenderError, match=f"cannot reach the Dask scheduler at {address}: "):
            DaskExecutor(address).connect()
        assert time.monotonic() - started < 10
    finally:
        server.close()


CRASHING = '''
import ctypes

from manim import Create, Square

from netreel.scenes.kit import NetScene


class Crash(NetScene):
    chapter = "network"
    steps = ("crash",)

    def crash(self):
        self.play(Create(Square()))
        ctypes.string_at(0)  # reads address 0: the process dies of SIGSEGV
'''


def _until(stream, prefix: str, within: float) -> list[str]:
    """The lines a child writes to ``stream`` up to the first that starts with ``prefix`` (or for ``within`` seconds)."""
    lines: list[str] = []

    def read() -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))
            if line.startswith(prefix):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(within)
    return list(lines)


@pytest.mark.render
def test_a_scene_that_crashes_its_process_is_one_line_and_the_watch_goes_on(tmp_path):
    path = tmp_path / "crash.py"
    path.write_text(CRASHING, encoding="utf-8")
    child = subprocess.Popen(
        [str(NETREEL), "preview", f"{path}:Crash", "--watch", "--still", "-q", "tiny", "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        said = _until(child.stderr, "netreel: preview failed", 150)
        assert said[0] == f"netreel: watching {path}; Ctrl-C stops"
        assert said[-1] == "netreel: preview failed, the last good one is kept: the worker rendering crash.Crash died"
        assert not any("Traceback" in line for line in said)
        assert child.poll() is None  # still watching
        path.write_text(CRASHING.replace("ctypes.string_at(0)", "pass"), encoding="utf-8")
        (still,) = _until(child.stdout, "", 120)
        assert still.endswith("Crash.png") and Path(still).is_file()
    finally:
        child.send_signal(2)  # Ctrl-C
        _, err = child.communicate(timeout=30)
    assert child.returncode == 130 and "Traceback" not in err
