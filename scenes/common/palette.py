"""Colours, fonts and sizes shared by every scene, after the series' look."""

from __future__ import annotations

import numpy as np
from manim import BLUE_C, BLUE_E, GREY_B, GREY_D, RED_C, RED_E, WHITE, YELLOW, ManimColor

BACKGROUND = "#0b0d12"
POSITIVE = BLUE_C  # positive weights and nudges
NEGATIVE = RED_C  # negative ones
POSITIVE_DARK = BLUE_E
NEGATIVE_DARK = RED_E
HIGHLIGHT = YELLOW
TEXT = WHITE
MUTED = GREY_B
FAINT = GREY_D
NEURON_STROKE = GREY_B

FONTS = {"en": "DejaVu Sans", "zh": "Noto Sans CJK SC"}  # picked explicitly: no fallback to boxes
FONT_PACKAGES = {"DejaVu Sans": "fonts-dejavu-core", "Noto Sans CJK SC": "fonts-noto-cjk"}  # Debian's, in scripts/setup-system

TITLE_SIZE = 40
BODY_SIZE = 28
LABEL_SIZE = 22
SMALL_SIZE = 18


def font(lang: str) -> str:
    """The font for on-screen words in a language."""
    return FONTS.get(lang, FONTS["en"])


SIGNED_GAMMA = 0.6  # brightens small magnitudes on screen; order and sign are kept


def lit(activation: float) -> ManimColor:
    """A neuron's fill: the background lit towards white by its activation in [0, 1]."""
    return ManimColor(BACKGROUND).interpolate(ManimColor(WHITE), float(np.clip(activation, 0.0, 1.0)))


def signed_rgb(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Blue for positive, red for negative, black for zero: float RGB in [0, 1], shape [..., 3].

    ``scale`` is the magnitude that maps to full colour (default: the largest |value|).
    Brightness grows monotonically with |value| (as |value|/scale to the power ``SIGNED_GAMMA``).
    """
    values = np.asarray(values, dtype=np.float64)
    scale = float(np.abs(values).max()) if scale is None else scale
    t = np.clip(values / (scale or 1.0), -1.0, 1.0)[..., None]  # [..., 1]
    strength = np.abs(t) ** SIGNED_GAMMA
    pos = np.array(ManimColor(POSITIVE).to_rgb())
    neg = np.array(ManimColor(NEGATIVE).to_rgb())
    return np.where(t >= 0, strength * pos, strength * neg)  # [..., 3]


def signed_image(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """A uint8 RGB image of a 2-D array in the blue/red weight colours."""
    return (signed_rgb(values, scale) * 255).round().astype(np.uint8)


def grey_image(values: np.ndarray) -> np.ndarray:
    """A uint8 RGB image of values in [0, 1] (pixel intensities, activations)."""
    grey = (np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0) * 255).round().astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=-1)
