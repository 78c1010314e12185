"""``netreel bench``: how fast netreel renders on this machine, measured in one run.

For each quality it renders the target's scenes (into a temporary folder, every
scene rendered even if a render exists) and records per scene the video
seconds, the render seconds (inside the worker), their ratio, frames per second,
CPU seconds and the worker's peak memory; per chapter and for the whole target
the same totals, and the wall time of the whole render (``--jobs``, all cores by
default). It also measures, at the first quality: the speed-up of ``--jobs``
over ``--jobs 1`` (whole renders in turns); at every quality: a re-render with nothing
changed (the whole command, start-up included); for each chapter's networks:
building the facts with an empty network cache (training) and with a warm one;
a still preview of every scene; and the edge-drawing ratio of
``netreel.render.edge_bench``. Timings of things that take seconds are the median of
``repeat`` runs; everything else is a ratio within this run. The result goes to
``bench.json`` and a table.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import manim

import netreel.nets.facts
from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.render import edge_bench as edges
from netreel.scenes import registry
from netreel.scenes.registry import Chapter
from netreel.render.chapter import read_manifest
from netreel.render.jobs import RenderError
from netreel.render.pipeline import RenderOptions, render

TARGETS = {  # the goals of the benchmark, checked in its summary
    "high_ratio": 3.0,  # render seconds per video second, whole target at `high`
    "low_ratio": 0.5,  # the same at `low`
    "still_s": 5.0,  # `netreel preview X --still`, warm cache
    "speedup": 1.7,  # --jobs 2 over --jobs 1
    "rerender_s": 2.0,  # `netreel render X` with nothing changed
    "peak_rss_mb": 1536.0,  # a worker at `high`
}


@dataclass
class BenchOptions:
    target: str
    qualities: list[str] = field(default_factory=lambda: ["low", "high"])
    repeat: int = 3
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    net: NetConfig = field(default_factory=NetConfig)
    edge_seconds: float = 2.0  # length of the edge-drawing animation


def median_of(repeat: int, run: Callable[[], float]) -> dict:
    """``run()`` returns seconds; its median over ``repeat`` runs and every run."""
    runs = [run() for _ in range(max(1, repeat))]
    return {"median_s": statistics.median(runs), "runs_s": runs}


def totals(rows: list[dict]) -> dict:
    """Sums of video and render seconds with their ratio and frame rate; the largest peak memory."""
    video_s = sum(r["video_s"] for r in rows)
    render_s = sum(r["render_s"] for r in rows)
    frames = sum(r["frames"] for r in rows)
    return {
        "video_s": video_s,
        "render_s": render_s,
        "cpu_s": sum(r["cpu_s"] for r in rows),
        "frames": frames,
        "ratio": render_s / video_s if video_s else 0.0,
        "fps": frames / render_s if render_s else 0.0,
        "peak_rss_mb": max((r["peak_rss_mb"] for r in rows), default=0.0),
    }


def scene_row(entry: dict) -> dict:
    """A scene's figures from its manifest entry."""
    render_s = entry["render_seconds"]
    return {
        "video_s": entry["duration"],
        "render_s": render_s,
        "cpu_s": entry["cpu_seconds"],
        "frames": entry["frames"],
        "ratio": render_s / entry["duration"],
        "fps": entry["frames"] / render_s,
        "peak_rss_mb": entry["peak_rss_mb"],
    }


