"""Chapter 9 — Flow matching: a velocity network, trained on straight noise-to-data paths,
carries hundreds of real noise points onto two moons."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORANGE,
    ORIGIN,
    UR,
    RIGHT,
    UP,
    WHITE,
    Axes,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Group,
    Indicate,
    LaggedStart,
    Line,
    ManimColor,
    SurroundingRectangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.flipbook import Flipbook
from netreel.scenes.common.formats import COUNT, DISTANCE, LOSS, PERCENT, TENTH, TIME, VALUE
from netreel.scenes.common.motion import frame_around, sweep, trace
from netreel.scenes.common.plane import DotCloud, arrows
from netreel.scenes.common.text import eq

WINDOW_X = (-3.6, 3.6)  # the plot window, in data units: the noise and the moons fit inside
WINDOW_Y = (-2.6, 2.6)
MOON_COLORS = (palette.POSITIVE, ORANGE)  # upper moon, lower moon
NOISE_COLOR = palette.MUTED
FIELD_SCALE = 0.14  # velocity arrows: plot units drawn per unit of velocity
PAIR_SCALE = 0.35  # the same for the single velocities of the first scene
FOCUS_SCALE = 0.6  # and for the velocities through the focus point, drawn longer to be told apart
RIGHT_COLUMN = 4.1  # x of the text column beside a plot


class ChapterScene(NetScene):
    chapter = "flow"

    def plane(self, width: float) -> Axes:
        """The plot window at ``width`` scene units, with faint axes through the origin."""
        height = width * (WINDOW_Y[1] - WINDOW_Y[0]) / (WINDOW_X[1] - WINDOW_X[0])
        return Axes(
            x_range=[*WINDOW_X, 1], y_range=[*WINDOW_Y, 1], x_length=width, y_length=height,
            axis_config={"color": palette.FAINT, "include_tip": False, "include_ticks": False, "stroke_width": 1.5},
        )

    def moon_rgb(self, key: str, index=None) -> np.ndarray:
        """Blue for the upper moon, orange for the lower one: [n, 3] floats."""
        moon = self.ledger.array(key, index)
        upper, lower = (np.array(ManimColor(c).to_rgb()) for c in MOON_COLORS)
        return np.where(moon[:, None] > 0.5, lower, upper)

    def points(self, axes: Axes, xy: np.ndarray) -> np.ndarray:
        """Plot coordinates [n, 2] as scene points [n, 3]."""
        return np.array([axes.c2p(x, y) for x, y in xy])

    def polylines(
        self, axes: Axes, path: np.ndarray, color=WHITE, width: float = 1.5, opacity: float = 0.8,
    ) -> VMobject:
        """Polylines through recorded positions [steps + 1, n, 2], one subpath per particle."""
        lines = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=opacity)
        for i in range(path.shape[1]):
            corners = self.points(axes, path[:, i])
            lines.start_new_path(corners[0])
            lines.add_points_as_corners(corners[1:])
        return lines

    def velocity_arrows(self, axes: Axes, starts: np.ndarray, velocities: np.ndarray, scale: float, **style) -> VGroup:
        """Arrows from plot points [n, 2] along velocities [n, 2], ``scale`` plot units per unit of velocity."""
        return arrows(self.points(axes, starts), self.points(axes, starts + scale * velocities), **style)

    def vector_text(self, key: str, index: tuple = ()) -> list[str]:
        """'(a, b)' parts for eq(), both numbers from the ledger."""
        a, b = self.ledger.shown(key, (*index, 0), VALUE), self.ledger.shown(key, (*index, 1), VALUE)
        return [r"(", a, r",\ ", b, r")"]

    def between(self, path: np.ndarray, s: float) -> np.ndarray:
        """Points after ``s`` steps of their recorded path [steps + 1, n, 2]: within a step each moves in a
        straight line, as Euler's method does (and the fine grid of a coarser Euler path)."""
        k = min(int(np.floor(s + 1e-6)), path.shape[0] - 2)
        return path[k] + (s - k) * (path[k + 1] - path[k])

    def key_entry(self, mark, name: str, **fills) -> VGroup:
        """A legend line: a mark and its words."""
        name = self.words(name, font_size=palette.SMALL_SIZE, color=palette.MUTED, **fills)
        return VGroup(mark, name).arrange(RIGHT, buff=0.2)

    def end_times(self) -> tuple:
        """The times of a path's two ends, t at its first and last recorded step, for a legend."""
        last = len(self.ledger.array("traj.t")) - 1
        return self.ledger.shown("traj.t", 0, COUNT), self.ledger.shown("traj.t", last, COUNT)

    def caption(self, key: str, mob, **fills):
        return self.words(key, font_size=palette.SMALL_SIZE, color=palette.MUTED, **fills).next_to(mob, DOWN, buff=0.15)


