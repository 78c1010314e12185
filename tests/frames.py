"""Control frames: each scene's last frame at `tiny`, stored as .npz and compared with a tolerance.

Regenerate on purpose, when a scene changes on purpose:

    .venv/bin/python -m tests.frames network            # one chapter
    .venv/bin/python -m tests.frames network.ForwardPass  # one scene
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

CONTROLS = Path(__file__).resolve().parent / "controls"
LEVEL = 48  # a channel differing by more than this counts as a changed pixel
CHANGED_FRACTION = 0.01  # more than 1 % changed pixels is a different picture


def control_path(chapter: str, scene: str) -> Path:
    return CONTROLS / chapter / f"{scene}.npz"


def load_frame(png: str | Path) -> np.ndarray:
    return np.asarray(Image.open(png).convert("RGB"))


def compare(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """Why two frames differ, or None when they match within the tolerance."""
    if actual.shape != expected.shape:
        return f"frame size {actual.shape} differs from the control's {expected.shape}"
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=2)
    changed = float((diff > LEVEL).mean())
    if changed > CHANGED_FRACTION:
        return f"{changed:.1%} of pixels differ from the control frame (allowed {CHANGED_FRACTION:.0%})"
    return None


def regenerate(target: str) -> None:
    from netreel.scenes import registry
    from netreel.render.pipeline import RenderOptions, render

    with tempfile.TemporaryDirectory() as out:
        for output in render(registry.resolve(target), RenderOptions(quality="tiny", out=Path(out), jobs=2, force=True)):
            for scene in output.rendered:
                path = control_path(output.chapter, scene)
                path.parent.mkdir(parents=True, exist_ok=True)
                np.savez_compressed(path, frame=load_frame(output.folder / f"{scene}.png"))
                print(f"wrote {path}")


if __name__ == "__main__":
    regenerate(sys.argv[1] if len(sys.argv) > 1 else "all")
