"""The building blocks of netreel's scenes, in one import, for scenes of one's own.

Each block takes numpy arrays read through the scene's truth ledger
(``self.ledger.array(key)``, ``self.ledger.number(key, index)``) and draws
them; none computes or invents a number.

Scenes
    :class:`NetScene`: subclass it, set ``chapter`` to the chapter whose network
    facts you show (``"network"``: the trained digit MLP and one held-out digit),
    list its ``steps`` and write one method per step (each step is a section: a
    clip and a slide); ``self.say(key, about=[...])`` starts a subcaption and names
    the mobjects it talks about (``self.point_at(mob)`` adds one built later),
    ``self.words(key)`` and ``self.heading()`` make text from the catalog,
    ``self.ledger`` reads numbers.
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
Motion
    :class:`Flipbook` (a value that changes in place, one ledger page per value),
    :func:`sweep` (a highlight moving along a matrix row, grid cells, edges),
    :func:`trace` (a flash along edges), :class:`Focus` (dims the rest, then restores it).
Looks
    :mod:`palette` (colours and font sizes), :func:`lit` (a neuron's fill),
    :mod:`layout` (the safe margin, text sizes per role, legends, word rows on a baseline).

Examples
--------
A scene of one's own, in two files side by side, rendered with ``netreel render
answer.py``. ``answer.py``::

    from manim import LEFT, RIGHT, Create, FadeIn, SurroundingRectangle, Write

    from netreel.nets import names
    from netreel.scenes.kit import Bars, NetScene, eq, formats, numbered, palette

    OUT = names.layer(2, "hook_a")  # the output layer's activations, from the network's own run


    class Answer(NetScene):
        chapter = "network"  # Chapter 1's facts: the trained digit MLP and one held-out digit
        steps = ("outputs", "answer")  # each a section (a clip, a slide) and a method of that name

        def outputs(self):
            self.bars = Bars.for_classes(self.ledger, OUT).shift(LEFT * 2.5)  # labels, bars and values from the ledger
            self.say("outputs", about=[self.bars])  # the words, and what they talk about
            self.play(FadeIn(self.bars))

        def answer(self):
            guess = int(self.ledger.value("prediction"))
            d = self.ledger.shown("prediction", spec=formats.COUNT)
            a = self.ledger.shown(OUT, guess, spec=formats.VALUE)
            last = self.ledger.ordinal("sizes", len(self.ledger.array("sizes")) - 1)  # the output layer's number
            formula = eq(numbered("a", last), "_{", d, "} =", a).shift(RIGHT * 4)
            box = SurroundingRectangle(self.bars.row(guess), color=palette.HIGHLIGHT)
            self.say("answer", about=[box, formula], d=d, a=a)
            self.play(Create(box), Write(formula))

Its words in English (in Chinese they go in ``answer.zh.toml``), ``answer.toml``::

    [network.Answer]
    outputs = "The ten output neurons: one bar per digit, as long as its activation."
    answer = "The brightest output is the network's answer: {d}, with an activation of {a}."

``examples/prediction.py`` is a longer one.
"""

from netreel.scenes.common import formats, layout, palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.flipbook import Flipbook
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
from netreel.scenes.common.motion import Focus, sweep, trace
from netreel.scenes.common.palette import grey_image, lit, signed_image
from netreel.scenes.common.text import eq, numbered

__all__ = [
    "Bars",
    "Flipbook",
    "Focus",
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
    "layout",
    "lit",
    "numbered",
    "palette",
    "pixel_image",
    "signed_image",
    "stack",
    "sweep",
    "trace",
]