class NoiseToData(ChapterScene):
    """The noise cloud and the data cloud; straight paths between random pairs; the training target,
    and what the network learns from it: the average velocity of the pairs passing by."""

    estimated_seconds = 90.0
    steps = ("clouds", "pairs", "velocity", "loss", "passing")

    def clouds(self):
        """The noise the flow starts from, beside the data it has to reach."""
        title = self.heading()
        n = self.ledger.shown("traj.particles", spec=COUNT)
        left = self.plane(5.9).move_to(LEFT * 3.4 + DOWN * 0.4)
        right = self.plane(5.9).move_to(RIGHT * 3.4 + DOWN * 0.4)
        noise = DotCloud(left, self.ledger.array("traj.x", 0), NOISE_COLOR)
        data = DotCloud(right, self.ledger.array("data.points"), self.moon_rgb("data.moon"))
        noise_label = eq(r"x_0 \sim \mathcal{N}(0,\, I)", font_size=34).next_to(left, UP, buff=0.1)
        data_label = eq(r"x_1 \sim p_{\mathrm{data}}", font_size=34).next_to(right, UP, buff=0.1)
        noise_caption = self.caption("noise_caption", left, n=n)
        data_caption = self.caption("data_caption", right, n=n, total=self.ledger.shown("data.n_train", spec=COUNT))
        self.say("noise", about=[noise, left, noise_caption], n=n)
        self.play(FadeIn(title), Create(left), FadeIn(noise), Write(noise_label), FadeIn(noise_caption),
                  run_time=self.cue_left())
        self.say("data", about=[data, right, data_caption], total=self.ledger.shown("data.n_train", spec=COUNT))
        self.play(Create(right), FadeIn(data), Write(data_label), FadeIn(data_caption), run_time=self.cue_left())
        trajectory = self.ledger.array("traj.x")  # [steps + 1, particles, 2]
        flowed = ValueTracker(0.0)  # Euler steps of the trained flow, a preview of where the chapter goes
        preview = DotCloud(right, trajectory[0], WHITE, radius=0.025)
        preview.add_updater(lambda c: c.redraw(self.between(trajectory, flowed.get_value())))
        self.say("goal", about=[noise, data, preview])
        self.play(FadeIn(preview), run_time=0.5)
        self.play(flowed.animate.set_value(len(trajectory) - 1), run_time=max(1.0, self.cue_left() - 1.0))
        self.play(FadeOut(preview), run_time=1.0)
        preview.clear_updaters()
        self.both_clouds = Group(left, right, noise, data, noise_caption, data_caption, noise_label, data_label)

    def pairs(self):
        """Random noise-data pairs joined by straight lines, and points travelling along them."""
        axes = self.axes = self.plane(7.2).move_to(LEFT * 2.7 + DOWN * 0.4)
        k = int(self.ledger.value("pairs.count"))
        x0_xy = self.x0_xy = self.ledger.array("traj.x", (0, slice(0, k)))
        x1_xy = self.x1_xy = self.ledger.array("data.points", slice(0, k))
        x0, x1 = self.points(axes, x0_xy), self.points(axes, x1_xy)
        faint_noise = DotCloud(axes, self.ledger.array("traj.x", 0), NOISE_COLOR, opacity=0.3)
        faint_data = DotCloud(axes, self.ledger.array("data.points"), self.moon_rgb("data.moon"), opacity=0.3)
        lines = self.lines = VGroup(
            *(Line(a, b, stroke_width=2, color=WHITE, stroke_opacity=0.6) for a, b in zip(x0, x1)),
        )
        ends = self.ends = VGroup(
            *(Dot(a, radius=0.05, color=NOISE_COLOR) for a in x0), *(Dot(b, radius=0.05, color=WHITE) for b in x1),
        )
        movers = self.movers = VGroup(*(Dot(a, radius=0.08, color=palette.HIGHLIGHT) for a in x0))
        formula = self.formula = eq(r"x_t", "=", r"(1 - t)\, x_0", "+", r"t\, x_1", font_size=40)
        formula.move_to(RIGHT * RIGHT_COLUMN + UP * 2.0)
        self.play(FadeOut(self.both_clouds), FadeIn(axes), FadeIn(faint_noise), FadeIn(faint_data))
        t_noise, t_data = self.end_times()
        key = VGroup(
            self.key_entry(Dot(radius=0.06, color=NOISE_COLOR), "noise_end", t=t_noise),
            self.key_entry(Dot(radius=0.06, color=WHITE), "data_end", t=t_data),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).next_to(axes, DOWN, buff=0.1)
        self.say("pairs", about=[ends, *lines, key], k=self.ledger.shown("pairs.count", spec=COUNT))
        self.play(FadeIn(ends), FadeIn(key))
        self.play(LaggedStart(*(Create(line) for line in lines), lag_ratio=0.1), run_time=self.cue_left(least=2.0))
        times = self.ledger.array("traj.t")
        along = ValueTracker(0.0)  # which of the recorded times the points have reached, in steps
        clock = Flipbook([self.time_page(k) for k in range(len(times))], along, reached=True)
        clock.next_to(formula, DOWN, buff=0.3)
        for dot, a, b in zip(movers, x0, x1):
            dot.add_updater(lambda d, a=a, b=b: d.move_to(a + along.get_value() / (len(times) - 1) * (b - a)))
        self.say("interpolate", about=[formula, movers, clock])
        self.play(Write(formula), FadeIn(clock))
        self.add(movers)
        self.play(along.animate.set_value(len(times) - 1), run_time=max(1.0, self.cue_left() - 0.5), rate_func=linear)
        self.wait(0.5)
        for dot in movers:
            dot.clear_updaters()
        self.play(FadeOut(clock), run_time=0.5)

    def time_page(self, k: int):
        return eq("t", "=", self.ledger.shown("traj.t", k, TIME), font_size=36).set_x(RIGHT_COLUMN)

    def velocity(self):
        """Halfway along each path, the velocity it asks for: the straight step from noise to data."""
        axes, x0_xy, x1_xy = self.axes, self.x0_xy, self.x1_xy
        velocity = self.velocity_eq = eq(r"\frac{d x_t}{dt}", "=", r"x_1 - x_0", font_size=40)
        velocity.next_to(self.formula, DOWN, buff=0.45)
        half = 0.5
        middles = x0_xy + half * (x1_xy - x0_xy)
        targets = self.targets = self.velocity_arrows(
            axes, middles, x1_xy - x0_xy, PAIR_SCALE, color=palette.HIGHLIGHT, stroke_width=3, tip=0.15,
        )
        self.say("velocity", about=[velocity, targets])
        self.play(*(dot.animate.move_to(m) for dot, m in zip(self.movers, self.points(axes, middles))), run_time=1.5)
        self.play(Write(velocity), FadeIn(targets), run_time=self.cue_left())

    def loss(self):
        """The training loss: the network's velocity against the pairs' straight ones."""
        loss = self.loss_eq = eq(
            r"\mathcal{L}(\theta)", "=", r"\mathbb{E}\,\big\|\, v_\theta(x_t, t) - (x_1 - x_0) \,\big\|^2",
            font_size=34,
        ).next_to(self.velocity_eq, DOWN, buff=0.5).set_x(RIGHT_COLUMN)
        self.say("loss", about=[loss])
        self.play(Write(loss), run_time=2)
        self.play(sweep([loss[2]]), run_time=self.cue_left())

    def passing(self):
        """At one point and time: the velocities of the pairs passing by, their mean, and the network's answer."""
        axes = self.axes
        focus_xy = self.ledger.array("focus.point")
        focus = axes.c2p(*focus_xy)
        radius = self.ledger.value("focus.radius") * (axes.c2p(1, 0)[0] - axes.c2p(0, 0)[0])
        ring = Circle(radius=radius, color=WHITE, stroke_width=2).move_to(focus)
        shown_fan = slice(0, 60)
        fan = self.ledger.array("pool.passing", shown_fan)
        fan_arrows = self.velocity_arrows(
            axes, np.repeat(focus_xy[None], len(fan), axis=0), fan, FOCUS_SCALE,
            color=palette.MUTED, stroke_width=1.5, tip=0.1, opacity=0.4,
        )
        mean = self.velocity_arrows(axes, focus_xy[None], self.ledger.array("focus.ideal")[None], FOCUS_SCALE,
                                    color=palette.HIGHLIGHT, stroke_width=6, tip=0.25)
        answer = self.velocity_arrows(axes, focus_xy[None], self.ledger.array("focus.v")[None], FOCUS_SCALE,
                                      color=WHITE, stroke_width=3, tip=0.2)
        t = self.ledger.shown("focus.t", spec=TIME)
        mean_text = eq(
            r"\mathbb{E}[\,x_1 - x_0 \mid x_t = x\,]", "=", *self.vector_text("focus.ideal"),
            font_size=30, color=palette.HIGHLIGHT,
        )
        answer_text = eq(r"v_\theta(x,", t, ")", "=", *self.vector_text("focus.v"), font_size=30)
        readout = VGroup(mean_text, answer_text).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        readout.next_to(self.loss_eq, DOWN, buff=0.55).set_x(RIGHT_COLUMN)
        self.play(
            FadeOut(self.movers), FadeOut(self.targets), FadeOut(self.ends), self.lines.animate.set_stroke(opacity=0.2),
        )
        pool, m = self.ledger.shown("pool.size", spec=COUNT), self.ledger.shown("pool.count", spec=COUNT)
        self.say("focus", about=[ring, fan_arrows], t=t, pool=pool, m=m)
        self.play(Create(ring), FadeIn(Dot(focus, radius=0.06, color=WHITE)))
        self.play(Create(fan_arrows), run_time=self.cue_left(least=2.0))
        self.say("mean", about=[mean, mean_text])
        self.play(FadeIn(mean), Write(mean_text), run_time=self.cue_left())
        self.say("network", about=[answer, answer_text])
        self.play(FadeIn(answer), Write(answer_text), run_time=2)
        self.play(Indicate(answer_text, color=WHITE), run_time=self.cue_left())
        self.say("learned", about=[answer, mean, answer_text, mean_text])
        self.play(Indicate(mean_text), Indicate(answer_text, color=WHITE), run_time=max(1.0, self.cue_left() - 2.0))


