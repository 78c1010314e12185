"""The building blocks of netreel's scenes, in one import, for scenes of one's own.

Each block takes numpy arrays read through the scene's truth ledger
(``self.ledger.array(key)``, ``self.ledger.number(key, index)``) and draws
them; none computes or invents a number.

Scenes
    :class:`NetScene`: subclass it, set ``chapter`` to the chapter whose network
    facts you show (``"network"``: the trained digit MLP and one held-out digit),
    list its ``steps`` and write one method per step (each step is a section: a
    clip and a slide); ``self.say(key)`` starts a subcaption, ``self.words(key)``
    and ``self.heading()`` make text from the catalog, ``self.ledger`` reads numbers.
Networks
    :class:`NetworkDiagram` (columns of neurons bound to a model's layer sizes,
    ``set_layer`` lights them by activations, ``edges`` colours them by weights),
    :class:`NeuronColumn` (one layer), :func:`input_window_start`,
    :func:`edge_buckets` (a few hundred edges as a few paths),
    :func:`edge_raster` (thousands of edges as one image).
Images
    :func:`pixel_image` (a uint8 array as one image, nearest resampling),
    :func:`grey_image` (activations or pixels in [0, 1]), :func:`signed_image`
    (weights: blue positive, red negative), :func:`grid_lines`, :func:`cell`.
Numbers
    :class:`Bars` (probabilities or output activations with their labels and
    values), :func:`brackets` (around a matrix or a column of ledger numbers),
    :func:`eq` (MathTex whose numbers are ledger values), :func:`stack`,
    :mod:`formats` (``formats.COUNT``, ``formats.VALUE``: how each kind of number is shown).
Looks
    :mod:`palette` (colours and font sizes), :func:`lit` (a neuron's fill).

Examples
--------
``examples/prediction.py`` (rendered with
``netreel render examples/prediction.py:Prediction``)::

    class Prediction(NetScene):
        chapter = "network"
        steps = ("outputs",)

        def outputs(self):
            bars = Bars.for_classes(self.ledger, names.layer(2, "hook_a"))
            self.say("outputs")
            self.play(FadeIn(bars))
"""

from netreel.scenes.common import formats, palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.mobjects import (
    Bars,
    NeuronColumn,
    brackets,
    cell,
    edge_buckets,
    edge_raster,
    grid_lines,
    pixel_image,
    stack,
)
from netreel.scenes.common.palette import grey_image, lit, signed_image
from netreel.scenes.common.text import eq

__all__ = [
    "Bars",
    "NetScene",
    "NetworkDiagram",
    "NeuronColumn",
    "brackets",
    "cell",
    "edge_buckets",
    "edge_raster",
    "eq",
    "formats",
    "grey_image",
    "grid_lines",
    "input_window_start",
    "lit",
    "palette",
    "pixel_image",
    "signed_image",
    "stack",
]
