"""Chapter 8 — Convolution: the trained CNN's filters, feature maps and pooling on one real held-out digit."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    ReplacementTransform,
    ShowPassingFlash,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    VGroup,
    VMobject,
    Write,
)

from netreel.scenes.common import layout, palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.formats import COUNT, PERCENT, PERCENT2, SCI, VALUE
from netreel.scenes.common.mobjects import Bars, brackets, grid_lines, pixel_image, stack
from netreel.scenes.common.motion import sweep
from netreel.scenes.common.text import eq, turned


def signed_cells(values: np.ndarray, scale: float, height: float, shown: np.ndarray | None = None):
    """A 2-D array as one blue/red image; cells where ``shown`` is False are left transparent."""
    rgb = palette.signed_image(values, scale)
    if shown is not None:
        alpha = np.where(shown, 255, 0).astype(np.uint8)[..., None]
        rgb = np.concatenate([rgb, alpha], axis=-1)
    return pixel_image(rgb, height)


def cell_center(image, rows: int, cols: int, r: float, c: float) -> np.ndarray:
    """The centre of cell (r, c) of an image drawn as a rows x cols grid (fractions allowed)."""
    w, h = image.width / cols, image.height / rows
    return image.get_corner(UL) + np.array([w * (c + 0.5), -h * (r + 0.5), 0.0])


def window(image, rows: int, cols: int, top: int, left: int, n_rows: int, n_cols: int, **style) -> Rectangle:
    """A rectangle around the n_rows x n_cols block of cells whose top-left cell is (top, left)."""
    rect = Rectangle(
        width=image.width / cols * n_cols,
        height=image.height / rows * n_rows,
        **{"stroke_color": palette.HIGHLIGHT, "stroke_width": 4, **style},
    )
    return rect.move_to(cell_center(image, rows, cols, top + (n_rows - 1) / 2, left + (n_cols - 1) / 2))


def readable(mob):
    """A number drawn over coloured cells: a dark outline behind its glyphs."""
    return mob.set_stroke(palette.BACKGROUND, width=4, background=True)


class ChapterScene(NetScene):
    chapter = "cnn"

    @property
    def side(self) -> int:
        return int(self.facts.meta["side"])

    def read_sizes(self) -> None:
        """The filter in focus ``f``; the kernel's size ``k``, the first feature map's side ``m``, the pooled
        side ``p``."""
        self.f = int(self.ledger.value("focus.filter"))
        self.k, self.m, self.p = (int(self.ledger.value(key)) for key in ("shape.kernel", "shape.conv1", "shape.pool"))

    def digit_image(self, height: float):
        pixels = self.ledger.array("hook_input", 0)
        return pixel_image(palette.grey_image(pixels), height=height)

    def small(self, key: str, **kw):
        return self.words(key, font_size=palette.SMALL_SIZE, **kw)

    def label(self, key: str, **kw):
        return self.words(key, font_size=palette.LABEL_SIZE, **kw)

    def filter_name(self) -> str:
        return self.ledger.shown("focus.filter", spec=COUNT)

    def kernel_scale(self) -> float:
        """The largest |weight| of the first layer: full colour, the same for every filter in every scene."""
        return float(np.abs(self.ledger.array("conv1.weight")).max())

    def map_scale(self) -> float:
        """The largest |value| of the first layer's maps: full colour, the same for every map in every scene."""
        return float(np.abs(self.ledger.array("conv1.hook_z")).max())


class SlidingKernel(ChapterScene):
    """One learned 3x3 filter slides over the digit: nine products, their sum, one cell of the feature map."""

    estimated_seconds = 75.0
    SLOW = 3  # positions worked through number by number; the rest fill at speed
    FAST_STEPS = 36  # at most this many hops for the rest
    FONT = 26  # the numbers of the worked positions
    steps = ("input", "kernel", "first", "next", "rest", "formula")

    def input(self):
        """The held-out digit, its pixel grid and its true label."""
        self.read_sizes()
        side = self.side
        title = self.heading()
        digit = self.image = self.digit_image(3.0).move_to(LEFT * 4.6 + UP * 1.35)
        digit_grid = grid_lines(digit, side, side)
        label = self.ledger.shown("digit.label", spec=COUNT)
        digit_label = self.small("digit_caption", label=label).next_to(digit, DOWN, buff=0.15)
        self.say("digit", about=[digit, digit_grid], n_test=self.ledger.shown("data.n_test", spec=COUNT))
        self.play(FadeIn(title), FadeIn(digit))
        self.play(Create(digit_grid), run_time=1.5)
        self.play(FadeIn(digit_label, shift=UP * 0.1))

    def kernel(self):
        """The filter in focus, its weights as numbers, and the empty grid of the feature map it is going to fill."""
        f, k, m, side = self.f, self.k, self.m, self.side
        weights = self.ledger.array("conv1.weight", (f, 0))
        kernel = self.filter_image = pixel_image(palette.signed_image(weights, self.kernel_scale()), 1.5)
        kernel.move_to(UP * 1.35)
        kernel_grid = grid_lines(kernel, k, k)
        kernel_label = self.small("kernel_caption", k=self.filter_name()).next_to(kernel, DOWN, buff=0.15)
        self.z = self.ledger.array("conv1.hook_z", f)
        self.scale = self.map_scale()
        self.filled = np.zeros((m, m), dtype=bool)
        out = self.feature_map = signed_cells(self.z, self.scale, 3.0, self.filled).move_to(RIGHT * 4.6 + UP * 1.35)
        self.map_grid = grid_lines(out, m, m)
        out_label = self.small("map_caption").next_to(out, DOWN, buff=0.15)
        self.lay_out_row()
        weight_block, kernel_cells = self.weight_block, self.cells_of(kernel, k, k)
        self.say(
            "kernel", about=[kernel, kernel_grid, weight_block],
            k=self.filter_name(), n=self.ledger.shown("shape.kernel", spec=COUNT),
        )
        self.play(FadeIn(kernel), Create(kernel_grid), FadeIn(kernel_label))
        self.play(
            FadeIn(weight_block, target_position=kernel.get_center(), scale=0.5), FadeIn(self.block_captions[1]),
        )
        self.play(sweep(list(zip(kernel_cells, weight_block[0]))), run_time=4)
        self.say("map", about=[self.map_grid], m=self.ledger.shown("shape.conv1", spec=COUNT))
        self.play(Create(self.map_grid), FadeIn(out_label))
        last = m - 1
        corners = [(0, 0), (0, last), (last, last), (last, 0)]
        self.play(sweep([
            (window(self.image, side, side, i, j, k, k), window(out, m, m, i, j, 1, 1)) for i, j in corners
        ]), run_time=3)

    def first(self):
        """The window on the top-left corner: its pixels times the weights, summed with the bias: the map's first
        cell."""
        side, k, m = self.side, self.k, self.m
        frame = self.frame = window(self.image, side, side, 0, 0, k, k)
        self.target = window(self.feature_map, m, m, 0, 0, 1, 1)
        patch, products, total, row, captions = self.patch, self.products, self.total, self.row, self.block_captions
        weight_block = self.weight_block
        reach = self.reach = self.ledger.shown("reach.conv", spec=COUNT)
        self.say("window", about=[frame, patch], n=reach)
        self.play(Create(frame))
        self.play(TransformFromCopy(frame, patch), FadeIn(captions[0]))
        self.say("weights", about=[patch, row[1], weight_block])
        self.play(FadeIn(row[1]))
        self.play(sweep(list(zip(patch[0], weight_block[0]))), run_time=3)
        self.say("products", about=[products], n=reach)
        self.play(
            FadeIn(row[3]),
            LaggedStart(*(FadeIn(p) for p in products[0]), lag_ratio=0.1),
            FadeIn(products[1]),
            FadeIn(captions[2]),
        )
        self.say("sum", about=[total], n=reach, b=self.ledger.shown("conv1.bias", self.f, VALUE))
        self.play(Write(total))
        self.say("cell", about=[self.target], z=self.ledger.shown("conv1.hook_z", (self.f, 0, 0), VALUE))
        self.fill(0, 0, create_target=True)

    def next(self):
        """The window slides on: new pixels, the very same weights, the next cells worked through."""
        self.say("next", about=[self.frame, self.patch, self.target], n=self.reach)
        for position in range(1, self.SLOW):
            i, j = divmod(position, self.m)
            patch, products, total = self.arithmetic(i, j)
            patch.move_to(self.patch)
            products.move_to(self.products)
            total.move_to(self.total)
            self.play(
                *self.follow(i, j),
                Transform(self.patch, patch),
                Transform(self.products, products),
                Transform(self.total, total),
                run_time=1.2,
            )
            self.wait(1.5)
            self.fill(i, j)

    def rest(self):
        """Every other cell at speed, a few at each hop."""
        n, c = self.ledger.shown("count.outputs", spec=COUNT), self.ledger.shown("shape.channels", 0, COUNT)
        self.say("rest", about=[self.frame, self.target, self.map_grid], n=n, c=c)
        row = self.row
        worked = VGroup(self.patch, self.products, self.total, row[1], row[3], self.weight_block, self.block_captions)
        self.play(FadeOut(worked))
        cells_left = [divmod(position, self.m) for position in range(self.SLOW, self.m * self.m)]
        hop = math.ceil(len(cells_left) / self.FAST_STEPS)
        for start in range(0, len(cells_left), hop):
            cells = cells_left[start : start + hop]
            self.play(*self.follow(*cells[-1]), run_time=0.15)
            self.colour_in(cells)
        self.wait(0.5)

    def formula(self):
        """The sum as a formula, and the one filter shared by every position."""
        formula = eq(r"z_{ij}", "=", r"\sum_{u,v}", r"w_{uv}\, x_{i+u,\, j+v}", "+", "b", font_size=44)
        formula.move_to(DOWN * 2.2)
        self.say("formula", about=[formula])
        self.play(FadeOut(self.frame), FadeOut(self.target), Write(formula))
        self.say("shared", about=[self.filter_image])
        self.play(Indicate(self.filter_image, scale_factor=1.1, color=palette.HIGHLIGHT))
        self.wait(1)

    def lay_out_row(self) -> None:
        """The worked row at the first position (pixels ⊙ weights = products) and the sum under it, placed in the
        lower half; only the weights are shown before the window comes."""
        f, k = self.f, self.k
        self.patch, self.products, self.total = self.arithmetic(0, 0)
        cells = [(u, v) for u in range(k) for v in range(k)]
        weights = [self.ledger.number("conv1.weight", (f, 0, u, v), 2, font_size=self.FONT) for u, v in cells]
        weight_block = self.weight_block = self.block(weights, k)
        for number in weight_block[0]:
            number.set_color(palette.POSITIVE if number.get_value() >= 0 else palette.NEGATIVE)
        row = self.row = VGroup(self.patch, eq(r"\odot", font_size=38), weight_block, eq("=", font_size=38), self.products)
        row.arrange(RIGHT, buff=0.55).move_to(DOWN * 1.55)
        self.total.next_to(row, DOWN, buff=0.4)
        self.block_captions = VGroup(
            self.small("patch_caption").next_to(self.patch, UP, buff=0.12),
            self.small("weights_caption").next_to(weight_block, UP, buff=0.12),
            self.small("products_caption").next_to(self.products, UP, buff=0.12),
        )

    @staticmethod
    def cells_of(image, rows: int, cols: int) -> list[Rectangle]:
        """One rectangle over each cell of an image drawn as a rows x cols grid, row by row (for a sweep)."""
        return [window(image, rows, cols, r, c, 1, 1) for r in range(rows) for c in range(cols)]

    def block(self, numbers: list, k: int) -> VGroup:
        grid = VGroup(*numbers).arrange_in_grid(rows=k, cols=k, buff=(0.22, 0.14))
        return VGroup(grid, brackets(grid, buff=0.08, tip=0.1))

    def arithmetic(self, i: int, j: int) -> tuple[VGroup, VGroup, VGroup]:
        """The pixels under the window at (i, j), their products with the weights, and the sum."""
        k = int(self.ledger.value("shape.kernel"))
        cells = [(u, v) for u in range(k) for v in range(k)]
        pixels = [self.ledger.number("hook_input", (0, i + u, j + v), 2, font_size=self.FONT) for u, v in cells]
        products = [self.ledger.number("slide.products", (i, j, u, v), 2, font_size=self.FONT) for u, v in cells]
        patch, products = self.block(pixels, k), self.block(products, k)
        total = eq(
            r"z", "=", r"\sum w\,x", "+", "b", "=",
            self.ledger.shown("slide.sums", (i, j), VALUE), "+",
            "(", self.ledger.shown("conv1.bias", self.f, VALUE), ")",
            "=", self.ledger.shown("conv1.hook_z", (self.f, i, j), VALUE),
            font_size=38,
        )
        return patch, products, total

    def follow(self, i: int, j: int) -> tuple:
        """The window onto the pixels of output cell (i, j), and the target onto that cell."""
        side, k, m = self.side, self.k, self.m
        return (
            self.frame.animate.move_to(window(self.image, side, side, i, j, k, k)),
            self.target.animate.move_to(cell_center(self.feature_map, m, m, i, j)),
        )

    def colour_in(self, cells: list[tuple[int, int]]) -> None:
        """The feature map with ``cells`` coloured too, in place of the old one, under its grid and the target."""
        for i, j in cells:
            self.filled[i, j] = True
        new = signed_cells(self.z, self.scale, self.feature_map.height, self.filled).move_to(self.feature_map)
        self.remove(self.feature_map)
        self.add(new)
        self.bring_to_front(self.map_grid, self.target)
        self.feature_map = new

    def fill(self, i: int, j: int, create_target: bool = False) -> None:
        """The sum flies into cell (i, j) of the feature map, which takes its colour."""
        flying = self.total[-1].copy()
        moves = [flying.animate.scale(0.6).move_to(cell_center(self.feature_map, *self.z.shape, i, j))]
        if create_target:
            moves.append(Create(self.target))
        self.play(*moves, run_time=0.9)
        self.colour_in([(i, j)])
        self.play(FadeOut(flying), run_time=0.3)