class VelocityField(ChapterScene):
    """The trained network's velocity v(x, t) on a grid over the moons, and the noise points it carries:
    t sweeps from 0 to 1 through every Euler step, the arrows are the network's at each step's time,
    and the points follow their recorded Euler paths.

    The sweep stops at the times the cues name (``STOPS``, Euler steps); the probe comes at the stop
    nearest the first scene's point in time, as the narration tells it.
    """

    estimated_seconds = 60.0
    STOPS = (8, 16, 24, 32)  # the Euler steps the sweep reaches at the end of time_1 ... time_4
    steps = ("field", "time_1", "time_2", "probe", "time_3", "time_4")

    def field(self):
        """The field at t = 0 over the moons, the noise cloud on it."""
        path = self.path = self.ledger.array("traj.x")  # [steps + 1, n, 2]
        self.times = self.ledger.array("field.t")
        self.focus_k = int(np.argmin(np.abs(self.times - self.ledger.value("focus.t"))))
        title = self.heading()
        axes = self.axes = self.plane(7.6).move_to(LEFT * 2.5 + DOWN * 0.35)
        name = eq(r"v_\theta(x, t)", font_size=44).move_to(RIGHT * 4.6 + UP * 2.1)
        self.moment = ValueTracker(0.0)  # Euler steps done: the points between steps, field and clock at the last one
        clock = self.time_label = Flipbook([self.clock(k) for k in range(len(self.times))], self.moment, reached=True)
        field = self.field_arrows = Flipbook(
            [self.arrows_at(axes, k) for k in range(len(self.times))], self.moment, reached=True,
        )
        moons = self.moons = DotCloud(axes, self.ledger.array("data.points"), self.moon_rgb("data.moon"), opacity=0.35)
        start = DotCloud(axes, path[0], NOISE_COLOR, radius=0.02, opacity=0.35)
        cloud = self.cloud = DotCloud(axes, path[0], WHITE, radius=0.025)
        cloud.add_updater(lambda c: c.redraw(self.between(path, self.moment.get_value())))
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(axes, DOWN, buff=0.1)
        t_noise, t_data = self.end_times()
        key = VGroup(
            self.key_entry(Dot(radius=0.06, color=NOISE_COLOR, fill_opacity=0.5), "noise_key", t=t_noise),
            self.key_entry(Dot(radius=0.06, color=palette.POSITIVE, fill_opacity=0.6), "data_key", t=t_data),
            self.key_entry(Dot(radius=0.06, color=WHITE), "points_key"),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2).move_to(RIGHT * 4.6 + DOWN * 1.6)
        self.say("field", about=[field, cloud, moons, key], n=self.ledger.shown("traj.particles", spec=COUNT))
        self.play(FadeIn(title), FadeIn(axes), FadeIn(moons), FadeIn(start), FadeIn(cloud), Write(name), FadeIn(clock))
        self.play(Create(field.display), FadeIn(legend), LaggedStart(*(FadeIn(k) for k in key), lag_ratio=0.5),
                  run_time=self.cue_left())
        self.say("start", about=[field])
        self.play(trace(field.display[0], width=3, time_width=0.6), run_time=self.cue_left())
        self.shown_time = 0

    def time_1(self):
        self.advance(1)

    def time_2(self):
        self.advance(2)

    def time_3(self):
        self.advance(3)

    def time_4(self):
        self.advance(4)

    def probe(self):
        """One arrow of the field read out as numbers: the point of the first scene, at its time."""
        k = self.focus_k
        if k != self.shown_time:
            raise RuntimeError(
                f"the probe reads the field at t = {self.times[k]}, but the field drawn is at"
                f" t = {self.times[self.shown_time]}: put 'probe' after the stop at step {k} in {type(self).__name__}"
            )
        axes = self.axes
        p = int(self.ledger.value("field.probe"))
        point = self.ledger.array("field.grid", p)
        dot = Dot(axes.c2p(*point), radius=0.08, color=palette.HIGHLIGHT)
        arrow = self.velocity_arrows(axes, point[None], self.ledger.array("field.v", (k, p))[None], FIELD_SCALE,
                                     color=palette.HIGHLIGHT, stroke_width=4, tip=0.12)
        readout = eq(
            r"v_\theta\big(", *self.vector_text("field.grid", (p,)), r",\ ", self.ledger.shown("field.t", k, TIME),
            r"\big)", font_size=30,
        )
        value = eq("=", *self.vector_text("field.v", (k, p)), font_size=30, color=palette.HIGHLIGHT)
        group = VGroup(readout, value).arrange(DOWN, aligned_edge=LEFT, buff=0.2).move_to(RIGHT * 4.6 + UP * 0.2)
        self.say("probe", about=[dot, arrow, readout, value])
        self.play(FadeIn(dot, scale=2), FadeIn(arrow))
        self.play(Write(readout), Write(value), run_time=self.cue_left())
        self.say("same_point", about=[dot, readout])
        self.play(
            Indicate(dot, scale_factor=1.6), Indicate(value, color=WHITE), run_time=self.cue_left(least=1.8) - 0.8,
        )
        self.play(FadeOut(group), FadeOut(dot), FadeOut(arrow), run_time=0.8)

    def advance(self, stop: int) -> None:
        """t sweeps on to the ``stop``-th stop over its cue: the points along their Euler steps, the field
        and the clock at each step's time."""
        k = self.STOPS[stop - 1]
        self.say(
            f"time_{stop}", about=[self.field_arrows, self.cloud, self.time_label],
            t=self.ledger.shown("field.t", k, TIME),
        )
        self.play(self.moment.animate.set_value(k), run_time=self.cue_left(least=1.5) - 0.5, rate_func=linear)
        self.wait(0.5)  # the stop, its time on the clock
        self.shown_time = k

    def arrows_at(self, axes: Axes, k: int) -> VGroup:
        return self.velocity_arrows(
            axes, self.ledger.array("field.grid"), self.ledger.array("field.v", k), FIELD_SCALE,
            color=palette.POSITIVE, stroke_width=2, tip=0.08,
        )

    def clock(self, k: int):
        return eq("t", "=", self.ledger.shown("field.t", k, TIME), font_size=40).move_to(RIGHT * 4.6 + UP * 1.2)


