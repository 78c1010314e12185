"""How long one scene may take to render or audit before it is stopped, and the stopping.

A scene that loops forever, or waits on something that never comes, would hold a
render, a preview or an audit for ever. Each scene gets :data:`DEFAULT_SCENE_SECONDS`
(``--scene-timeout``, ``scene_timeout`` in ``[tool.netreel]``): generous, since a long
scene at 4k takes tens of minutes on a laptop. A local worker past its limit is ended
by its parent; a scene run in this process is interrupted by an alarm.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from netreel.render.jobs import RenderError
from netreel.render.presets import DEFAULT_SCENE_SECONDS

__all__ = ["DEFAULT_SCENE_SECONDS", "SceneTimeout", "overrun", "time_limit"]


class SceneTimeout(RenderError):
    """A scene ran past its time limit and was stopped."""


def overrun(scene: str, seconds: float) -> SceneTimeout:
    return SceneTimeout(f"{scene} ran past its time limit of {seconds:g} s (--scene-timeout) and was stopped")


@contextlib.contextmanager
def time_limit(seconds: float | None, scene: str) -> Iterator[None]:
    """Run the block in this process for at most ``seconds`` (from the main thread; elsewhere, unlimited)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise overrun(scene, seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
