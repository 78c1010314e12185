"""Benchmark: drawing every edge of the 784-16-16-10 network, one Line per edge vs. netreel's way.

Renders the same forward-pass animation (all 12,960 edges fade in layer by
layer, neurons light up) twice in one run, at ``low`` quality by default, and
prints frames per second of each and their ratio::

    python -m netreel.render.edge_bench [--quality low] [--seconds 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from manim import Dot, FadeIn, Line, Scene, VGroup, tempconfig

from netreel.nets.mlp import MLP, MLPConfig
from netreel.scenes.common import palette
from netreel.scenes.common.mobjects import edge_raster
from netreel.render.run import manim_config

SIZES = (784, 16, 16, 10)


def neuron_points() -> list[np.ndarray]:
    """The centre of every neuron, one [n, 3] array per layer."""
    xs = np.linspace(-5.0, 5.0, len(SIZES))
    return [np.stack([np.full(n, x), np.linspace(3.0, -3.0, n), np.zeros(n)], axis=1) for x, n in zip(xs, SIZES)]


def network_geometry(weights: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each layer: edge start points, end points ([n, 3]) and weights [n], every edge included."""
    columns = neuron_points()
    layers = []
    for k, w in enumerate(weights):  # w: [out, in]
        src, dst = columns[k], columns[k + 1]
        starts = np.repeat(src[None], len(dst), axis=0).reshape(-1, 3)
        ends = np.repeat(dst[:, None], len(src), axis=1).reshape(-1, 3)
        layers.append((starts, ends, w.reshape(-1)))
    return layers


def line_per_edge(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray) -> VGroup:
    """The naive way: a Line mobject for every edge."""
    scale = float(np.abs(weights).max())
    lines = VGroup()
    for a, b, w in zip(starts, ends, weights):
        strength = abs(w) / scale
        color = palette.POSITIVE if w >= 0 else palette.NEGATIVE
        lines.add(Line(a, b, stroke_width=0.5 + 1.5 * strength, stroke_color=color, stroke_opacity=0.08 + 0.92 * strength))
    return lines


def make_scene(draw_edges, layers, seconds: float):
    class ForwardPassEdges(Scene):
        def construct(self):
            neurons = VGroup(*(Dot(p, radius=0.06, color=palette.NEURON_STROKE) for column in neuron_points()[1:] for p in column))
            self.add(neurons)
            for starts, ends, weights in layers:
                self.play(FadeIn(draw_edges(starts, ends, weights)), run_time=seconds / len(layers))

    return ForwardPassEdges


def measure(draw_edges, layers, quality: str, seconds: float) -> tuple[int, float]:
    """Frames rendered and wall seconds for one render of the animation."""
    with tempfile.TemporaryDirectory() as scratch:
        scene_cls = make_scene(draw_edges, layers, seconds)
        with tempconfig(manim_config(quality, Path(scratch), output_file=str(Path(scratch) / "bench"))):
            start = time.perf_counter()
            scene = scene_cls()
            scene.render()
            wall = time.perf_counter() - start
            frames = int(round(scene.time * scene.camera.frame_rate))
    return frames, wall


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="low")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of the animation")
    args = parser.parse_args(argv)
    model = MLP(MLPConfig(sizes=SIZES))
    model.init_weights(torch.Generator().manual_seed(0))
    weights = [layer.weight.detach().double().numpy() for layer in model.layers]
    layers = network_geometry(weights)
    n_edges = sum(len(w) for _, _, w in layers)
    naive_frames, naive_wall = measure(line_per_edge, layers, args.quality, args.seconds)
    ours_frames, ours_wall = measure(lambda s, e, w: edge_raster(s, e, w, max_width=0.02), layers, args.quality, args.seconds)
    naive_fps, ours_fps = naive_frames / naive_wall, ours_frames / ours_wall
    result = {"edges": n_edges, "quality": args.quality, "line_fps": naive_fps, "raster_fps": ours_fps, "ratio": ours_fps / naive_fps}
    print(f"{n_edges:,} edges at {args.quality}: one Line per edge {naive_fps:.2f} frames/s, "
          f"rasterised {ours_fps:.2f} frames/s, ratio {result['ratio']:.1f}x")
    return result


if __name__ == "__main__":
    main()