def cli_seconds(args: list[str]) -> float:
    """Wall seconds of one ``netreel`` command in a fresh process (start-up included)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "netreel.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RenderError(f"bench: `netreel {' '.join(args)}` failed: {lines[-1]}")
    return seconds


@contextmanager
def network_cache(path: Path):
    """Point the network cache at ``path`` for this process and the processes it starts."""
    before = os.environ.get("NETREEL_CACHE")
    os.environ["NETREEL_CACHE"] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("NETREEL_CACHE", None)
        else:
            os.environ["NETREEL_CACHE"] = before


def facts_seconds(chapter: Chapter, net: NetConfig) -> float:
    started = time.perf_counter()
    netreel.nets.facts.build(chapter.facts, net)
    return time.perf_counter() - started


def net_cache_times(chapters: list[Chapter], opts: BenchOptions, scratch: Path) -> dict:
    """Facts built with an empty network cache (training), with a warm one (loading), and stored ones, per facts module."""
    out = {}
    for chapter in {ch.facts: ch for ch in chapters}.values():

        def cold() -> float:
            with network_cache(Path(tempfile.mkdtemp(dir=scratch, prefix="cold-cache-"))):
                return facts_seconds(chapter, opts.net)

        def stored() -> float:
            started = time.perf_counter()
            facts_cache.build(chapter.facts, opts.net)
            return time.perf_counter() - started

        facts_seconds(chapter, opts.net)  # warm the cache, the data and the imports
        cold_s = median_of(opts.repeat, cold)
        warm_s = median_of(opts.repeat, lambda: facts_seconds(chapter, opts.net))
        out[chapter.facts] = {
            "cold": cold_s,
            "warm": warm_s,
            "stored": median_of(opts.repeat, stored),
            "cold_over_warm": cold_s["median_s"] / warm_s["median_s"],
        }
    return out


def quality_run(targets, quality: str, opts: BenchOptions, out: Path, report: Callable[[str], None]) -> dict:
    """Render every target scene at ``quality``; the figures per scene, per chapter and in total."""
    render_opts = RenderOptions(quality=quality, out=out, jobs=opts.jobs, net=opts.net, force=True)
    started = time.perf_counter()
    outputs = render(targets, render_opts, report=report)
    wall_s = time.perf_counter() - started
    chapters, rows = {}, []
    for output, (_, scenes) in zip(outputs, targets):
        entries = read_manifest(output.folder)["scenes"]
        scene_rows = {cls.__name__: scene_row(entries[cls.__name__]) for cls in scenes}
        chapters[output.chapter] = {"scenes": scene_rows, "total": totals(list(scene_rows.values()))}
        rows.extend(scene_rows.values())
    total = totals(rows)
    rerender = median_of(opts.repeat, lambda: cli_seconds(_render_args(opts, quality, out, opts.jobs)))
    return {"jobs": opts.jobs, "chapters": chapters, "total": total, "wall_s": wall_s, "wall_ratio": wall_s / total["video_s"], "rerender_unchanged": rerender}


def _render_args(opts: BenchOptions, quality: str, out: Path, jobs: int) -> list[str]:
    net = ["--seed", str(opts.net.seed)]
    if opts.net.dataset:
        net += ["--dataset", opts.net.dataset]
    if opts.net.data_dir:
        net += ["--data-dir", opts.net.data_dir]
    return ["render", opts.target, "--quality", quality, "--out", str(out), "--jobs", str(jobs), *net]


def parallel_speedup(
    targets, opts: BenchOptions, quality: str, out: Path, report: Callable[[str], None] = lambda line: None,
) -> dict | None:
    """The whole render at ``quality`` with ``--jobs 1`` and with ``opts.jobs``, in turns (the load
    of the machine drifts): the ratio of their medians over ``repeat`` turns."""
    if opts.jobs < 2:
        return None

    def wall(jobs: int) -> float:
        started = time.perf_counter()
        render(targets, RenderOptions(quality=quality, out=out, jobs=jobs, net=opts.net, force=True), report)
        return time.perf_counter() - started

    turns = [(wall(1), wall(opts.jobs)) for _ in range(max(1, opts.repeat))]
    one, many = ([t[i] for t in turns] for i in (0, 1))
    jobs1, jobs_n = {"median_s": statistics.median(one), "runs_s": one}, {"median_s": statistics.median(many), "runs_s": many}
    return {"quality": quality, "jobs": opts.jobs, "jobs1": jobs1, "jobsN": jobs_n, "speedup": jobs1["median_s"] / jobs_n["median_s"]}


def still_times(targets, opts: BenchOptions, out: Path) -> dict:
    """``netreel preview X --still`` of every scene (a fresh process each time, warm cache)."""
    stills = {}
    for chapter, scenes in targets:
        for cls in scenes:
            name = f"{chapter.id}.{cls.__name__}"
            stills[name] = median_of(opts.repeat, lambda: cli_seconds(["preview", name, "--still", "--out", str(out)]))
    slowest = max(stills, key=lambda name: stills[name]["median_s"])
    return {"scenes": stills, "slowest": slowest, "slowest_s": stills[slowest]["median_s"]}


def run(opts: BenchOptions, out_root: Path, report: Callable[[str], None] = lambda line: None) -> dict:
    """Measure everything described in the module's notes; the JSON-able result."""
    targets = registry.resolve(opts.target)
    result = {
        "target": opts.target,
        "repeat": opts.repeat,
        "machine": machine(),
        "qualities": {},
    }
    with tempfile.TemporaryDirectory(dir=out_root, prefix=".bench-") as tmp:
        scratch = Path(tmp)
        report("network cache: cold and warm")
        result["net_cache"] = net_cache_times([ch for ch, _ in targets], opts, scratch)
        for quality in opts.qualities:
            report(f"rendering {opts.target} at {quality}")
            result["qualities"][quality] = quality_run(targets, quality, opts, scratch / "renders", report)
        first = opts.qualities[0]
        if opts.jobs > 1:
            report(f"rendering {opts.target} at {first} with --jobs 1 and --jobs {opts.jobs}, in turns")
        result["parallel"] = parallel_speedup(targets, opts, first, scratch / "renders", report)
        report("still previews")
        result["stills"] = still_times(targets, opts, scratch / "renders")
        report("edge drawing")
        result["edges"] = edges.main(["--quality", first, "--seconds", str(opts.edge_seconds)])
    result["machine"]["load_after"] = list(os.getloadavg())
    result["goals"] = goals(result)
    return result


