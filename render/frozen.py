"""Frozen time: the holds of a rendered video, stretches of 3 s or more with no visible change.

A frame belongs to the hold that is running when it differs from the hold's first
frame by less than a small threshold, at every pixel of a downscaled grey copy
(downscaling averages away the encoder's noise; comparing with the hold's first
frame, not the frame before, lets no slow fade pass for a still). A hold that ends
with the video is the scene's closing beat.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

HOLD_SECONDS = 3.0  # a still this long counts as frozen time
THRESHOLD = 8  # grey levels (of 255): a difference below this at every pixel is no visible change
DOWNSCALE = 4  # frames are compared at a quarter of their width and height


@dataclass(frozen=True)
class Hold:
    start: float  # s: when its first frame is shown
    end: float  # s: when its last frame ends
    closing: bool  # it lasts to the end of the video

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class FrozenTime:
    duration: float  # s of video
    holds: list[Hold] = field(default_factory=list)  # those of HOLD_SECONDS or more

    @property
    def frozen(self) -> float:
        return sum(hold.seconds for hold in self.holds)

    @property
    def share(self) -> float:
        return self.frozen / self.duration if self.duration else 0.0

    @property
    def longest(self) -> float:
        return max((hold.seconds for hold in self.holds), default=0.0)

    @property
    def longest_open(self) -> float:
        """The longest hold that is not the scene's closing beat."""
        return max((hold.seconds for hold in self.holds if not hold.closing), default=0.0)


def holds(frames: Iterable[np.ndarray], fps: float, min_seconds: float = HOLD_SECONDS) -> FrozenTime:
    """The holds of ``min_seconds`` or more among frames (grey arrays, one shape) shown ``fps`` a second."""
    found, first, start, count = [], None, 0, 0
    for index, frame in enumerate(frames):
        frame = frame.astype(np.int16)
        if first is None or np.abs(frame - first).max() >= THRESHOLD:
            found.append((start, index))
            first, start = frame, index
        count = index + 1
    found.append((start, count))
    return FrozenTime(count / fps, [
        Hold(a / fps, b / fps, b == count) for a, b in found if b - a >= max(1, round(min_seconds * fps))
    ])


def grey_frames(path: str | Path) -> Iterator[np.ndarray]:
    """A video's frames in grey, downscaled by :data:`DOWNSCALE` (area averaging)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        width, height = max(stream.width // DOWNSCALE, 1), max(stream.height // DOWNSCALE, 1)
        for frame in container.decode(stream):
            yield frame.reformat(width=width, height=height, format="gray", interpolation="AREA").to_ndarray()


def frozen_time(path: str | Path) -> FrozenTime:
    """The holds of a video file."""
    with av.open(str(path)) as container:
        fps = float(container.streams.video[0].average_rate)
    return holds(grey_frames(path), fps)


def combined(parts: Iterable[FrozenTime]) -> FrozenTime:
    """Several videos (a chapter's scenes) as one: their running time and all their holds."""
    parts = list(parts)
    return FrozenTime(sum(p.duration for p in parts), [hold for p in parts for hold in p.holds])


def cut_jump(before: str | Path, after: str | Path) -> float:
    """How much of the picture jumps at the cut from one video to the next: the share of
    pixels (of the downscaled grey frames) that visibly change from ``before``'s last frame
    to ``after``'s first. 0 when the next scene opens on the last one's picture."""
    last = deque(grey_frames(before), maxlen=1)[0].astype(np.int16)
    first = next(grey_frames(after)).astype(np.int16)
    if last.shape != first.shape:
        return 1.0
    return float((np.abs(first - last) >= THRESHOLD).mean())