class Filters(ChapterScene):
    """Every learned first-layer filter, and the feature map each one makes of the digit."""

    estimated_seconds = 25.0
    steps = ("filters", "maps", "focus")

    def filters(self):
        """The digit and every filter of the first layer."""
        self.read_sizes()
        k, m = self.k, self.m
        channels = int(self.ledger.value("shape.channels", 0))
        title = self.heading()
        digit = self.digit = self.digit_image(3.0).move_to(LEFT * 4.9 + DOWN * 0.2)
        weights = self.ledger.array("conv1.weight")[:, 0]  # [c, k, k]
        maps = self.ledger.array("conv1.hook_z")  # [c, m, m]
        w_scale, z_scale = self.kernel_scale(), self.map_scale()
        columns = self.columns = Group()
        self.feature_maps = []
        for c in range(channels):
            kernel = pixel_image(palette.signed_image(weights[c], w_scale), 0.9)
            fmap = pixel_image(palette.signed_image(maps[c], z_scale), 1.45)
            name = self.small("filter_name", k=self.ledger.shown("filters", c, COUNT))
            column = Group(
                name,
                Group(kernel, grid_lines(kernel, k, k, width=0.8)),
                Group(fmap, grid_lines(fmap, m, m, width=0.6)),
            )
            column.arrange(DOWN, buff=0.15)
            columns.add(column)
            self.feature_maps.append(column[2])
        columns.arrange_in_grid(rows=2, buff=(0.5, 0.35)).move_to(RIGHT * 1.9 + DOWN * 0.1)
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(digit, DOWN, buff=0.35)
        layout.keep_inside(legend)
        c, n = self.ledger.shown("shape.channels", 0, COUNT), self.ledger.shown("shape.kernel", spec=COUNT)
        self.say("filters", about=[digit, *(col[1] for col in columns)], c=c, n=n)
        self.play(FadeIn(title), FadeIn(digit), FadeIn(legend))
        self.play(LaggedStart(*(FadeIn(Group(col[0], col[1])) for col in columns), lag_ratio=0.12), run_time=2)
        self.wait(1)

    def maps(self):
        """The feature map each filter makes of the digit."""
        self.say("maps", about=[*self.feature_maps])
        maps = LaggedStart(*(FadeIn(fm, shift=DOWN * 0.15) for fm in self.feature_maps), lag_ratio=0.12)
        self.play(maps, run_time=2.5)
        side, k, m = self.side, self.k, self.m
        values = self.ledger.array("conv1.hook_z", self.f)
        fmap = self.feature_maps[self.f][0]
        places = [np.unravel_index(int(pick(values)), values.shape) for pick in (np.argmax, np.argmin)]
        pairs = [(window(self.digit, side, side, i, j, k, k), window(fmap, m, m, i, j, 1, 1)) for i, j in places]
        self.say("colours", about=[self.digit, fmap])
        self.play(sweep(pairs), run_time=5)

    def focus(self):
        """The filter of the first scene among them."""
        box = SurroundingRectangle(self.columns[self.f], color=palette.HIGHLIGHT, buff=0.08)
        self.say("focus", about=[box], k=self.filter_name())
        self.play(Create(box))
        self.say("learned", about=[*self.feature_maps])
        self.play(sweep(list(self.columns)), run_time=4)