def machine() -> dict:
    return {
        "cores": os.cpu_count(),
        "load_before": list(os.getloadavg()),
        "python": platform.python_version(),
        "manim": manim.__version__,
        "platform": platform.platform(),
    }


def goals(result: dict) -> dict:
    """Each goal of :data:`TARGETS` that this run measured: the figure, the limit and whether it is met."""
    checks = {}

    def check(name: str, value: float, limit: float, at_least: bool = False) -> None:
        checks[name] = {"value": value, "limit": limit, "met": value >= limit if at_least else value <= limit}

    qualities = result["qualities"]
    for quality, key in (("high", "high_ratio"), ("low", "low_ratio")):
        if quality in qualities:
            check(key, qualities[quality]["wall_ratio"], TARGETS[key])
    if "high" in qualities:
        check("peak_rss_mb", qualities["high"]["total"]["peak_rss_mb"], TARGETS["peak_rss_mb"])
    check("rerender_s", max(q["rerender_unchanged"]["median_s"] for q in qualities.values()), TARGETS["rerender_s"])
    check("still_s", result["stills"]["slowest_s"], TARGETS["still_s"])
    if result["parallel"]:
        check("speedup", result["parallel"]["speedup"], TARGETS["speedup"], at_least=True)
    return checks


def table(result: dict) -> str:
    """The result as lines of text: a table per quality, then the other figures and the goals."""
    lines = [f"machine: {result['machine']['cores']} cores, load {_load(result['machine']['load_before'])} before, "
             f"{_load(result['machine']['load_after'])} after (1/5/15 min)"]
    head = f"{'scene':<34}{'video s':>9}{'render s':>10}{'ratio':>8}{'fps':>8}{'cpu s':>9}{'peak MB':>9}"
    for quality, q in result["qualities"].items():
        lines += ["", f"{result['target']} at {quality}, --jobs {q['jobs']}: whole render {q['wall_s']:.1f} s "
                      f"for {q['total']['video_s']:.1f} s of video ({q['wall_ratio']:.2f}x)", head]
        for chapter, c in q["chapters"].items():
            lines += [_row(f"{chapter}.{name}", row) for name, row in c["scenes"].items()]
            lines.append(_row(f"{chapter} (chapter)", c["total"]))
        lines.append(_row("total", q["total"]))
        rerender = q["rerender_unchanged"]
        lines.append(f"re-render with nothing changed: {rerender['median_s']:.2f} s (median of {len(rerender['runs_s'])})")
    lines.append("")
    for facts, n in result["net_cache"].items():
        lines.append(f"network cache, {facts}: cold (training) {n['cold']['median_s']:.2f} s, "
                     f"warm (loading) {n['warm']['median_s']:.2f} s ({n['cold_over_warm']:.0f}x); "
                     f"stored facts {n['stored']['median_s']:.3f} s")
    p = result["parallel"]
    if p:
        lines.append(f"--jobs {p['jobs']} over --jobs 1 at {p['quality']}: {p['jobs1']['median_s']:.1f} s / "
                     f"{p['jobsN']['median_s']:.1f} s = {p['speedup']:.2f}x (medians of {len(p['jobs1']['runs_s'])} turns)")
    stills = result["stills"]
    lines.append(f"still preview: slowest {stills['slowest']} {stills['slowest_s']:.2f} s (median of {result['repeat']})")
    e = result["edges"]
    lines.append(f"edges ({e['edges']:,} at {e['quality']}): one Line each {e['line_fps']:.2f} frames/s, "
                 f"rasterised {e['raster_fps']:.2f} frames/s, {e['ratio']:.1f}x")
    lines += ["", "goals:"]
    for name, g in result["goals"].items():
        sign = ">=" if name == "speedup" else "<="
        lines.append(f"  {name:<12} {g['value']:9.2f} {sign} {g['limit']:<8g} {'met' if g['met'] else 'NOT met'}")
    return "\n".join(lines)


def _row(label: str, row: dict) -> str:
    return (f"{label:<34}{row['video_s']:>9.1f}{row['render_s']:>10.1f}{row['ratio']:>8.2f}{row['fps']:>8.1f}"
            f"{row['cpu_s']:>9.1f}{row['peak_rss_mb']:>9.0f}")


def _load(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)
