"""A scene of one's own: the trained digit network's answer for one held-out digit.

    netreel preview examples/prediction.py:Prediction --still --watch
    netreel render examples/prediction.py --quality low
"""

from manim import DOWN, LEFT, RIGHT, Create, FadeIn, GrowFromEdge, LaggedStart, SurroundingRectangle

from netreel.scenes.kit import Bars, NetScene, grey_image, palette, pixel_image


class Prediction(NetScene):
    chapter = "network"  # Chapter 1's facts: the trained MLP and one digit it never saw

    def construct(self):
        side = int(self.facts.meta["side"])
        out = "layers.2.hook_a"  # the output layer's activations
        guess = int(self.ledger.value("prediction"))

        self.step("digit")
        title = self.heading()
        digit = pixel_image(grey_image(self.ledger.array("hook_input").reshape(side, side)), height=3.6)
        digit.move_to(LEFT * 3.6 + DOWN * 0.3)
        self.say("digit", label=self.ledger.shown("digit.label", spec=",.0f"))
        self.play(FadeIn(title), FadeIn(digit))

        self.step("outputs")
        bars = Bars(
            self.ledger.array(out),
            [self.ledger.integer("classes", k, font_size=24) for k in range(10)],
            [self.ledger.number(out, k, decimals=2, font_size=24) for k in range(10)],
            length=3.0,
            row_height=0.48,
        ).move_to(RIGHT * 2.6 + DOWN * 0.3)
        self.say("outputs")
        self.play(LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars.bars), lag_ratio=0.1), FadeIn(bars.labels), FadeIn(bars.numbers))

        self.step("answer")
        box = SurroundingRectangle(bars.row(guess), color=palette.HIGHLIGHT, buff=0.06)
        self.say("answer", d=self.ledger.shown("prediction", spec=",.0f"), a=self.ledger.shown(out, guess, ",.2f"))
        self.play(Create(box))
        self.wait(1)
