"""netreel bench: the JSON it writes has every figure, and its ratios agree with its own numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from netreel.cli import main
from netreel.render import bench

SCENE_FIELDS = {"video_s", "render_s", "cpu_s", "frames", "ratio", "fps", "peak_rss_mb"}


@pytest.fixture(scope="module")
def measured(tmp_path_factory, net_cache):
    out = tmp_path_factory.mktemp("bench")
    result = CliRunner().invoke(
        main,
        ["bench", "network.ParameterCount", "--quality", "tiny", "--repeat", "2", "--edge-seconds", "0.2", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return json.loads((out / "bench.json").read_text(encoding="utf-8")), result.stdout, out


def test_scene_and_chapter_figures(measured):
    data, _, _ = measured
    tiny = data["qualities"]["tiny"]
    scene = tiny["chapters"]["network"]["scenes"]["ParameterCount"]
    assert set(scene) == SCENE_FIELDS
    assert scene["ratio"] == pytest.approx(scene["render_s"] / scene["video_s"])
    assert scene["fps"] == pytest.approx(scene["frames"] / scene["render_s"])
    assert scene["frames"] == round(scene["video_s"] * 10)
    assert 50 < scene["peak_rss_mb"] < 1536
    assert tiny["chapters"]["network"]["total"] == tiny["total"] == pytest.approx(scene)
    assert tiny["wall_ratio"] == pytest.approx(tiny["wall_s"] / tiny["total"]["video_s"])
    assert tiny["wall_s"] >= scene["render_s"]


def test_timings_are_medians_of_the_runs(measured):
    data, _, _ = measured
    timings = [data["qualities"]["tiny"]["rerender_unchanged"], data["stills"]["scenes"]["network.ParameterCount"]]
    for cache in data["net_cache"].values():
        timings += [cache["cold"], cache["warm"], cache["stored"]]
    for timing in timings:
        assert len(timing["runs_s"]) == 2
        assert timing["median_s"] == pytest.approx(sum(timing["runs_s"]) / 2)
    network = data["net_cache"]["network"]
    assert network["cold_over_warm"] == pytest.approx(network["cold"]["median_s"] / network["warm"]["median_s"])


def test_parallel_edges_goals_and_machine(measured):
    data, stdout, out = measured
    cores = os.cpu_count() or 1
    if cores > 1:
        p = data["parallel"]
        assert p["jobs"] == cores
        assert p["speedup"] == pytest.approx(p["jobs1"]["median_s"] / p["jobsN"]["median_s"])
        timings_of_turns = [p["jobs1"], p["jobsN"]]
        assert all(len(t["runs_s"]) == 2 for t in timings_of_turns)
    edges = data["edges"]
    assert edges["edges"] == 12960 and edges["ratio"] == pytest.approx(edges["raster_fps"] / edges["line_fps"])
    for name, goal in data["goals"].items():
        limit = bench.TARGETS[name]
        assert goal["limit"] == limit
        assert goal["met"] == (goal["value"] >= limit if name == "speedup" else goal["value"] <= limit)
    assert {"rerender_s", "still_s"} <= set(data["goals"])
    assert data["machine"]["cores"] == cores and len(data["machine"]["load_before"]) == 3
    assert "network.ParameterCount" in stdout and "goals:" in stdout
    assert Path(stdout.strip().splitlines()[-1]) == out / "bench.json"
    assert not list(out.glob(".bench-*"))


def test_totals_add_scenes_up():
    rows = [
        {"video_s": 10.0, "render_s": 5.0, "cpu_s": 4.0, "frames": 100, "peak_rss_mb": 300.0},
        {"video_s": 30.0, "render_s": 15.0, "cpu_s": 12.0, "frames": 300, "peak_rss_mb": 500.0},
    ]
    total = bench.totals(rows)
    assert (total["video_s"], total["render_s"], total["frames"], total["peak_rss_mb"]) == (40.0, 20.0, 400, 500.0)
    assert total["ratio"] == 0.5 and total["fps"] == 20.0
