"""Progress of long work (renders, clip export): live bars on a terminal, plain lines elsewhere.

A :class:`Progress` is told the work planned (:meth:`Progress.begin`), how far
each scene is (:meth:`Progress.advanced`, frames so far; the first call means it
started) and when it is done (:meth:`Progress.done`). It is also a report
callable: ``progress(line)`` shows a line of text.

- :class:`Progress` itself writes plain lines, for logs and CI: one line when the
  work starts and one per finished scene, ``[3/12] network.ForwardPass done in
  14.2 s (10.0 s of video); about 1 min 05 s left``. No escape codes, no carriage returns.
- :class:`LiveProgress` draws, on a terminal, a bar per running scene (its frames
  against those of its last render) and one for the whole job with its time left;
  the same finished-scene lines scroll above them.

The time left is :func:`eta` of each unfinished scene's expected seconds (the CPU
seconds of its last render at this quality, see ``netreel.render.pipeline``),
scaled by how long the scenes done so far took against what was expected of them.
"""

from __future__ import annotations

import heapq
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress as Bars, TaskID, TextColumn, TimeElapsedColumn


@dataclass(frozen=True)
class Planned:
    """One piece of work: its name, what it is expected to take, and its frames (0: not known)."""

    name: str
    expected: float  # seconds (or, for work timed only relatively, any weight in proportion to them)
    frames: int = 0
    recorded: bool = False  # expected (and frames) are those of its last render, not an estimate


def eta(remaining: Sequence[float], workers: int) -> float:
    """Wall seconds until work of ``remaining`` seconds per scene, in the order the scenes run,
    is done on ``workers`` workers: each next scene goes to the first worker free."""
    free = [0.0] * max(1, min(workers, len(remaining)))
    for seconds in remaining:
        heapq.heapreplace(free, free[0] + seconds)
    return max(free)


