"""Quality presets: pixel size and frame rate."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SCENE_SECONDS = 3600.0  # a scene's time limit (see netreel.render.limits): a long scene at 4k takes tens of minutes


@dataclass(frozen=True)
class Quality:
    name: str
    width: int
    height: int
    fps: int


QUALITIES = {
    q.name: q
    for q in (
        Quality("tiny", 256, 144, 10),
        Quality("low", 854, 480, 15),
        Quality("medium", 1280, 720, 30),
        Quality("high", 1920, 1080, 60),
        Quality("4k", 3840, 2160, 60),
    )
}
