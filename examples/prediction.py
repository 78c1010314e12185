"""A scene of one's own: the trained digit network's answer for one held-out digit.

    netreel preview examples/prediction.py:Prediction --still --watch
    netreel render examples/prediction.py --quality low
"""

from manim import DOWN, LEFT, RIGHT, Create, FadeIn, GrowFromEdge, LaggedStart, SurroundingRectangle

from netreel.nets import names
from netreel.scenes.kit import Bars, NetScene, formats, grey_image, palette, pixel_image

OUT = names.layer(2, "hook_a")  # the output layer's activations, from the network's own run


class Prediction(NetScene):
    chapter = "network"  # Chapter 1's facts: the trained MLP and one digit it never saw
    steps = ("image", "outputs", "answer")  # each a section (a clip, a slide) and a method below

    def image(self):
        side = int(self.facts.meta["side"])
        title = self.heading()
        digit = pixel_image(grey_image(self.ledger.array(names.INPUT).reshape(side, side)), height=3.6)
        digit.move_to(LEFT * 3.6 + DOWN * 0.3)
        self.say("digit", about=[digit], label=self.ledger.shown("digit.label", spec=formats.COUNT))
        self.play(FadeIn(title), FadeIn(digit))

    def outputs(self):
        self.bars = Bars.for_classes(self.ledger, OUT, length=3.0, row_height=0.48).move_to(RIGHT * 2.6 + DOWN * 0.3)
        self.say("outputs", about=[self.bars.labels, self.bars.numbers])
        grow = LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in self.bars.bars), lag_ratio=0.1)
        self.play(grow, FadeIn(self.bars.labels), FadeIn(self.bars.numbers))

    def answer(self):
        guess = int(self.ledger.value("prediction"))
        box = SurroundingRectangle(self.bars.row(guess), color=palette.HIGHLIGHT, buff=0.06)
        answer, activation = self.ledger.shown("prediction", spec=formats.COUNT), self.ledger.shown(OUT, guess, formats.VALUE)
        self.say("answer", about=[box], d=answer, a=activation)
        self.play(Create(box))
        self.wait(1)