class Particles(ChapterScene):
    """Hundreds of noise points integrated with Euler steps; the cloud becomes the moons."""

    estimated_seconds = 75.0
    FIRST = 3  # Euler steps taken one at a time, the network's arrows shown
    steps = ("start", "euler", "first_steps", "run", "paths", "colours")

    def start(self):
        """The noise points over the data they are to reach."""
        path = self.path = self.ledger.array("traj.x")  # [steps + 1, n, 2]
        self.last = path.shape[0] - 1
        title = self.heading()
        axes = self.axes = self.plane(7.2).move_to(LEFT * 2.6 + DOWN * 0.25)
        target = DotCloud(axes, self.ledger.array("data.points"), palette.FAINT, opacity=0.7)
        cloud = self.cloud = DotCloud(axes, path[0], WHITE)
        self.say("start", about=[cloud, target], n=self.ledger.shown("traj.particles", spec=COUNT))
        self.play(FadeIn(title), FadeIn(axes), FadeIn(target), FadeIn(cloud))
        self.play(Indicate(target, scale_factor=1.05), run_time=self.cue_left())

    def euler(self):
        """Euler's rule, its step size, and a counter of the steps taken."""
        rule = eq(r"x_{k+1}", "=", r"x_k", "+", r"\Delta t\;", r"v_\theta(x_k, t_k)", font_size=38)
        rule.move_to(RIGHT * 4.5 + UP * 2.1)
        dt = eq(r"\Delta t", "=", r"\tfrac{1}{", self.ledger.shown("traj.steps", spec=COUNT), "}", font_size=38)
        dt.next_to(rule, DOWN, buff=0.35)
        self.taken = ValueTracker(0.0)  # the Euler steps the cloud has taken, run by travel()
        self.progress = Flipbook([self.counter(k) for k in range(self.last + 1)], self.taken, reached=True)
        self.say("euler", about=[rule, dt, self.progress], n=self.ledger.shown("traj.steps", spec=COUNT))
        self.play(Write(rule), Write(dt), FadeIn(self.progress), run_time=2)
        self.play(sweep([rule[2], rule[4], rule[5], rule[0]]), run_time=self.cue_left())

    def first_steps(self):
        """The first steps one at a time: the network's arrows at some points, then every point moves."""
        some = slice(0, 40)
        self.say("first_steps", about=[self.cloud, self.progress])
        each = max(2.0, self.cue_left() / self.FIRST)  # seconds a step: the arrows, the move, the arrows gone
        for k in range(self.FIRST):
            pointers = self.velocity_arrows(
                self.axes, self.path[k, some], self.ledger.array("traj.v", (k, some)), FIELD_SCALE,
                color=palette.HIGHLIGHT, stroke_width=2, tip=0.07,
            )
            self.point_at(pointers)
            self.play(FadeIn(pointers), run_time=0.3 * each)
            self.travel(self.cloud, self.path, k + 1, run_time=0.5 * each)
            self.play(FadeOut(pointers), run_time=0.2 * each)

    def run(self):
        """Every other step at speed, to the end."""
        self.say("run", about=[self.cloud, self.progress])
        self.travel(self.cloud, self.path, self.last, run_time=max(8.0, self.cue_left()))
        self.say("arrived", about=[self.cloud, self.progress])
        self.play(Indicate(self.progress, color=WHITE), run_time=self.cue_left())

    def paths(self):
        """The paths some of the points took."""
        trails = self.trails = self.polylines(
            self.axes, self.ledger.array("traj.x", (slice(None), slice(0, 60))), color=palette.HIGHLIGHT, width=1.6,
            opacity=0.85,
        )
        self.say("paths", about=[trails])
        self.play(Create(trails), run_time=max(3.0, self.cue_left() - 2.0))
        self.play(trace(trails, width=2.5, time_width=0.3), run_time=2)

    def colours(self):
        """Each point coloured by the moon it reached, then run back to the noise it came from."""
        coloured = DotCloud(self.axes, self.path[-1], self.moon_rgb("traj.moon"))
        self.say("colours", about=[coloured])
        self.play(FadeOut(self.trails), FadeOut(self.cloud), FadeIn(coloured), run_time=self.cue_left())
        self.say("rewind", about=[coloured, self.progress])
        self.travel(coloured, self.path, 0, run_time=max(5.0, self.cue_left() - 2.0))
        self.wait(2)

    def counter(self, k: int):
        text = self.words(
            "step_counter", font_size=palette.LABEL_SIZE, k=self.ledger.shown("traj.step", k, COUNT),
            n=self.ledger.shown("traj.steps", spec=COUNT), t=self.ledger.shown("traj.t", k, TIME),
        )
        return text.move_to(RIGHT * 4.5 + DOWN * 0.3)

    def travel(self, cloud: DotCloud, path: np.ndarray, step: int, run_time: float) -> None:
        """Move the cloud along its recorded Euler steps from the step it has reached to ``step``. Within
        a step each point moves in a straight line, as Euler's method does; the counter shows the step reached."""
        def follow(mob: DotCloud) -> None:
            mob.redraw(self.between(path, self.taken.get_value()))

        cloud.add_updater(follow)
        self.play(self.taken.animate.set_value(step), run_time=run_time, rate_func=linear)
        cloud.remove_updater(follow)