def clock(seconds: float) -> str:
    """``14 s``, ``3 min 05 s``."""
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal that can draw live bars."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class Progress:
    """Progress as plain lines through ``write`` (see the module's notes)."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.begin([])

    def __call__(self, line: str) -> None:
        self.write(line)

    def begin(self, planned: list[Planned], workers: int = 1, doing: str = "rendering", timed: bool = True) -> None:
        """Start a job of ``planned`` work, in that order on ``workers`` workers.

        ``timed``: the expectations are seconds; else only weights, and the time left is
        known once a first piece is done.
        """
        self.planned = {p.name: p for p in planned}
        self.order = [p.name for p in planned]
        self.workers = workers
        self.frames: dict[str, int] = {}  # of the scenes started and not done
        self.finished: list[str] = []
        self.took = 0.0  # seconds the finished scenes took
        self.timed = timed
        left = self.left()
        if planned:
            about = f", about {clock(left)}" if left is not None else ""
            basis = _basis([p.recorded for p in planned]) if timed else ""
            on = f" on {min(workers, len(planned))} workers" if min(workers, len(planned)) > 1 else ""
            self.write(f"{doing} {_count(len(planned))}{on}{about}{basis}")

    def advanced(self, name: str, frames: int) -> None:
        """``name`` has drawn ``frames`` frames (0 when it starts)."""
        if name in self.planned and name not in self.finished:
            self.frames[name] = frames

    def done(self, name: str, seconds: float, note: str = "") -> None:
        """``name`` finished in ``seconds``; ``note`` follows its line."""
        self.frames.pop(name, None)
        self.finished.append(name)
        self.took += seconds
        self.write(self.done_line(name, seconds, note))

    def done_line(self, name: str, seconds: float, note: str) -> str:
        line = f"[{len(self.finished)}/{len(self.order)}] {name} done in {seconds:.1f} s{note}"
        left = self.left()
        return line if left is None or len(self.finished) == len(self.order) else f"{line}; about {clock(left)} left"

    def fraction(self, name: str) -> float:
        """How much of a running scene is drawn, by its frames against those expected (at most 0.99)."""
        expected = self.planned[name].frames
        return min(self.frames.get(name, 0) / expected, 0.99) if expected else 0.0

    def left(self) -> float | None:
        """Wall seconds left by :func:`eta`; None for untimed work before a first piece is done."""
        expected_done = sum(self.planned[name].expected for name in self.finished)
        if expected_done and self.took:
            scale = self.took / expected_done
        elif self.timed:
            scale = 1.0
        else:
            return None
        running = [self.planned[name].expected * (1 - self.fraction(name)) for name in self.frames]
        waiting = [name for name in self.order if name not in self.frames and name not in self.finished]
        queued = [self.planned[name].expected for name in waiting]
        return scale * eta(running + queued, self.workers) if running or queued else 0.0

    def steps(self, planned: list[Planned], doing: str) -> Iterator[str]:
        """Each planned name in turn, as one worker does them; timed by the time until the next is asked for."""
        self.begin(planned, 1, doing, timed=False)
        for p in planned:
            started = time.perf_counter()
            self.advanced(p.name, 0)
            yield p.name
            self.done(p.name, time.perf_counter() - started)

    def close(self) -> None:
        """Stop drawing (nothing to stop for lines)."""


class LiveProgress(Progress):
    """Progress on a terminal: a bar per running scene and one for the job above the lines written."""

    def __init__(self, stream: TextIO) -> None:
        self.console = Console(file=stream, highlight=False)
        self.bars: Bars | None = None
        self.tasks: dict[str, TaskID] = {}
        super().__init__(lambda line: self.console.print(line, markup=False, highlight=False, soft_wrap=True))

    def begin(self, planned: list[Planned], workers: int = 1, doing: str = "rendering", timed: bool = True) -> None:
        self.close()
        super().begin(planned, workers, doing, timed)
        if not planned:
            return
        self.bars = Bars(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
            console=self.console, transient=True, redirect_stdout=False,
        )
        total = sum(p.expected for p in planned)
        self.total = self.bars.add_task(f"{doing} {_count(len(planned))}", total=total, detail="")
        self.bars.start()
        self._update_total()

    def advanced(self, name: str, frames: int) -> None:
        if self.bars is None or name not in self.planned or name in self.finished:
            return
        super().advanced(name, frames)
        expected = self.planned[name].frames or None
        if name not in self.tasks:
            self.tasks[name] = self.bars.add_task(f"  {name}", total=expected, detail="")
        detail = f"{frames}/{expected} frames" if expected else f"{frames} frames" if frames else ""
        self.bars.update(self.tasks[name], completed=min(frames, expected or frames), detail=detail)
        self._update_total()

    def done(self, name: str, seconds: float, note: str = "") -> None:
        task = self.tasks.pop(name, None)
        if task is not None and self.bars is not None:
            self.bars.remove_task(task)
        super().done(name, seconds, note)
        if self.bars is not None:
            self._update_total()
            if len(self.finished) == len(self.order):
                self.close()

    def _update_total(self) -> None:
        done = sum(self.planned[name].expected for name in self.finished)
        running = sum(self.planned[name].expected * self.fraction(name) for name in self.frames)
        left = self.left()
        detail = f"{len(self.finished)}/{len(self.order)}" + (f", about {clock(left)} left" if left is not None else "")
        self.bars.update(self.total, completed=done + running, detail=detail)

    def close(self) -> None:
        if self.bars is not None:
            self.bars.stop()
            self.bars = None
            self.tasks = {}


def as_progress(report: Callable[[str], None]) -> Progress:
    """``report`` itself when it is a :class:`Progress`, else plain lines through it."""
    return report if isinstance(report, Progress) else Progress(report)


@contextmanager
def shown_on(stream: TextIO) -> Iterator[Progress]:
    """A Progress for ``stream``: live bars on a terminal, plain lines elsewhere; stopped on leaving."""
    if is_terminal(stream):
        progress = LiveProgress(stream)
    else:
        progress = Progress(lambda line: print(line, file=stream, flush=True))
    try:
        yield progress
    finally:
        progress.close()


def _basis(recorded: list[bool]) -> str:
    if all(recorded):
        return " by the last render's CPU seconds"
    return " by the last render's CPU seconds and estimates" if any(recorded) else " by the scenes' estimated lengths"


def _count(n: int) -> str:
    return f"{n} scene{'' if n == 1 else 's'}"