class ReluPool(ChapterScene):
    """ReLU zeroes the negative cells; max-pooling keeps the largest of each window."""

    estimated_seconds = 45.0
    SLOW = 3  # windows shown one by one; the rest at speed
    HEIGHT = 3.9
    FONT = 22
    steps = ("map", "relu", "pool", "every_filter")

    def map(self):
        """A crop of the filter's feature map, each cell with its value."""
        self.read_sizes()
        r0, c0 = (int(v) for v in self.ledger.array("pool.origin"))
        self.s = int(self.ledger.value("shape.window"))
        size = self.size = min(6, self.p * self.s)
        crop = self.crop = (self.f, slice(r0, r0 + size), slice(c0, c0 + size))
        z = self.ledger.array("conv1.hook_z", crop)
        self.scale = self.map_scale()
        title = self.heading()
        z_image = self.z_image = signed_cells(z, self.scale, self.HEIGHT).move_to(LEFT * 4.7 + UP * 0.2)
        z_numbers = self.z_numbers = self.numbers_on(z_image, "conv1.hook_z", crop, size, size)
        z_label = self.small("map_caption", k=self.filter_name()).next_to(z_image, UP, buff=0.15)
        z_group = Group(z_image, grid_lines(z_image, size, size), z_numbers)
        self.say("map", about=[z_group], k=self.filter_name())
        self.play(FadeIn(title), FadeIn(z_group), FadeIn(z_label))
        self.wait(0.5)

    def relu(self):
        """ReLU of every cell: the negative ones become zero."""
        size = self.size
        a = self.ledger.array("conv1.hook_a", self.crop)
        a_image = self.a_image = signed_cells(a, self.scale, self.HEIGHT).move_to(UP * 0.2)
        a_numbers = self.a_numbers = self.numbers_on(a_image, "conv1.hook_a", self.crop, size, size)
        a_label = self.small("relu_caption").next_to(a_image, UP, buff=0.15)
        relu = eq(r"\mathrm{ReLU}(z)", "=", r"\max(0,\, z)", font_size=36).next_to(a_image, DOWN, buff=0.35)
        self.say("relu", about=[relu, a_image, *a_numbers])
        self.play(Write(relu), FadeIn(a_label))
        self.play(
            TransformFromCopy(self.z_image, a_image),
            FadeIn(grid_lines(a_image, size, size)),
            *(TransformFromCopy(zn, an) for zn, an in zip(self.z_numbers, a_numbers)),
            run_time=1.8,
        )
        z = self.ledger.array("conv1.hook_z", self.crop).ravel()
        zeroed = [(self.z_numbers[n], a_numbers[n]) for n in np.flatnonzero(z < 0)]
        self.say("relu_effect", about=[*self.a_numbers])
        self.play(sweep(zeroed), run_time=4)

    def pool(self):
        """Max-pooling window by window: the largest value of each is kept."""
        f, s, size, scale, a_image, a_numbers = self.f, self.s, self.size, self.scale, self.a_image, self.a_numbers
        _, rows, cols = self.crop
        r0, c0 = rows.start, cols.start
        pooled_crop = (f, slice(r0 // s, (r0 + size) // s), slice(c0 // s, (c0 + size) // s))
        q = size // s
        filled = np.zeros((q, q), dtype=bool)
        pooled = self.ledger.array("hook_pool", pooled_crop)
        out = signed_cells(pooled, scale, self.HEIGHT * q / size, filled).move_to(RIGHT * 4.7 + UP * 0.2)
        out_grid = grid_lines(out, q, q)
        out_label = self.small("pool_caption").next_to(out, UP, buff=0.15)
        pool_eq = eq(r"p_{ij}", "=", r"\max_{(u,v) \in W_{ij}}", r"a_{uv}", font_size=36).next_to(out, DOWN, buff=0.35)
        self.say("pool", about=[out_grid, pool_eq], n=self.ledger.shown("shape.window", spec=COUNT))
        self.play(Create(out_grid), FadeIn(out_label), Write(pool_eq))
        frame = window(a_image, size, size, 0, 0, s, s)
        pick = window(a_image, size, size, 0, 0, 1, 1, stroke_width=6, stroke_color=palette.POSITIVE_DARK)
        slot = window(out, q, q, 0, 0, 1, 1)
        self.play(Create(frame), Create(slot))
        values = VGroup()
        for n in range(q * q):
            i, j = divmod(n, q)
            row = int(self.ledger.value("pool.row", (f, r0 // s + i, c0 // s + j))) - r0
            col = int(self.ledger.value("pool.col", (f, r0 // s + i, c0 // s + j))) - c0
            slow = n < self.SLOW
            if n == 1:
                self.say("pool_next", about=[frame, slot])
            if n == self.SLOW:
                self.say("pool_rest", about=[frame, slot])
            self.play(
                frame.animate.move_to(window(a_image, size, size, s * i, s * j, s, s)),
                slot.animate.move_to(cell_center(out, q, q, i, j)),
                run_time=0.6 if slow else 0.2,
            )
            pick.move_to(cell_center(a_image, size, size, row, col))
            value = self.ledger.number("hook_pool", (f, r0 // s + i, c0 // s + j), 2, font_size=self.FONT)
            readable(value).move_to(cell_center(out, q, q, i, j))
            if slow:
                self.play(Create(pick), Indicate(a_numbers[row * size + col], color=palette.HIGHLIGHT), run_time=0.8)
            else:
                self.add(pick)
            filled[i, j] = True
            new = signed_cells(pooled, scale, out.height, filled).move_to(out)
            self.play(TransformFromCopy(a_numbers[row * size + col], value), run_time=0.9 if slow else 0.3)
            self.remove(out)
            out = new
            self.add(out)
            values.add(value)
            self.bring_to_front(out_grid, slot, values)
            self.remove(pick)
            if slow:
                self.wait(0.5)
        self.play(FadeOut(frame), FadeOut(slot))
        n, p = self.ledger.shown("shape.conv1", spec=COUNT), self.ledger.shown("shape.pool", spec=COUNT)
        regions = [
            (window(a_image, size, size, s * i, s * j, s, s), window(out, q, q, i, j, 1, 1))
            for i in range(q) for j in range(q)
        ]
        self.say("pool_effect", about=[values, out_grid], n=n, p=p)
        self.play(sweep(regions), run_time=4)

    def every_filter(self):
        """The pooled map of every filter."""
        p, scale = self.p, self.scale
        pooled_all = self.ledger.array("hook_pool")  # [c, p, p]
        images = (signed_cells(x, scale, 0.75) for x in pooled_all)
        row = Group(*(Group(im, grid_lines(im, p, p, width=0.6)) for im in images))
        row.arrange(RIGHT, buff=0.3)
        caption = self.small("all_caption")
        Group(caption, row).arrange(RIGHT, buff=0.4).to_edge(DOWN, buff=0.25)
        self.say("every_filter", about=[*row, caption], c=self.ledger.shown("shape.channels", 0, COUNT))
        self.play(FadeIn(caption), LaggedStart(*(FadeIn(x, shift=UP * 0.1) for x in row), lag_ratio=0.1), run_time=1.8)
        self.play(Indicate(row[self.f], color=palette.HIGHLIGHT))
        self.wait(1)

    def numbers_on(self, image, key: str, crop: tuple, rows: int, cols: int) -> VGroup:
        _, rs, cs = crop
        numbers = VGroup()
        for r in range(rows):
            for c in range(cols):
                number = self.ledger.number(key, (crop[0], rs.start + r, cs.start + c), 2, font_size=self.FONT)
                numbers.add(readable(number).move_to(cell_center(image, rows, cols, r, c)))
        return numbers


def slab(images: list, offset: np.ndarray) -> Group:
    """Equal images stacked as a 3-D block: the first in front, each next one behind, shifted by ``offset``."""
    for n, image in enumerate(images):
        image.shift(offset * n)
    return Group(*reversed(images))


class Architecture(ChapterScene):
    """Channels, stride and padding, and the whole network drawn with its real shapes and parameter counts."""

    estimated_seconds = 70.0
    SLICE = 1.2  # the side of one 3x3 slice in the channels picture
    OFFSET = np.array([0.17, 0.14, 0.0])  # each next channel sits up and to the right
    FONT = 22
    steps = ("channels", "stride_padding", "diagram")

    def channels(self):
        """The pooled maps of every first-layer filter as a stack; the second convolution's kernel for one output
        filter as a matching stack; at one cell each channel gives a part, and the parts add up to the cell."""
        self.read_sizes()
        title = self.title = self.heading()
        o = self.o = int(self.ledger.value("focus.conv2"))
        r, c = (int(v) for v in self.ledger.array("channels.cell"))
        p, k = self.p, self.k
        pooled = self.ledger.array("hook_pool")  # [c1, p, p]
        kernels = self.ledger.array("conv2.weight", o)  # [c1, k, k]
        c1 = len(pooled)
        map_scale, w_scale = self.map_scale(), float(np.abs(self.ledger.array("conv2.weight")).max())

        def stacked(arrays, scale, size):
            slices = [Group(im := signed_cells(a, scale, self.SLICE), grid_lines(im, size, size)) for a in arrays]
            return slab(slices, self.OFFSET)

        maps = stacked(pooled, map_scale, p).move_to(LEFT * 5.1 + UP * 0.5)
        kernel = stacked(kernels, w_scale, k).move_to(LEFT * 2.2 + UP * 0.5)
        times = eq(r"\times", font_size=40).move_to((maps.get_right() + kernel.get_left()) / 2)
        c_shown = self.ledger.shown("shape.channels", 0, COUNT)
        maps_label = self.small("maps_caption", c=c_shown).next_to(maps, DOWN, buff=0.3)
        kernel_label = self.small("kernel_caption", o=self.ledger.shown("focus.conv2", spec=COUNT), c=c_shown)
        kernel_label.next_to(kernel, DOWN, buff=0.3)
        self.say("stack", about=[maps, maps_label], c=c_shown, p=self.ledger.shown("shape.pool", spec=COUNT))
        self.play(FadeIn(title), LaggedStart(*(FadeIn(x, shift=UP * 0.1) for x in reversed(maps)), lag_ratio=0.15), FadeIn(maps_label),
                  run_time=3)
        self.say("kernel", about=[kernel, kernel_label], c=c_shown, k=self.ledger.shown("shape.kernel", spec=COUNT))
        self.play(FadeIn(times), LaggedStart(*(FadeIn(x, shift=UP * 0.1) for x in reversed(kernel)), lag_ratio=0.15),
                  FadeIn(kernel_label), run_time=3)

        parts = VGroup(*(readable(self.ledger.number("channels.partial", ch, 2, font_size=self.FONT)) for ch in range(c1)))
        parts.arrange(DOWN, buff=0.14).move_to(RIGHT * 0.6 + UP * 0.3)
        for part in parts:
            part.set_color(palette.POSITIVE if part.get_value() >= 0 else palette.NEGATIVE)
        parts_label = self.small("parts_caption").next_to(parts, UP, buff=0.2)
        half = k // 2
        frames = [window(maps[c1 - 1 - ch][0], p, p, r - half, c - half, k, k) for ch in range(c1)]
        pairs = [window(kernel[c1 - 1 - ch][0], k, k, 0, 0, k, k) for ch in range(c1)]
        self.say("window", about=[*frames[:1], *pairs[:1]], k=self.ledger.shown("shape.kernel", spec=COUNT))
        self.play(Create(frames[0]), Create(pairs[0]), FadeIn(parts_label), run_time=2)
        self.play(Indicate(frames[0], color=palette.HIGHLIGHT), Indicate(pairs[0], color=palette.HIGHLIGHT), run_time=2)
        self.say("parts", about=[parts, maps, kernel])
        for ch in range(c1):
            self.play(
                ReplacementTransform(frames[ch - 1], frames[ch]) if ch else Indicate(frames[0]),
                ReplacementTransform(pairs[ch - 1], pairs[ch]) if ch else Indicate(pairs[0]),
                TransformFromCopy(VGroup(frames[ch], pairs[ch]), parts[ch]),
                run_time=0.6,
            )
        self.play(FadeOut(frames[-1]), FadeOut(pairs[-1]))

        z = self.ledger.array("conv2.hook_z", o)
        out = signed_cells(z, map_scale, self.SLICE * 1.3).move_to(RIGHT * 4.4 + UP * 0.5)
        out_grid = grid_lines(out, p, p)
        out_label = self.small("out_caption", o=self.ledger.shown("focus.conv2", spec=COUNT)).next_to(out, UP, buff=0.2)
        target = window(out, p, p, r, c, 1, 1)
        total = eq(
            r"\sum_c", "+ (", self.ledger.shown("conv2.bias", o, VALUE), ")", "=", self.ledger.shown("conv2.hook_z", (o, r, c), VALUE),
            font_size=34,
        ).next_to(Group(out, out_label), DOWN, buff=0.45)
        brace = brackets(parts, buff=0.12)
        self.say("sum", about=[parts, total, target], c=c_shown, b=self.ledger.shown("conv2.bias", o, VALUE),
                 z=self.ledger.shown("conv2.hook_z", (o, r, c), VALUE))
        self.play(Create(brace), FadeIn(out), Create(out_grid), FadeIn(out_label), run_time=2)
        self.play(TransformFromCopy(parts, total), Create(target), run_time=2.5)
        self.say("relu", about=[total, out])
        self.play(Indicate(total[-1], color=palette.HIGHLIGHT), Indicate(target, color=palette.HIGHLIGHT), run_time=2)
        self.play(Indicate(kernel, color=palette.HIGHLIGHT, scale_factor=1.05), run_time=2)
        self.channels_group = Group(maps, kernel, times, maps_label, kernel_label, parts, parts_label, brace,
                                    out, out_grid, out_label, target, total)

    def stride_padding(self):
        """out = floor((n + 2p - k) / s) + 1 with the digit's n and the kernel's k, for the network's own first layer,
        for stride 2 and for padding 1; a padded digit and the hops of a stride-2 window."""
        self.play(FadeOut(self.channels_group))
        n, k = self.ledger.shown("shape.side", spec=COUNT), self.ledger.shown("shape.kernel", spec=COUNT)
        formula = eq(r"\text{out}", "=", r"\left\lfloor \frac{n + 2p - k}{s} \right\rfloor", "+ 1", font_size=40)
        formula.move_to(UP * 1.9)
        rows = VGroup()
        for i in range(3):
            pad, stride = (self.ledger.shown(f"size.{key}", i, COUNT) for key in ("padding", "stride"))
            rows.add(eq(
                "p =", pad, r",\ s =", stride, r":\quad", r"\left\lfloor \frac{", n, r"+ 2 \cdot", pad, "-", k, "}{", stride,
                r"} \right\rfloor + 1", "=", self.ledger.shown("size.out", i, COUNT), font_size=32,
            ))
        rows.arrange(DOWN, buff=0.4, aligned_edge=LEFT).next_to(formula, DOWN, buff=0.55).align_to(formula, LEFT)
        s2, p1 = self.ledger.shown("size.stride", 1, COUNT), self.ledger.shown("size.padding", 2, COUNT)
        fills = ({}, {"s": s2}, {"p": p1})
        names = VGroup(*(self.small(f"setting_{i}", **fill).next_to(row, LEFT, buff=0.3)
                         for i, (row, fill) in enumerate(zip(rows, fills))))
        names.align_to(names[0], RIGHT)
        Group(formula, rows, names).to_edge(LEFT, buff=0.6)
        self.say("formula", about=[formula], n=n, k=k)
        self.play(Write(formula))
        self.say("own", about=[rows[0]], out=self.ledger.shown("size.out", 0, COUNT), s=self.ledger.shown("size.stride", 0, COUNT))
        self.play(Write(rows[0]), FadeIn(names[0]))
        self.play(Indicate(rows[0][-1], color=palette.HIGHLIGHT))

        side = self.side
        digit = self.digit_image(2.0).move_to(RIGHT * 2.7 + DOWN * 0.2)
        digit_grid = grid_lines(digit, side, side)
        hop = window(digit, side, side, 0, 0, self.k, self.k)
        stride_label = self.small("stride_caption", s=s2).next_to(digit, UP, buff=0.2)
        stride = int(self.ledger.value("size.stride", 1))
        self.say("stride", about=[rows[1], digit, hop], out=self.ledger.shown("size.out", 1, COUNT), s=s2)
        self.play(Write(rows[1]), FadeIn(names[1]), FadeIn(digit), Create(digit_grid), FadeIn(stride_label), Create(hop))
        positions = int(self.ledger.value("size.out", 1))
        for j in range(1, positions):
            self.play(hop.animate.move_to(window(digit, side, side, 0, stride * j, self.k, self.k)), run_time=0.7)
        for i in range(1, positions):
            self.play(hop.animate.move_to(window(digit, side, side, stride * i, 0, self.k, self.k)), run_time=0.7)

        pad = int(self.ledger.value("size.padding", 2))
        big = side + 2 * pad
        cell = digit.height / side
        ring = Rectangle(width=cell * big, height=cell * big, stroke_width=0).set_fill(palette.FAINT, opacity=0.6)
        ring.move_to(RIGHT * 5.3 + DOWN * 0.2)
        padded = self.digit_image(digit.height).move_to(ring)
        padded_grid = grid_lines(ring, big, big)
        pad_label = self.small("padding_caption", p=p1).next_to(ring, UP, buff=0.2)
        corner = window(ring, big, big, 0, 0, self.k, self.k)
        self.say("padding", about=[rows[2], ring, padded], out=self.ledger.shown("size.out", 2, COUNT), n=n, p=p1)
        self.play(Write(rows[2]), FadeIn(names[2]), FadeIn(ring), FadeIn(padded), Create(padded_grid), FadeIn(pad_label))
        self.play(Create(corner))
        self.play(corner.animate.move_to(window(ring, big, big, 0, big - self.k, self.k, self.k)), run_time=1.2)
        self.play(corner.animate.move_to(window(ring, big, big, big - self.k, big - self.k, self.k, self.k)), run_time=1.2)
        self.size_group = Group(formula, rows, names, digit, digit_grid, hop, stride_label, ring, padded, padded_grid,
                                pad_label, corner)

    def diagram(self):
        """Every layer as a block the size of its real output [channels, rows, columns], the operation and its parameter
        count on each arrow, down to the ten logits."""
        self.play(FadeOut(self.size_group))
        unit, depth = 0.17, np.array([0.085, 0.07, 0.0])
        shapes = self.ledger.array("arch.shapes").astype(int)  # [stage, 3]
        blocks, labels = [], []
        for i, (channels, rows, cols) in enumerate(shapes):
            faces = [Rectangle(width=cols * unit, height=rows * unit, stroke_color=palette.MUTED, stroke_width=1.5)
                     .set_fill(palette.POSITIVE if i else palette.MUTED, opacity=0.35) for _ in range(channels)]
            blocks.append(slab(faces, depth))
            labels.append(eq(*(part for d in range(3) for part in
                               ((r"\times",) if d else ()) + (self.ledger.shown("arch.shapes", (i, d), COUNT),)),
                             font_size=28))
        classes = int(self.ledger.value("arch.flat", 1))
        out = VGroup(*(Rectangle(width=unit * 1.2, height=unit * 1.2, stroke_color=palette.MUTED, stroke_width=1.5)
                       .set_fill(palette.HIGHLIGHT, opacity=0.5) for _ in range(classes))).arrange(DOWN, buff=0.04)
        blocks.append(out)
        labels.append(eq(self.ledger.shown("arch.flat", 1, COUNT), font_size=28))
        row = Group(*blocks).arrange(RIGHT, buff=1.85).move_to(UP * 0.6)
        for block, label in zip(blocks, labels):
            label.next_to(block, DOWN, buff=0.25)
            label.set_y(row.get_bottom()[1] - 0.35)
        params = [self.ledger.shown("arch.params", i, COUNT) for i in range(3)]
        k = self.ledger.shown("shape.kernel", spec=COUNT)
        ops = [("op_conv", {"k": k}, params[0]), ("op_pool", {"s": self.ledger.shown("shape.window", spec=COUNT)}, None),
               ("op_conv2", {"k": k}, params[1]), ("op_dense", {"n": self.ledger.shown("arch.flat", 0, COUNT)}, params[2])]
        arrows, texts = [], []
        for (key, fills, count), left, right in zip(ops, blocks[:-1], blocks[1:]):
            arrow = Arrow(left.get_right(), right.get_left(), buff=0.12, stroke_width=3, max_tip_length_to_length_ratio=0.2)
            arrow.set_y(row.get_center()[1])
            name = self.small(key, **fills).next_to(arrow, UP, buff=0.15)
            lines = [name]
            if count is not None:
                lines.append(self.small("op_params", n=count).set_color(palette.HIGHLIGHT).move_to(arrow).set_y(labels[0].get_y() - 0.9))
            arrows.append(arrow)
            texts.append(VGroup(*lines))
        names = ("input_caption", "conv1_caption", "pool_caption", "conv2_caption", "logits_caption")
        captions = [self.small(key).next_to(label, DOWN, buff=0.15) for key, label in zip(names, labels)]
        total = self.label("total_caption", n=self.ledger.shown("params.total", spec=COUNT)).to_edge(DOWN, buff=0.45)
        self.say("input", about=[blocks[0], labels[0]], n=self.ledger.shown("shape.side", spec=COUNT))
        self.play(FadeIn(blocks[0], shift=RIGHT * 0.2), FadeIn(labels[0]), FadeIn(captions[0]), run_time=2.5)
        self.play(Indicate(labels[0], color=palette.HIGHLIGHT), run_time=2)
        keys = ("conv1", "pool", "conv2", "dense")
        for i, key in enumerate(keys):
            fill = {"c": self.ledger.shown("shape.channels", 0, COUNT), "m": self.ledger.shown("arch.flat", 1, COUNT)}
            self.say(f"to_{key}", about=[arrows[i], texts[i], blocks[i + 1], labels[i + 1]],
                     n=ops[i][2] if ops[i][2] is not None else ops[i][1]["s"],
                     **fill)
            self.play(GrowArrow(arrows[i]), FadeIn(texts[i]))
            self.play(LaggedStart(*(FadeIn(face, shift=RIGHT * 0.1) for face in reversed(blocks[i + 1])), lag_ratio=0.08),
                      FadeIn(labels[i + 1]), FadeIn(captions[i + 1]), run_time=1.4)
        self.say("total", about=[total], n=self.ledger.shown("params.total", spec=COUNT))
        self.play(Write(total), *(Indicate(t[1], color=palette.HIGHLIGHT) for t in texts if len(t) > 1), run_time=2)
        self.wait(1.5)


class Equivariance(ChapterScene):
    """Shift the digit: the feature maps shift with it, measured; max-pooling's output only partly stays put."""

    estimated_seconds = 50.0
    DIGIT = 2.4  # height of each digit
    MAP = 2.1  # height of each feature map
    LEFT_X, RIGHT_X = -4.9, -1.7  # the digit's column and the shifted digit's
    steps = ("shift", "maps", "pool")

    def shift(self):
        """The digit, and a copy sliding right by the shift, zeros filling the column it leaves."""
        self.read_sizes()
        side = self.side
        self.down, self.right = (int(v) for v in self.ledger.array("equivariance.shift"))
        title = self.heading()
        digit = self.digit_image(self.DIGIT).move_to(np.array([self.LEFT_X, 1.15, 0.0]))
        moving = digit.copy().move_to(np.array([self.RIGHT_X, 1.15, 0.0]))
        shifted = pixel_image(palette.grey_image(self.ledger.array("equivariance.image")), self.DIGIT).move_to(moving)
        self.digits = (digit, shifted)
        grids = VGroup(grid_lines(digit, side, side), grid_lines(shifted, side, side))
        frames = VGroup(*(SurroundingRectangle(d, buff=0, color=palette.MUTED, stroke_width=2) for d in self.digits))
        captions = VGroup(
            self.small("digit_caption").next_to(digit, UP, buff=0.15),
            self.small("shifted_caption", n=self.ledger.shown("equivariance.shift", 1, COUNT)).next_to(shifted, UP, buff=0.15),
        )
        self.say("digit", about=[digit, moving], n=self.ledger.shown("equivariance.shift", 1, COUNT))
        self.play(FadeIn(title), FadeIn(digit), FadeIn(moving), Create(frames), Create(grids), FadeIn(captions))
        step = np.array([self.right * digit.width / side, -self.down * digit.height / side, 0.0])
        self.play(moving.animate.shift(step), run_time=3)
        self.remove(moving)
        self.add(shifted)
        self.bring_to_front(grids, frames)
        self.wait(0.5)

    def maps(self):
        """Filter f's map of each, the strongest cell and where it went, and the measured difference."""
        m, f = self.m, self.f
        scale = self.map_scale()
        before = self.ledger.array("conv1.hook_a", f)
        after = self.ledger.array("equivariance.maps", f)
        self.maps_shown = []
        for values, digit in zip((before, after), self.digits):
            image = signed_cells(values, scale, self.MAP).move_to(np.array([digit.get_x(), -1.25, 0.0]))
            self.maps_shown.append(Group(image, grid_lines(image, m, m, width=0.8)))
        caption = self.small("map_caption", k=self.filter_name()).next_to(Group(*self.maps_shown), DOWN, buff=0.15)
        self.say("maps", about=[*self.maps_shown], k=self.filter_name())
        self.play(*(FadeIn(x, shift=DOWN * 0.15) for x in self.maps_shown), FadeIn(caption), run_time=2)
        inside = before[: m - self.down, : m - self.right]  # cells whose shifted place is on the map
        i, j = np.unravel_index(int(np.argmax(inside)), inside.shape)
        marks = VGroup(
            window(self.maps_shown[0][0], m, m, i, j, 1, 1),
            window(self.maps_shown[1][0], m, m, i + self.down, j + self.right, 1, 1),
        )
        k, side = self.k, self.side
        patches = VGroup(
            window(self.digits[0], side, side, i, j, k, k, stroke_width=3),
            window(self.digits[1], side, side, i + self.down, j + self.right, k, k, stroke_width=3),
        )
        arrow = Arrow(marks[0].get_right(), marks[1].get_left(), buff=0.1, color=palette.HIGHLIGHT, stroke_width=4)
        self.say("moves", about=[marks, patches, arrow])
        self.play(Create(patches[0]), Create(marks[0]), run_time=2)
        self.play(
            TransformFromCopy(patches[0], patches[1]), TransformFromCopy(marks[0], marks[1]), Create(arrow), run_time=4
        )
        self.play(Indicate(patches, color=palette.HIGHLIGHT), run_time=2)
        self.figures = VGroup(
            self.label(
                "error_line",
                err=self.ledger.shown("equivariance.error", spec=SCI),
                rel=self.ledger.shown("equivariance.relative", spec=SCI),
            )
        )
        self.place_figures()
        self.say(
            "error", about=[self.figures[0], *self.maps_shown],
            err=self.ledger.shown("equivariance.error", spec=SCI),
            rel=self.ledger.shown("equivariance.relative", spec=SCI),
        )
        overlay = self.maps_shown[0][0].copy().set_opacity(0.6)
        cell = np.array([self.right * overlay.width / m, -self.down * overlay.height / m, 0.0])
        self.play(overlay.animate.move_to(self.maps_shown[1][0].get_center() + cell), run_time=3.5)
        self.play(FadeOut(overlay), FadeIn(self.figures[0]), run_time=2)
        self.play(Indicate(self.figures[0], color=palette.HIGHLIGHT, scale_factor=1.05), run_time=2)
        self.say("equivariant", about=[*self.maps_shown, arrow])
        self.play(Indicate(arrow, color=palette.HIGHLIGHT), Indicate(marks, color=palette.HIGHLIGHT), run_time=3)
        self.marks = VGroup(marks, patches, arrow)

    def pool(self):
        """Both maps max-pooled: under a one-pixel shift many pooled cells change; under a shift by the window
        they move by one cell; the network's answers."""
        f, p = self.f, self.p
        scale = self.map_scale()
        pooled = []
        for values, shown in zip((self.ledger.array("hook_pool", f), self.ledger.array("equivariance.pooled", f)), self.maps_shown):
            image = signed_cells(values, scale, self.MAP).move_to(shown)
            pooled.append(Group(image, grid_lines(image, p, p, width=1.2)))
        n = self.ledger.shown("shape.window", spec=COUNT)
        self.say("pool", about=pooled, n=n)
        self.play(FadeOut(self.marks), run_time=1)
        self.play(*(FadeOut(a) for a in self.maps_shown), *(FadeIn(b, scale=1.2) for b in pooled), run_time=2)
        changed = dict(
            changed=self.ledger.shown("equivariance.pool_changed", spec=COUNT),
            cells=self.ledger.shown("equivariance.pool_cells", spec=COUNT),
            change=self.ledger.shown("equivariance.pool_change", spec=VALUE),
            rel=self.ledger.shown("equivariance.pool_relative", spec=PERCENT),
        )
        aligned = dict(
            n=self.ledger.shown("equivariance.aligned", 1, COUNT),
            err=self.ledger.shown("equivariance.aligned_error", spec=SCI),
        )
        answers = dict(
            d=self.ledger.shown("equivariance.prediction", 0, COUNT),
            p=self.ledger.shown("equivariance.probability", 0, PERCENT2),
            d_shift=self.ledger.shown("equivariance.prediction", 1, COUNT),
            p_shift=self.ledger.shown("equivariance.probability", 1, PERCENT2),
        )
        lines = [self.label("pool_line", **changed), self.label("aligned_line", **aligned), self.label("answer_line", **answers)]
        self.figures.add(*lines)
        self.place_figures()
        self.say("pool_change", about=[lines[0], *pooled], **changed)
        before, after = self.ledger.array("hook_pool", f), self.ledger.array("equivariance.pooled", f)
        moved = np.argwhere(np.abs(after - before) > 0)  # the cells of this filter's pooled map the shift changed
        boxes = VGroup(*(window(pooled[1][0], p, p, int(r), int(c), 1, 1) for r, c in moved))
        self.play(FadeIn(lines[0]), LaggedStart(*(Create(b) for b in boxes), lag_ratio=0.3), run_time=4)
        self.play(Indicate(lines[0], color=palette.HIGHLIGHT, scale_factor=1.05), run_time=2)
        self.say("aligned", about=[lines[1]], **aligned)
        self.play(FadeOut(boxes), Write(lines[1]), run_time=3.5)
        self.say("answer", about=[lines[2], *self.digits], **answers)
        self.play(Write(lines[2]), run_time=3)
        self.wait(1)

    def place_figures(self) -> None:
        """The measured lines, one under another, in the right half."""
        self.figures.arrange(DOWN, buff=0.5, aligned_edge=LEFT).set_y(0.0)
        self.figures.align_to(np.array([self.RIGHT_X + self.DIGIT / 2 + 0.6, 0.0, 0.0]), LEFT)


class Sharing(ChapterScene):
    """Locality and weight sharing: real parameter counts, the layer as a matrix, the receptive field."""

    estimated_seconds = 70.0
    steps = ("counts", "matrix", "receptive")

    def counts(self):
        """The parameters of a dense layer, a locally connected one and a convolution doing the same job."""
        self.read_sizes()
        title = self.title = self.heading()
        n_in = self.n_in = self.ledger.shown("count.inputs", spec=COUNT)
        n_out = self.ledger.shown("count.outputs", spec=COUNT)
        kk = self.ledger.shown("shape.kernel", spec=COUNT)
        c1 = self.ledger.shown("shape.channels", 0, COUNT)
        size = 42
        rows = [
            (self.words("dense_name"), eq(
                n_in, r"\times", n_out, "+", n_out, "=", self.ledger.shown("count.dense", spec=COUNT), font_size=size,
            )),
            (self.words("local_name"), eq(
                n_out, r"\times", kk, r"\times", kk, "+", n_out, "=", self.ledger.shown("count.local", spec=COUNT),
                font_size=size,
            )),
            (self.words("conv_name"), eq(
                c1, r"\times", kk, r"\times", kk, "+", c1, "=", self.ledger.shown("count.conv", spec=COUNT),
                font_size=size,
            )),
        ]
        table = self.table = VGroup(*(m_ for row in rows for m_ in row))
        table.arrange_in_grid(cols=2, buff=(0.8, 0.85), col_alignments="lr")
        table.move_to(UP * 0.3)
        bar_values = [self.ledger.value(key) for key in ("count.dense", "count.local", "count.conv")]
        bars = self.bars = VGroup()
        for (name, _), value in zip(rows, bar_values):
            bar = Rectangle(width=max(table.width * value / bar_values[0], 0.02), height=0.2, stroke_width=0)
            bar.set_fill(palette.HIGHLIGHT, opacity=0.85)
            bars.add(bar.next_to(name, DOWN, buff=0.18).align_to(table, LEFT))
        job = self.job = self.layer_job(n_in, n_out, c1)
        self.say("same_job", about=[*job], n_in=n_in, n_out=n_out)
        self.play(FadeIn(title))
        self.play(LaggedStart(*(FadeIn(part) for part in job), lag_ratio=0.3), run_time=2)
        keys = ("dense", "local", "conv")
        for (name, formula), bar, key in zip(rows, bars, keys):
            self.say(key, about=[name, formula, bar], n=self.ledger.shown(f"count.{key}", spec=COUNT), k=kk)
            self.play(FadeIn(name), Write(formula), GrowFromEdge(bar, LEFT))
            self.wait(1.5)

    def layer_job(self, n_in: str, n_out: str, c1: str) -> Group:
        """The first layer's job under the counts: the digit's pixels in, every filter's feature map out."""
        digit = self.digit_image(1.1)
        digit = Group(digit, self.small("io_pixels", n=n_in).next_to(digit, DOWN, buff=0.12))
        scale = self.map_scale()
        maps = Group(*(signed_cells(z, scale, 0.6) for z in self.ledger.array("conv1.hook_z"))).arrange(RIGHT, buff=0.12)
        maps = Group(maps, self.small("io_outputs", n=n_out, c=c1).next_to(maps, DOWN, buff=0.12))
        arrow = Arrow(LEFT * 0.6, RIGHT * 0.6, color=palette.MUTED, buff=0)
        job = Group(digit, arrow, maps).arrange(RIGHT, buff=0.3).move_to(DOWN * 2.35)
        arrow.set_y(digit[0].get_y())
        maps.shift(UP * (digit[0].get_y() - maps[0].get_y()))
        return job

    def matrix(self):
        """The convolution written as a dense layer's matrix: few weights in each row, the same ones in every row."""
        m = self.m
        dense = self.ledger.array("dense.focus")  # [m*m, side*side]
        n_rows, n_cols = dense.shape
        matrix = pixel_image(palette.signed_image(dense), 3.3)
        matrix.stretch_to_fit_width(min(3.3 * n_cols / n_rows, 11.0)).move_to(DOWN * 1.55)
        border = SurroundingRectangle(matrix, color=palette.MUTED, buff=0, stroke_width=1.5)
        x_label = self.small("matrix_columns", n=self.n_in).next_to(matrix, DOWN, buff=0.12)
        y_label = turned(self.small("matrix_rows", n=self.ledger.shown("count.cells", spec=COUNT)))
        y_label.next_to(matrix, LEFT, buff=0.12)
        self.say("matrix", about=[matrix, border], k=self.filter_name())
        counts = VGroup(self.table, self.bars)
        self.play(FadeOut(self.job), counts.animate.scale(0.6).next_to(self.title, DOWN, buff=0.3))
        self.play(FadeIn(matrix), Create(border), FadeIn(x_label), FadeIn(y_label))
        self.say("matrix_local", n=self.ledger.shown("reach.conv", spec=COUNT))
        row = window(matrix, n_rows, n_cols, 0, 0, 1, n_cols, stroke_width=2.5)
        weights = [window(matrix, n_rows, n_cols, 0, c, 1, 1) for c in np.flatnonzero(dense[0])]
        self.point_at(row)
        self.play(Create(row))
        self.play(sweep(weights), run_time=3)
        self.say("matrix_shared", about=[row])
        for r in (1, 2, m, m + 1):
            self.play(row.animate.move_to(cell_center(matrix, n_rows, n_cols, r, (n_cols - 1) / 2)), run_time=0.8)
            self.wait(0.4)
        self.wait(1)
        self.matrix_view = Group(counts, matrix, border, row, x_label, y_label)

    def receptive(self):
        """The receptive field of one cell, layer after layer, growing on the digit."""
        f, m, p, side = self.f, self.m, self.p, self.side
        self.play(FadeOut(self.matrix_view))
        digit = self.digit_image(4.4).move_to(LEFT * 3.4 + DOWN * 0.3)
        digit_grid = grid_lines(digit, side, side)
        boxes = self.ledger.array("rf.box")
        sizes = [self.ledger.shown("rf.size", n, COUNT) for n in range(3)]
        z_scale = self.map_scale()
        layer_maps = [
            (self.ledger.array("conv1.hook_a", f), m, z_scale),
            (self.ledger.array("hook_pool", f), p, z_scale),
            (self.ledger.array("conv2.hook_a", int(self.ledger.value("focus.conv2"))), p, None),
        ]
        panels, cells = Group(), []
        for n, (values, n_cells, scale) in enumerate(layer_maps):
            image = signed_cells(values, scale or float(np.abs(values).max()), 1.6)
            centre = (n_cells - 1) // 2
            name = self.label(f"layer_{n}", n=sizes[n])
            panel = Group(image, grid_lines(image, n_cells, n_cells, width=0.8))
            panels.add(Group(panel, name.next_to(panel, RIGHT, buff=0.25)))
            cells.append((image, n_cells, centre))
        panels.arrange(DOWN, buff=0.3, aligned_edge=LEFT).move_to(RIGHT * 3.0 + DOWN * 0.3)
        self.say("receptive", about=[digit, digit_grid])
        self.play(FadeIn(digit), Create(digit_grid))
        field, reached = None, []
        for n, (image, n_cells, centre) in enumerate(cells):
            top, left, bottom, right = (int(v) for v in boxes[n])
            mark = window(image, n_cells, n_cells, centre, centre, 1, 1)
            new_field = window(digit, side, side, top, left, bottom - top + 1, right - left + 1)
            reached.append((panels[n], new_field.copy()))
            self.say(
                f"field_{n}", about=[panels[n],
                mark, new_field], n=sizes[n], side=self.ledger.shown("shape.side", spec=COUNT),
            )
            self.play(FadeIn(panels[n]))
            if field is not None:
                self.add(field.copy().set_stroke(opacity=0.35))
            grow = Create(new_field) if field is None else ReplacementTransform(field, new_field)
            self.play(Create(mark), grow, run_time=1.2)
            field = new_field
            self.wait(1.5)
        self.say("grows", about=[field, *panels])
        self.play(sweep(reached), run_time=4)


class PatchAttention(ChapterScene):
    """A convolution's fixed 3x3 neighbourhood beside a vision transformer's real attention from one patch to every
    patch, on two digits; then the accuracy and size of the MLP, the CNN and the ViT (Dosovitskiy et al. 2020)."""

    estimated_seconds = 80.0
    DIGIT = 3.9  # height of each digit
    XS = (-4.6, 0.0, 4.6)  # the convolution's panel, the chapter digit's attention, the second digit's
    Y = 0.45
    FONT = 24  # the attention weights written on the patches
    DIM = 0.55  # the opacity of a digit under its attention
    steps = ("patches", "local", "attention", "content", "table")

    def patches(self):
        """The paper; the digit cut into patches, each a token."""
        self.read_sizes()
        self.g, self.q = int(self.ledger.value("vit.grid")), int(self.ledger.value("vit.patch"))
        self.layer, self.head = (int(v) for v in self.ledger.array("vit.shown"))
        side, g, q = self.side, self.g, self.q
        title = self.title = self.heading()
        year = self.ledger.shown("vit.paper.year", spec=".0f")
        source = self.words(
            "source", font_size=palette.SMALL_SIZE, color=palette.MUTED,
            year=year, p=self.ledger.shown("vit.paper.patch", spec=COUNT),
        ).next_to(title, DOWN, buff=0.2)
        digit = self.middle = self.digit_image(self.DIGIT).move_to(np.array([self.XS[1], self.Y, 0.0]))
        pixels = grid_lines(digit, side, side)
        cuts = self.cuts = grid_lines(digit, g, g, color=palette.HIGHLIGHT, width=3)
        self.say("paper", about=[title, source], year=year, t_year=self.ledger.shown("transformer.year", spec=".0f"))
        self.play(FadeIn(title), FadeIn(digit), Create(pixels), run_time=2)
        self.play(Write(source), run_time=3)
        self.play(Indicate(source, color=palette.HIGHLIGHT, scale_factor=1.05), run_time=2)
        self.play(Indicate(digit, color=palette.HIGHLIGHT, scale_factor=1.03), run_time=1.5)
        image = self.ledger.array("hook_input", 0)
        tokens = Group(*(
            pixel_image(palette.grey_image(image[r * q : (r + 1) * q, c * q : (c + 1) * q]), 0.5)
            for r in range(g) for c in range(g)
        )).arrange(RIGHT, buff=0.12).move_to(DOWN * 2.3)
        self.say(
            "patches", about=[cuts, tokens],
            n=self.ledger.shown("vit.tokens", spec=COUNT), p=self.ledger.shown("vit.patch", spec=COUNT),
        )
        self.play(Create(cuts), run_time=1.5)
        self.play(LaggedStart(*(
            FadeIn(token, target_position=cell_center(digit, g, g, *divmod(t, g)), scale=1.6)
            for t, token in enumerate(tokens)
        ), lag_ratio=0.15), run_time=5.5)
        self.say(
            "trained", about=[tokens, digit],
            blocks=self.ledger.shown("vit.layers", spec=COUNT), heads=self.ledger.shown("vit.heads", spec=COUNT),
        )
        self.play(LaggedStart(*(Indicate(t, color=palette.HIGHLIGHT) for t in tokens), lag_ratio=0.1), run_time=4.5)
        self.play(FadeOut(tokens), FadeOut(source), run_time=1)

    def local(self):
        """On the left, a convolution's output reads its fixed neighbourhood through the filter's weights."""
        side, k = self.side, self.k
        left = self.left = self.digit_image(self.DIGIT).move_to(np.array([self.XS[0], self.Y, 0.0]))
        grid = grid_lines(left, side, side)
        weights = self.ledger.array("conv1.weight", (self.f, 0))
        top, corner = (int(v) - k // 2 for v in self.ledger.array("reach.centre"))
        conv = self.conv = self.conv_view(left, weights, top, corner)
        caption = self.conv_caption = self.small(
            "conv_caption", n=self.ledger.shown("shape.kernel", spec=COUNT),
        ).next_to(left, DOWN, buff=0.2)
        n = self.ledger.shown("reach.conv", spec=COUNT)
        self.say("local", about=[conv, left], n=n, k=self.filter_name())
        self.play(FadeIn(left), Create(grid), FadeIn(caption), run_time=1.5)
        self.play(FadeIn(conv), run_time=1.5)
        self.play(Indicate(conv[3], color=palette.HIGHLIGHT, scale_factor=1.1), run_time=2)
        self.play(ShowPassingFlash(conv[1].copy().set_stroke(palette.HIGHLIGHT, width=5), time_width=0.6), run_time=1.5)
        self.say("slide", about=[conv])
        step_x, step_y = left.width / side, left.height / side
        for dx, dy in ((1, 0), (0, -1), (-1, 0), (0, 1)):
            self.play(conv.animate.shift(np.array([dx * step_x, dy * step_y, 0.0])), run_time=1.1)

    def attention(self):
        """In the middle, the chapter digit's boxed patch and its real attention to every patch."""
        row = self.ledger.array("vit.row")
        self.scale = max(float(row.max()), float(self.ledger.array("vit.other.row").max()))
        heat, numbers, box = self.attention_view(self.middle, "vit.row")
        caption = self.small(
            "attention_caption",
            block=self.ledger.ordinal("vit.layer_numbers", self.layer, counting="from1"),
            head=self.ledger.ordinal("vit.head_numbers", self.head, counting="from1"),
        ).next_to(self.middle, DOWN, buff=0.2)
        reads = self.reads(self.middle, row)
        self.say("attention", about=[box, reads], n=self.ledger.shown("vit.tokens", spec=COUNT))
        self.play(Create(box), FadeIn(caption), run_time=1)
        self.play(Create(reads), run_time=2.5)
        self.play(FadeIn(heat), self.middle.animate.set_opacity(self.DIM), run_time=3)
        self.play(FadeOut(reads), run_time=1)
        self.bring_to_front(self.cuts, box)
        r, c = np.unravel_index(int(np.argmax(row)), row.shape)
        self.say("weights", about=[numbers, heat], top=self.ledger.shown("vit.row", (int(r), int(c)), VALUE))
        self.play(LaggedStart(*(FadeIn(x) for x in numbers), lag_ratio=0.08), run_time=3.5)
        self.play(Indicate(numbers[int(r) * self.g + int(c)], color=palette.HIGHLIGHT, scale_factor=1.4), run_time=2)
        self.middle_heat = heat

    def content(self):
        """On the right, a second digit: the same patch, another pattern; the convolution's weights do not change."""
        right = self.digit("vit.other.image", None, self.DIGIT).move_to(np.array([self.XS[2], self.Y, 0.0]))
        grids = VGroup(
            grid_lines(right, self.side, self.side), grid_lines(right, self.g, self.g, color=palette.HIGHLIGHT, width=3),
        )
        heat, numbers, box = self.attention_view(right, "vit.other.row")
        caption = self.small("other_caption", d=self.ledger.shown("vit.other.label", spec=COUNT))
        caption.next_to(right, DOWN, buff=0.2)
        self.say("other", about=[right, heat, numbers], d=self.ledger.shown("vit.other.label", spec=COUNT))
        self.play(FadeIn(right), Create(grids), FadeIn(caption))
        self.play(Create(box), FadeIn(heat), right.animate.set_opacity(self.DIM), run_time=2.5)
        self.bring_to_front(grids, box)
        self.play(LaggedStart(*(FadeIn(x) for x in numbers), lag_ratio=0.08), run_time=3.5)
        fills = dict(tv=self.ledger.shown("vit.tv", spec=VALUE), mean=self.ledger.shown("vit.tv_mean", spec=VALUE))
        distance = self.small("distance_line", **fills).next_to(self.title, DOWN, buff=0.3)
        self.say("distance", about=[distance, heat, self.middle_heat], **fills)
        self.play(Write(distance), run_time=2.5)
        self.play(
            Indicate(heat, color=palette.HIGHLIGHT, scale_factor=1.03),
            Indicate(self.middle_heat, color=palette.HIGHLIGHT, scale_factor=1.03),
            run_time=3,
        )
        self.say("fixed", about=[self.conv, self.conv_caption], n=self.ledger.shown("reach.conv", spec=COUNT))
        self.play(Indicate(self.conv, color=palette.HIGHLIGHT, scale_factor=1.1), run_time=2)
        self.play(Indicate(self.conv_caption, color=palette.HIGHLIGHT, scale_factor=1.05), run_time=1.5)

    def table(self):
        """The three networks side by side on the same held-out digits: accuracy, mistakes, parameters."""
        self.play(*(FadeOut(mob) for mob in self.mobjects if mob is not self.title), run_time=1)
        nets = ("mlp", "cnn", "vit")
        params = {"mlp": "params.mlp", "cnn": "params.total", "vit": "params.vit"}
        heads = [self.label(f"column_{name}", color=palette.MUTED) for name in ("net", "accuracy", "wrong", "params")]
        rows = [[
            self.words(f"{net}_name"),
            self.words("cell", v=self.ledger.shown(f"test_accuracy.{net}", spec=PERCENT2)),
            self.words("cell", v=self.ledger.shown(f"errors.{net}", spec=COUNT)),
            self.words("cell", v=self.ledger.shown(params[net], spec=COUNT)),
        ] for net in nets]
        table = VGroup(*heads, *(cell for row in rows for cell in row))
        table.arrange_in_grid(cols=4, buff=(1.0, 0.55), col_alignments="lrrr").move_to(UP * 1.0)
        self.say("table", about=[*heads], n=self.ledger.shown("data.n_test", spec=COUNT))
        self.play(FadeIn(VGroup(*heads)), run_time=1)
        for row in rows:
            self.play(LaggedStart(*(FadeIn(cell, shift=RIGHT * 0.2) for cell in row), lag_ratio=0.2), run_time=1.2)
        fills = {f"a_{net}": self.ledger.shown(f"test_accuracy.{net}", spec=PERCENT2) for net in nets}
        fills.update({f"n_{net}": self.ledger.shown(params[net], spec=COUNT) for net in nets})
        said = [VGroup(*row) for row in reversed(rows)]  # the transformer first, as the sentence goes
        self.say("verdict", about=said, **fills)
        highlights = (Indicate(row, color=palette.HIGHLIGHT, scale_factor=1.05) for row in said)
        self.play(LaggedStart(*highlights, lag_ratio=1.0), run_time=7)
        sizes = dict(n=self.ledger.shown("data.n_train", spec=COUNT), m=self.ledger.shown("data.n_test", spec=COUNT))
        caveat = self.label("caveat_line", **sizes).next_to(table, DOWN, buff=0.7)
        self.say("caveat", about=[caveat], **sizes)
        self.play(Write(caveat), run_time=3.5)
        self.play(Indicate(caveat, color=palette.HIGHLIGHT, scale_factor=1.03), run_time=2.5)
        self.say("bias", about=[VGroup(*rows[1]), VGroup(*rows[2])])
        self.play(Indicate(VGroup(*rows[1]), color=palette.HIGHLIGHT), run_time=2.5)
        self.play(Indicate(VGroup(*rows[2]), color=palette.HIGHLIGHT), run_time=2.5)
        self.play(Indicate(VGroup(*rows[1]), color=palette.HIGHLIGHT), run_time=2)
        self.wait(1)

    def attention_view(self, image, key: str) -> tuple[VGroup, VGroup, Rectangle]:
        """Over ``image``: each patch lit by the focus patch's weight to it (one scale for both digits), the weight
        written on it, and a box around the focus patch."""
        g = self.g
        weights = self.ledger.array(key)
        heat, numbers = VGroup(), VGroup()
        for r in range(g):
            for c in range(g):
                square = window(image, g, g, r, c, 1, 1, stroke_width=0)
                heat.add(square.set_fill(palette.HIGHLIGHT, opacity=0.85 * float(weights[r, c]) / self.scale))
                number = self.ledger.number(key, (r, c), 2, font_size=self.FONT)
                numbers.add(readable(number).move_to(cell_center(image, g, g, r, c)))
        fr, fc = (int(v) for v in self.ledger.array("vit.focus"))
        box = window(image, g, g, fr, fc, 1, 1, stroke_width=6, stroke_color=palette.POSITIVE)
        return heat, numbers, box

    def reads(self, image, weights: np.ndarray) -> VGroup:
        """A line from the focus patch to every other patch, as thick as the weight it gets (the thickest 14 px)."""
        g = self.g
        fr, fc = (int(v) for v in self.ledger.array("vit.focus"))
        start = cell_center(image, g, g, fr, fc)
        return VGroup(*(
            Line(start, cell_center(image, g, g, r, c), color=palette.POSITIVE,
                 stroke_width=14 * float(weights[r, c]) / self.scale)
            for r in range(g) for c in range(g) if (r, c) != (fr, fc)
        ))

    def conv_view(self, image, weights: np.ndarray, i: int, j: int) -> Group:
        """The filter's weights laid over the neighbourhood of output cell (i, j), a line from each to its centre."""
        side, k = self.side, weights.shape[0]
        overlay = pixel_image(palette.signed_image(weights, self.kernel_scale()), image.height * k / side)
        overlay.set_opacity(0.85)
        overlay.move_to(cell_center(image, side, side, i + (k - 1) / 2, j + (k - 1) / 2))
        centre = (i + k // 2, j + k // 2)
        end = cell_center(image, side, side, *centre)
        lines = VMobject(stroke_color=palette.HIGHLIGHT, stroke_width=2, stroke_opacity=0.7)
        for u in range(k):
            for v in range(k):
                if (i + u, j + v) != centre:
                    lines.start_new_path(cell_center(image, side, side, i + u, j + v))
                    lines.add_line_to(end)
        patch = window(image, side, side, i, j, k, k, stroke_width=3)
        return Group(overlay, lines, window(image, side, side, *centre, 1, 1, stroke_width=5), patch)


class Prediction(ChapterScene):
    """The CNN's output probabilities for the digit, and its held-out accuracy beside the MLP's."""

    estimated_seconds = 35.0
    steps = ("probabilities", "compare")

    def probabilities(self):
        """The probability of each class for the digit, and the network's guess."""
        title = self.heading()
        digit = self.digit = self.digit_image(2.4).move_to(LEFT * 5.2 + UP * 1.2)
        bars = Bars.for_classes(self.ledger, "hook_probs", font_size=26, length=2.2, row_height=0.52)
        bars.move_to(LEFT * 1.3 + DOWN * 0.4)
        softmax = eq(r"p_d", "=", r"\frac{e^{z_d}}{\sum_{d'} e^{z_{d'}}}", font_size=38).next_to(digit, DOWN, buff=0.45)
        predicted = int(self.ledger.value("prediction"))
        box = SurroundingRectangle(bars.row(predicted), color=palette.HIGHLIGHT, buff=0.06)
        verdict = stack(
            self.label("common.guess", d=self.ledger.shown("prediction", spec=COUNT)),
            self.label("common.truth", d=self.ledger.shown("digit.label", spec=COUNT)),
            buff=0.12,
        ).next_to(softmax, DOWN, buff=0.45).set_x(digit.get_x())
        self.say("probabilities", about=[digit, softmax, bars.labels, bars.numbers])
        self.play(FadeIn(title), FadeIn(digit), Write(softmax))
        self.play(
            LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars.bars), lag_ratio=0.08),
            FadeIn(bars.labels),
            FadeIn(bars.numbers),
            run_time=2,
        )
        d, p = self.ledger.shown("prediction", spec=COUNT), self.ledger.shown("hook_probs", predicted, PERCENT2)
        self.say("guess", about=[box, verdict], d=d, p=p)
        self.play(Create(box), FadeIn(verdict))
        self.wait(1)

    def compare(self):
        """Its held-out accuracy beside the MLP's, with their errors and parameter counts."""
        rows = []
        track_length = 4.2
        for net, key in (("cnn", "params.total"), ("mlp", "params.mlp")):
            accuracy = self.ledger.value(f"test_accuracy.{net}")
            name = VGroup(self.label(f"{net}_name"), self.small(f"{net}_source", color=palette.MUTED))
            name.arrange(RIGHT, buff=0.2, aligned_edge=DOWN)
            figure = self.small(
                "figures",
                acc=self.ledger.shown(f"test_accuracy.{net}", spec=PERCENT2),
                wrong=self.ledger.shown(f"errors.{net}", spec=COUNT),
                n=self.ledger.shown(key, spec=COUNT),
            )
            track = Rectangle(width=track_length, height=0.3, stroke_color=palette.FAINT, stroke_width=1.5)
            bar = Rectangle(width=track_length * accuracy, height=0.3, stroke_width=0)
            bar.set_fill(palette.POSITIVE, opacity=0.9)
            row = VGroup(name, VGroup(track, bar.align_to(track, LEFT)), figure)
            rows.append(row.arrange(DOWN, buff=0.14, aligned_edge=LEFT))
        panel = VGroup(*rows).arrange(DOWN, buff=0.6, aligned_edge=LEFT)
        heading = self.label("held_out", n=self.ledger.shown("data.n_test", spec=COUNT))
        VGroup(heading, panel).arrange(DOWN, buff=0.5, aligned_edge=LEFT).to_edge(RIGHT, buff=0.45).set_y(-0.3)
        self.say("compare", about=[heading, *rows], n=self.ledger.shown("data.n_test", spec=COUNT))
        self.play(FadeIn(heading))
        for row in rows:
            self.play(FadeIn(row[0]), Create(row[1][0]), GrowFromEdge(row[1][1], LEFT), FadeIn(row[2]))
        self.say(
            "verdict", about=[*rows],
            cnn=self.ledger.shown("test_accuracy.cnn", spec=PERCENT2),
            mlp=self.ledger.shown("test_accuracy.mlp", spec=PERCENT2),
            e_cnn=self.ledger.shown("errors.cnn", spec=COUNT),
            e_mlp=self.ledger.shown("errors.mlp", spec=COUNT),
            n_cnn=self.ledger.shown("params.total", spec=COUNT),
            n_mlp=self.ledger.shown("params.mlp", spec=COUNT),
        )
        self.play(sweep(rows), run_time=5)
        self.read_sizes()
        side, k, m = self.side, self.k, self.m
        ends = (0, m // 2, m - 1)
        windows = [window(self.digit, side, side, i, j, k, k) for i in ends for j in ends]
        self.say("why", about=[self.digit, *rows])
        self.play(sweep(windows), run_time=5)


SCENES = [SlidingKernel, Filters, ReluPool, Architecture, Equivariance, Sharing, Prediction, PatchAttention]