class Training(ChapterScene):
    """The held-out flow-matching loss during training, and why it levels off above zero."""

    estimated_seconds = 45.0
    steps = ("objective", "curve", "floor")

    def objective(self):
        """The loss the network was trained on, and how long."""
        title = self.heading()
        formula = eq(
            r"\mathcal{L}(\theta)", "=", r"\mathbb{E}\,\big\|\, v_\theta(x_t, t) - (x_1 - x_0) \,\big\|^2",
            font_size=38,
        ).next_to(title, DOWN, buff=0.35)
        fills = dict(
            n=self.ledger.shown("train.iterations", spec=COUNT),
            b=self.ledger.shown("train.batch", spec=COUNT),
            p=self.ledger.shown("model.params", spec=COUNT),
        )
        numbers = self.words("numbers", font_size=palette.SMALL_SIZE, color=palette.MUTED, **fills)
        numbers.next_to(formula, DOWN, buff=0.15)
        self.say("objective", about=[formula, numbers], **fills)
        self.play(FadeIn(title), Write(formula), run_time=2)
        self.play(Write(numbers), run_time=self.cue_left())

    def curve(self):
        """The held-out loss over the iterations, to its final value."""
        iterations = self.ledger.array("loss.iteration")
        losses = self.losses = self.ledger.array("loss.value")
        _, top = self.ledger.span("loss.value", None, 0.0, float(np.ceil(losses.max())))
        _, last = self.ledger.span("loss.iteration", None, 0.0, float(iterations[-1]))
        self.last = last
        axes = self.axes = Axes(
            x_range=[0, last, last / 4], y_range=[0, top, 1], x_length=9.5, y_length=4.0,
            axis_config={"color": palette.MUTED, "include_tip": False},
        ).move_to(DOWN * 0.75)
        for x in np.linspace(0, last, 5):
            axes.add(self.ledger.tick(x, font_size=24).next_to(axes.c2p(x, 0), DOWN, buff=0.15))
        for y in range(int(top) + 1):
            axes.add(self.ledger.tick(y, font_size=24).next_to(axes.c2p(0, y), LEFT, buff=0.15))
        x_name = self.words("iterations", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        x_name.next_to(axes, DOWN, buff=0.42)
        y_name = self.words("loss_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        y_name.next_to(axes, UP, buff=0.15).align_to(axes, LEFT)
        curve = VMobject(stroke_color=palette.HIGHLIGHT, stroke_width=3).set_points_as_corners(
            [axes.c2p(x, y) for x, y in zip(iterations, losses)]
        )
        self.say("curve", about=[axes, curve], start=self.ledger.shown("loss.value", 0, LOSS))
        self.play(Create(axes), FadeIn(x_name), FadeIn(y_name))
        self.play(Create(curve), run_time=self.cue_left(least=3.0))
        end = Dot(axes.c2p(iterations[-1], losses[-1]), radius=0.07, color=palette.HIGHLIGHT)
        final = self.final = eq(
            r"\mathcal{L}", "=", self.ledger.shown("loss.value", -1, LOSS), font_size=36, color=palette.HIGHLIGHT,
        )
        final.next_to(end, UP, buff=0.25).align_to(end, RIGHT)
        self.say("final", about=[end, final], end=self.ledger.shown("loss.value", -1, LOSS))
        self.play(FadeIn(end), Write(final), run_time=self.cue_left())
        self.curve = curve

    def floor(self):
        """The level the loss settles at, above zero: the average the network can do no better than."""
        axes, level = self.axes, self.losses[-1]
        floor = DashedLine(axes.c2p(0, level), axes.c2p(self.last, level), color=palette.MUTED, stroke_width=2)
        self.say("floor", about=[floor])
        self.play(Create(floor), run_time=self.cue_left())
        self.say("average", about=[self.final, floor])
        self.play(trace(self.curve, width=6, time_width=0.4), run_time=max(1.0, self.cue_left() - 3.0))
        self.play(Indicate(self.final, color=WHITE), run_time=1.5)


class SampleQuality(ChapterScene):
    """A real distance between generated samples and held-out data: the two clouds compared beside the
    curve of that distance against the network evaluations spent, Euler's one a step, Heun's two."""

    estimated_seconds = 65.0
    LOG_RANGE = (-3.5, 0.0)  # log10 of the plotted range, 0.0003 to 1
    HEUN_SHOWN = 2  # the step count whose Heun point is set beside Euler's at the same evaluations
    steps = ("measure", "euler", "heun", "floor")

    def measure(self):
        """The distance measured, the squared MMD with a Gaussian kernel, and the two clouds it compares."""
        title = self.heading()
        mmd = eq(
            r"\mathrm{MMD}^2", "=", r"\overline{k(x, x')}", "+", r"\overline{k(y, y')}", "-", r"2\,\overline{k(x, y)}",
            font_size=34,
        )
        kernel = eq(
            r"k(a, b)", "=", r"\exp\!\Big(-\frac{\|a - b\|^2}{2\sigma^2}\Big),", r"\quad \sigma =",
            self.ledger.shown("quality.sigma", spec=TENTH), font_size=30,
        )
        VGroup(mmd, kernel).arrange(RIGHT, buff=0.8).next_to(title, DOWN, buff=0.3)
        panel = self.panel = self.plane(3.3).move_to(RIGHT * 4.85 + DOWN * 0.45)
        samples = self.ledger.array("quality.samples")  # [counts, particles, 2]
        data = DotCloud(panel, self.ledger.array("quality.data"), palette.POSITIVE, radius=0.02, opacity=0.8)
        self.counts = ValueTracker(len(samples) - 1)  # which step count's samples the panel shows
        cloud = self.cloud = Flipbook(
            [DotCloud(panel, x, WHITE, radius=0.02) for x in samples], self.counts,
        )
        names = self.cloud_names = Flipbook([self.cloud_name(i) for i in range(len(samples))], self.counts)
        data_name = self.words("data_cloud", font_size=palette.SMALL_SIZE, color=palette.POSITIVE)
        data_name.next_to(panel, DOWN, buff=0.1)
        self.say("measure", about=[mmd, cloud, data], n=self.ledger.shown("quality.n", spec=COUNT))
        self.play(FadeIn(title), FadeIn(panel))
        self.play(Write(mmd), FadeIn(data), FadeIn(data_name), run_time=2)
        self.play(FadeIn(cloud), FadeIn(names), run_time=self.cue_left())
        sigma = self.ledger.value("quality.sigma")
        unit = panel.c2p(1, 0)[0] - panel.c2p(0, 0)[0]
        bumps = VGroup(*(
            Circle(radius=sigma * unit, color=palette.HIGHLIGHT, stroke_width=2).move_to(panel.c2p(*xy))
            for xy in samples[-1, :6]
        ))
        self.say("kernel", about=[kernel, bumps])
        self.play(Write(kernel), run_time=2)
        self.play(LaggedStart(*(Create(b) for b in bumps), lag_ratio=0.4), run_time=max(1.0, self.cue_left() - 1.0))
        self.play(FadeOut(bumps), run_time=1.0)

    def euler(self):
        """The distance after Euler's method at each step count, the panel showing each count's samples."""
        euler = self.euler_values = self.ledger.array("quality.euler")
        heun = self.ledger.array("quality.heun")
        euler_nfe, heun_nfe = self.ledger.array("quality.euler_nfe"), self.ledger.array("quality.heun_nfe")
        last = self.last = len(euler) - 1
        lo, hi = self.LOG_RANGE
        for key in ("quality.euler", "quality.heun"):
            self.ledger.span(key, None, 10.0**lo, 10.0**hi)
        _, most = self.ledger.span("quality.heun_nfe", None, 1.0, float(heun_nfe.max()))
        self.right = float(np.log2(most))
        axes = self.axes = Axes(
            x_range=[0, self.right, 1], y_range=[0, hi - lo, 1], x_length=6.6, y_length=4.0,
            axis_config={"color": palette.MUTED, "include_tip": False}, y_axis_config={"include_ticks": False},
        ).move_to(LEFT * 2.1 + DOWN * 0.75)
        for power in range(int(self.right) + 1):
            axes.add(self.ledger.tick(2.0**power, font_size=24).next_to(axes.c2p(power, 0), DOWN, buff=0.15))
        for power in range(int(np.ceil(lo)), int(hi) + 1):
            label = self.ledger.tick(10.0**power, decimals=max(0, -power), font_size=22)
            axes.add(label.next_to(axes.c2p(0, power - lo), LEFT, buff=0.15))
        x_name = self.words("nfe_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        x_name.next_to(axes, DOWN, buff=0.45)
        y_name = self.words("mmd_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        y_name.next_to(axes, UP, buff=0.12).align_to(axes, LEFT)
        euler_line = self.euler_line = self.line(euler_nfe, euler, palette.POSITIVE)
        self.heun_line = self.line(heun_nfe, heun, ORANGE)
        key = self.key_entries = VGroup(
            self.entry("euler_key", palette.POSITIVE), self.entry("heun_key", ORANGE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).move_to(axes.c2p(self.right, hi - lo), aligned_edge=UR)
        first = eq(self.ledger.shown("quality.euler", 0, DISTANCE), font_size=28, color=palette.POSITIVE)
        first.next_to(euler_line[1], RIGHT, buff=0.15)
        one = self.ledger.shown("quality.euler", 0, DISTANCE)
        self.say("euler", about=[axes, euler_line, first, self.cloud], one=one)
        self.play(Create(axes), FadeIn(x_name), FadeIn(y_name), FadeIn(key[0]), self.counts.animate.set_value(0))
        self.play(FadeIn(first))
        self.play(Create(euler_line), self.counts.animate.set_value(last), run_time=self.cue_left(), rate_func=linear)
        noise = self.level("quality.noise", palette.MUTED, "noise_key", dash=0.16)
        self.say("noise_line", about=[noise], noise=self.ledger.shown("quality.noise", spec=DISTANCE))
        self.play(Create(noise[0]), FadeIn(noise[1]), run_time=1.5)
        self.play(Indicate(noise[1], color=WHITE), Indicate(euler_line[1], color=WHITE), run_time=self.cue_left())

    def heun(self):
        """Heun's method at the same step counts, plotted at the evaluations it makes: two a step."""
        i = self.HEUN_SHOWN
        j = list(self.ledger.array("quality.euler_nfe")).index(self.ledger.value("quality.heun_nfe", i))
        heun_dot, euler_dot = self.heun_line[1 + i], self.euler_line[1 + j]
        match = frame_around([heun_dot, euler_dot], buff=0.08)
        self.say(
            "heun", about=[self.heun_line, self.key_entries[1], match],
            n=self.ledger.shown("quality.steps", i, COUNT),
            nfe=self.ledger.shown("quality.heun_nfe", i, COUNT),
            heun=self.ledger.shown("quality.heun", i, DISTANCE),
            euler=self.ledger.shown("quality.euler", j, DISTANCE),
        )
        self.play(FadeIn(self.key_entries[1]))
        self.play(Create(self.heun_line), run_time=3)
        self.play(Create(match), run_time=1)
        self.play(Indicate(heun_dot, scale_factor=1.5), Indicate(euler_dot, scale_factor=1.5),
                  run_time=max(1.0, self.cue_left() - 1.0))
        self.play(FadeOut(match), run_time=1.0)

    def floor(self):
        """Both methods end at the distance between two sets of real data: the floor of the measure."""
        last = self.last
        ends = VGroup(
            eq(self.ledger.shown("quality.euler", last, DISTANCE), font_size=28, color=palette.POSITIVE),
            eq(self.ledger.shown("quality.heun", last, DISTANCE), font_size=28, color=ORANGE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        ends.next_to(self.axes.c2p(self.right, np.log10(self.euler_values[last]) - self.LOG_RANGE[0]), RIGHT, buff=0.2)
        baseline = self.level("quality.baseline", WHITE, "data_key", dash=0.05, side=LEFT)
        self.say(
            "floor", about=[baseline, ends],
            base=self.ledger.shown("quality.baseline", spec=DISTANCE),
            n=self.ledger.shown("quality.steps", last, COUNT),
            euler=self.ledger.shown("quality.euler", last, DISTANCE),
            heun=self.ledger.shown("quality.heun", last, DISTANCE),
        )
        self.play(Create(baseline[0]), FadeIn(baseline[1]), run_time=1.5)
        self.play(FadeIn(ends))
        self.play(trace(baseline[0], color=WHITE, width=4), run_time=max(1.0, self.cue_left() - 1.0))

    def cloud_name(self, i: int):
        method = self.words("euler_key", font_size=palette.SMALL_SIZE)
        name = VGroup(method, eq("N =", self.ledger.shown("quality.steps", i, COUNT), font_size=26)).arrange(RIGHT)
        return name.next_to(self.panel, UP, buff=0.1)

    def at(self, nfe: float, value: float) -> np.ndarray:
        """The point of the plot for ``nfe`` network evaluations (log 2) and distance ``value`` (log 10)."""
        return self.axes.c2p(np.log2(nfe), np.log10(value) - self.LOG_RANGE[0])

    def line(self, nfes: np.ndarray, values: np.ndarray, color) -> VGroup:
        corners = [self.at(n, v) for n, v in zip(nfes, values)]
        dots = (Dot(c, radius=0.06, color=color) for c in corners)
        return VGroup(VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(corners), *dots)

    def level(self, key: str, color, name: str, dash: float, side=RIGHT) -> VGroup:
        """A reference level across the plot, dashed, its name written over it at one ``side``."""
        value = self.ledger.value(key)
        y = np.log10(value) - self.LOG_RANGE[0]
        line = DashedLine(self.axes.c2p(0, y), self.axes.c2p(self.right, y), color=color, stroke_width=2,
                          dash_length=dash)
        label = self.words(name, font_size=palette.SMALL_SIZE, color=color).next_to(line, UP, buff=0.08)
        return VGroup(line, label.align_to(line, side))

    def entry(self, name: str, color) -> VGroup:
        sample = Line(ORIGIN, RIGHT * 0.5, color=color, stroke_width=3)
        return VGroup(sample, self.words(name, font_size=palette.SMALL_SIZE, color=color)).arrange(RIGHT, buff=0.2)


class FewVersusMany(ChapterScene):
    """The same noise after 1, 2, 4, ... straight Euler steps; few steps cut the corners of curved paths."""

    estimated_seconds = 75.0
    steps = ("row", "paths", "bend")

    def row(self):
        """The samples after each step count, side by side, with their distances."""
        count = len(self.ledger.array("quality.steps"))
        title = self.heading()
        panels = VGroup(*(self.plane(2.9) for _ in range(count)))
        panels.arrange_in_grid(rows=2, buff=(0.35, 0.85)).next_to(title, DOWN, buff=0.6)
        clouds, labels, scores = Group(), VGroup(), VGroup()
        for i, panel in enumerate(panels):
            clouds.add(DotCloud(panel, self.ledger.array("quality.samples", i), WHITE, radius=0.018))
            label = eq("N =", self.ledger.shown("quality.steps", i, COUNT), font_size=26)
            labels.add(label.next_to(panel, UP, buff=0.1))
            mmd = self.ledger.shown("quality.euler", i, DISTANCE)
            scores.add(eq(r"\mathrm{MMD}^2 =", mmd, font_size=22, color=palette.MUTED).next_to(panel, DOWN, buff=0.1))
        self.say("row", about=[panels, *clouds, scores])
        self.play(FadeIn(title), FadeIn(panels), FadeIn(labels))
        self.play(LaggedStart(*(FadeIn(c) for c in clouds), lag_ratio=0.3), FadeIn(scores), run_time=3)
        self.play(sweep(list(zip(panels, labels, scores))), run_time=self.cue_left())
        self.say("one_step", about=[labels[0], scores[0], clouds[0]])
        self.play(Indicate(labels[0]), Indicate(scores[0]), run_time=self.cue_left())
        self.say("more_steps", about=[clouds[3], labels[3]], n=self.ledger.shown("quality.steps", 3, COUNT))
        self.play(
            sweep([Group(panels[i], labels[i]) for i in range(1, count)]), Indicate(labels[3], scale_factor=1.3),
            run_time=self.cue_left(),
        )
        self.row = Group(panels, clouds, labels, scores)

    def paths(self):
        """The paths of a few points with few steps beside many: straight segments cut the corners."""
        sample = slice(0, 24)
        few_axes = self.plane(5.6).move_to(LEFT * 3.03 + DOWN * 0.3)
        many_axes = self.many_axes = self.plane(5.6).next_to(few_axes, RIGHT, buff=0.45)
        few = self.ledger.array("few.x", (slice(None), sample))
        many = self.ledger.array("traj.x", (slice(None), sample))
        colours = self.moon_rgb("traj.moon", sample)
        data = self.ledger.array("data.points")
        backdrops = Group(*(DotCloud(a, data, palette.FAINT, radius=0.02, opacity=0.8) for a in (few_axes, many_axes)))
        few_paths = self.polylines(few_axes, few, width=1.5)
        many_paths = self.many_paths = self.polylines(many_axes, many, width=1.5)
        corners = VGroup(*(Dot(p, radius=0.03, color=WHITE) for p in self.points(few_axes, few[1:-1].reshape(-1, 2))))
        ends = Group(*(DotCloud(a, x[-1], colours, radius=0.05) for a, x in ((few_axes, few), (many_axes, many))))
        few_label = eq("N =", self.ledger.shown("few.steps", spec=COUNT), font_size=30).next_to(few_axes, UP, buff=0.05)
        many_label = eq("N =", self.ledger.shown("traj.steps", spec=COUNT), font_size=30)
        many_label.next_to(many_axes, UP, buff=0.05)
        self.say(
            "paths", about=[few_paths, many_paths, backdrops],
            k=self.ledger.shown("few.steps", spec=COUNT), n=self.ledger.shown("traj.steps", spec=COUNT),
        )
        self.play(FadeOut(self.row), FadeIn(few_axes), FadeIn(many_axes), FadeIn(backdrops), FadeIn(few_label),
                  FadeIn(many_label))
        self.play(Create(few_paths), Create(many_paths), run_time=max(3.0, self.cue_left() - 1.0))
        self.play(FadeIn(corners), FadeIn(ends))
        self.say("corners", about=[corners, few_paths])
        self.play(trace(few_paths, width=3, time_width=0.3), Indicate(corners, color=palette.HIGHLIGHT),
                  run_time=self.cue_left())

    def bend(self):
        """How much longer the many-step paths are than straight lines: the flow's paths bend."""
        ratio = eq(
            r"\frac{\sum_i \sum_k \|x^i_{k+1} - x^i_k\|}{\sum_i \|x^i_N - x^i_0\|}", r"\approx",
            self.ledger.shown("traj.length_ratio", spec=VALUE), font_size=32,
        )
        ratio.next_to(self.many_axes, DOWN, buff=0.35).set_x(0)
        r, n = self.ledger.shown("traj.length_ratio", spec=VALUE), self.ledger.shown("traj.particles", spec=COUNT)
        self.say("bend", about=[ratio, self.many_paths], r=r, n=n)
        self.play(Write(ratio), run_time=self.cue_left())
        self.say("why", about=[self.many_paths])
        self.play(trace(self.many_paths, width=3, time_width=0.3), self.many_paths.animate.set_stroke(opacity=1.0),
                  run_time=self.cue_left())
        self.say("closing", about=[self.many_paths, ratio])
        self.play(Indicate(ratio, color=WHITE), run_time=self.cue_left())


class OneStep(ChapterScene):
    """MeanFlow (Geng, Deng, Bai, Kolter, He 2025): a network of the average velocity between two times
    jumps from noise to data in one call; beside flow matching's Euler samples of the same noise."""

    estimated_seconds = 60.0
    MEANFLOW_COLOR = palette.HIGHLIGHT
    steps = ("average", "identity", "compare")

    def average(self):
        """The average velocity over a stretch of time, and the step it makes."""
        title = self.heading()
        source = self.words("reference", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(title, DOWN, buff=0.25)
        define = eq(
            r"u(z_t, r, t)", "=", r"\frac{1}{r - t}\int_t^r v(z_s, s)\, ds", font_size=36,
        ).next_to(source, DOWN, buff=0.4)
        jump = eq(r"z_r", "=", r"z_t", "+", r"(r - t)\; u(z_t, r, t)", font_size=36).next_to(define, DOWN, buff=0.35)
        VGroup(define, jump).set_x(-2.6)
        path, chord = self.curved_path()
        trajectory = self.ledger.array("traj.x")  # [steps + 1, particles, 2]
        steps_done = ValueTracker(0.0)
        cloud = DotCloud(self.path_plane[0], trajectory[0], WHITE, radius=0.02, opacity=0.8)
        cloud.add_updater(lambda c: c.redraw(self.between(trajectory, steps_done.get_value())))
        many = self.words("many_steps", font_size=palette.SMALL_SIZE, color=palette.MUTED,
                          n=self.ledger.shown("traj.steps", spec=COUNT)).next_to(self.path_plane[0], UP, buff=0.1)
        self.say("paper", about=[title, source, cloud, many])
        self.play(FadeIn(title), FadeIn(self.path_plane), FadeIn(cloud), FadeIn(many))
        self.play(Write(source), run_time=3)
        self.play(steps_done.animate.set_value(len(trajectory) - 1), run_time=self.cue_left(), rate_func=linear)
        cloud.clear_updaters()
        self.say("average", about=[define, jump, path, chord])
        self.play(Write(define), cloud.animate.set_opacity(0.15), FadeOut(many))
        self.play(Create(path), run_time=3)
        self.play(Write(jump), Create(chord), run_time=max(2.0, self.cue_left()))
        self.formulas = VGroup(source, define, jump)
        self.drawn_path = Group(self.path_plane, cloud, path, chord)

    def curved_path(self) -> tuple[VMobject, VGroup]:
        """The most curved of the flow-matching paths drawn in Chapter 9's particles, and the straight jump
        from its start to its end: the average velocity over the whole time, times the time."""
        x = self.ledger.array("traj.x")  # [steps + 1, particles, 2]
        length = np.linalg.norm(np.diff(x, axis=0), axis=2).sum(axis=0)
        reach = np.linalg.norm(x[-1] - x[0], axis=1)
        bend = np.where(reach >= np.median(reach), length / reach, 0.0)  # among the longer journeys
        i = int(np.argmax(bend))
        plane = self.plane(4.2).move_to(RIGHT * 4.0 + DOWN * 0.9)
        moons = DotCloud(plane, self.ledger.array("data.points"), palette.FAINT, radius=0.02, opacity=0.8)
        self.path_plane = Group(plane, moons)
        path = self.polylines(plane, x[:, i:i + 1], width=3, opacity=1.0)
        start, end = plane.c2p(*x[0, i]), plane.c2p(*x[-1, i])
        chord = VGroup(
            DashedLine(start, end, color=palette.HIGHLIGHT, stroke_width=3),
            Dot(start, radius=0.06, color=palette.MUTED), Dot(end, radius=0.06, color=WHITE),
        )
        return path, chord

    def identity(self):
        """The MeanFlow identity the network is trained on, its total derivative by a JVP."""
        identity = eq(
            r"u(z_t, r, t)", "=", r"v", "-", r"(t - r)\,\frac{d}{dt}u(z_t, r, t)", font_size=36,
        ).next_to(self.formulas, DOWN, buff=0.45)
        derivative = eq(
            r"\frac{d}{dt}u", "=", r"v \cdot \partial_z u", "+", r"\partial_t u", font_size=32, color=palette.MUTED,
        ).next_to(identity, DOWN, buff=0.3)
        VGroup(identity, derivative).set_x(-2.6)
        self.say("identity", about=[identity])
        self.play(Write(identity), run_time=2)
        self.play(sweep([identity[0], identity[2], identity[4]]), run_time=max(1.0, self.cue_left()))
        self.say("jvp", about=[derivative])
        self.play(Write(derivative), run_time=self.cue_left())
        fills = dict(
            n=self.ledger.shown("meanflow.iterations", spec=COUNT), p=self.ledger.shown("meanflow.params", spec=COUNT),
            share=self.ledger.shown("meanflow.jump_share", spec=PERCENT),
        )
        numbers = self.words("training_facts", font_size=palette.SMALL_SIZE, **fills)
        numbers.next_to(derivative, DOWN, buff=0.45).set_x(-2.6)
        self.say("training", about=[identity, numbers], **fills)
        self.play(Write(numbers), run_time=max(1.0, self.cue_left() - 1.0))
        self.play(*(FadeOut(m) for m in (self.formulas, identity, derivative, numbers, self.drawn_path)))

    def compare(self):
        """MeanFlow's one step beside flow matching's Euler samples of the same noise, with their distances."""
        quality_steps = list(self.ledger.array("quality.steps"))
        counts = self.ledger.array("meanflow.steps")
        panels = VGroup(*(self.plane(2.3) for _ in range(len(counts) + 1)))
        panels.arrange(RIGHT, buff=0.22).move_to(DOWN * 0.35)
        nfes, scores, clouds = VGroup(), VGroup(), Group()
        mean_cloud = DotCloud(panels[0], self.ledger.array("meanflow.samples"), self.MEANFLOW_COLOR, radius=0.018)
        clouds.add(mean_cloud)
        nfes.add(eq(r"\mathrm{NFE} =", self.ledger.shown("meanflow.nfe", spec=COUNT), font_size=24,
                    color=self.MEANFLOW_COLOR))
        scores.add(eq(r"\mathrm{MMD}^2 =", self.ledger.shown("meanflow.mmd", spec=DISTANCE), font_size=24,
                      color=self.MEANFLOW_COLOR))
        for i, panel in enumerate(panels[1:]):
            k = quality_steps.index(counts[i])
            clouds.add(DotCloud(panel, self.ledger.array("quality.samples", k), WHITE, radius=0.018))
            nfes.add(eq(r"\mathrm{NFE} =", self.ledger.shown("meanflow.steps", i, COUNT), font_size=24))
            scores.add(eq(r"\mathrm{MMD}^2 =", self.ledger.shown("meanflow.flow_mmd", i, DISTANCE), font_size=24,
                          color=palette.MUTED))
        for panel, nfe, score in zip(panels, nfes, scores):
            nfe.next_to(panel, UP, buff=0.12)
            score.next_to(panel, DOWN, buff=0.12)
        mean_name = self.words("meanflow", font_size=palette.BODY_SIZE, color=self.MEANFLOW_COLOR)
        mean_name.next_to(nfes[0], UP, buff=0.2)
        flow_name = self.words("flow_matching", font_size=palette.BODY_SIZE).next_to(nfes[1:], UP, buff=0.2)
        flow_name.align_to(mean_name, DOWN)
        frame = SurroundingRectangle(VGroup(panels[0], nfes[0], scores[0]), color=self.MEANFLOW_COLOR, buff=0.1)
        fm = Group(panels[1:], clouds[1:], flow_name, nfes[1:], scores[1:])
        paths = self.ledger.array("meanflow.paths")  # [counts, fine steps + 1, particles, 2]
        fine = ValueTracker(0.0)  # the time on the fine grid, in its steps: every cloud moves along its own Euler steps
        for cloud, path in zip(clouds[1:], paths):
            cloud.redraw(path[0])
            cloud.add_updater(lambda c, path=path: c.redraw(self.between(path, fine.get_value())))
        self.say("same_noise", about=[*panels[1:], *clouds[1:], flow_name, *nfes[1:], *scores[1:]])
        self.play(FadeIn(panels[1:]), FadeIn(flow_name), FadeIn(nfes[1:]), FadeIn(clouds[1:]))
        self.play(
            fine.animate.set_value(paths.shape[1] - 1), run_time=max(1.0, self.cue_left() - 1.0), rate_func=linear,
        )
        for cloud in clouds[1:]:
            cloud.clear_updaters()
        self.play(FadeIn(scores[1:]))
        self.say(
            "flow_one", about=[clouds[1], scores[1], clouds[2], scores[2]],
            one=self.ledger.shown("meanflow.flow_mmd", 0, DISTANCE), two=self.ledger.shown("meanflow.flow_mmd", 1, DISTANCE),
        )
        self.play(Indicate(scores[1]), Indicate(scores[2]), run_time=self.cue_left())
        self.say("meanflow_one", about=[mean_cloud, mean_name, scores[0], nfes[0], frame],
                 mmd=self.ledger.shown("meanflow.mmd", spec=DISTANCE))
        noise, jumped = self.ledger.array("traj.x", 0), self.ledger.array("meanflow.samples")
        along = ValueTracker(0.0)  # the share of MeanFlow's one jump made: a straight line from each noise point
        mean_cloud.redraw(noise)
        mean_cloud.add_updater(lambda c: c.redraw(noise + along.get_value() * (jumped - noise)))
        self.play(FadeIn(panels[0]), FadeIn(mean_name), FadeIn(nfes[0]), Create(frame), FadeIn(mean_cloud))
        self.play(along.animate.set_value(1.0), run_time=max(1.0, self.cue_left() - 1.0))
        mean_cloud.clear_updaters()
        self.play(FadeIn(scores[0]))
        last = len(counts) - 1
        self.say(
            "many", about=[clouds[-1], scores[-1], nfes[-1], mean_cloud, scores[0]],
            n=self.ledger.shown("meanflow.steps", last, COUNT),
            many=self.ledger.shown("meanflow.flow_mmd", last, DISTANCE),
            four=self.ledger.shown("meanflow.flow_mmd", last - 1, DISTANCE),
            k=self.ledger.shown("meanflow.steps", last - 1, COUNT),
            mmd=self.ledger.shown("meanflow.mmd", spec=DISTANCE),
        )
        self.play(Indicate(scores[-1]), Indicate(scores[0]), run_time=self.cue_left())
        self.say("closing", about=[mean_cloud, frame, fm])
        self.play(Indicate(frame, color=WHITE, scale_factor=1.05), run_time=self.cue_left())


SCENES = [NoiseToData, VelocityField, Particles, Training, SampleQuality, FewVersusMany, OneStep]
