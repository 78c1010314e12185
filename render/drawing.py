"""Drawing a scene's frames with less work per frame than manim 0.21 does by default.

- :class:`SceneRenderer` draws nothing for animations that are skipped (a
  ``--still`` skips them all): manim would still draw each ``play``'s static
  frame and each ``wait``'s frozen frame, then throw them away.
- With a :class:`netreel.render.burnin.Burner` it lays the words of the cue being said over
  each frame as the frame is written (subtitles burned into the picture).
- :func:`install` makes every camera composite an image onto the frame only
  inside the image's bounding box (manim composites a frame-sized picture for
  every image on every frame), and lets copies of text and formulas share their
  parsed SVG path instead of deep-copying it (manim copies every text mobject it
  caches, and every ``Transform``/``FadeOut`` copies its mobject).

Each of these but the subtitles leaves every drawn pixel as manim draws it.
"""

from __future__ import annotations

import numpy as np
from manim import Camera, Mobject
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.renderer.cairo_renderer import CairoRenderer
from PIL import Image

from netreel.render.burnin import Burner
from netreel.render.encoding import StreamWriter

MANIM_OVERLAY = Camera.overlay_PIL_image  # manim's own, for comparing frames with it


class SceneRenderer(CairoRenderer):
    """manim's Cairo renderer with netreel's file writer; skipped animations draw nothing;
    with a ``burner``, each frame written carries the words of the cue being said."""

    def __init__(self, burner: Burner | None = None, **kwargs) -> None:
        super().__init__(file_writer_class=StreamWriter, **kwargs)
        self.burner = burner
        self._scene = None

    def init_scene(self, scene) -> None:
        if type(self.camera) is not scene.camera_class:  # e.g. a MovingCameraScene's camera
            self.camera = scene.camera_class()
        self._scene = scene
        super().init_scene(scene)

    def add_frame(self, frame: np.ndarray, num_frames: int = 1) -> None:
        said = getattr(self._scene, "cue_text", lambda: None)() if self.burner and not self.skip_animations else None
        super().add_frame(self.burner.burn(frame, said) if said else frame, num_frames)

    def save_static_frame_data(self, scene, static_mobjects):
        if self.skip_animations:
            self.static_image = None
            return None
        return super().save_static_frame_data(scene, static_mobjects)

    def update_frame(self, scene, mobjects=None, *args, **kwargs) -> None:
        if self.skip_animations and mobjects is not None:
            return  # the frame of a skipped play is never written; the last frame is drawn with mobjects=None
        super().update_frame(scene, mobjects, *args, **kwargs)


def _overlay_inside_box(self: Camera, pixel_array: np.ndarray, image: Image.Image) -> None:
    box = image.getbbox()  # the non-transparent part; outside it compositing changes nothing
    if box is None:
        return
    left, top, right, bottom = box
    region = pixel_array[top:bottom, left:right]
    below = Image.fromarray(np.ascontiguousarray(region))
    region[...] = np.asarray(Image.alpha_composite(below, image.crop(box)))


def _deepcopy_sharing_path(self: VMobjectFromSVGPath, memo: dict) -> VMobjectFromSVGPath:
    memo[id(self.path_obj)] = self.path_obj  # parsed once, never changed afterwards
    return Mobject.__deepcopy__(self, memo)


def install() -> None:
    """Patch manim's Camera and SVG paths as described above (idempotent)."""
    Camera.overlay_PIL_image = _overlay_inside_box
    VMobjectFromSVGPath.__deepcopy__ = _deepcopy_sharing_path
