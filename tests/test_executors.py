"""Where scenes render: a Dask cluster gives the same videos as the local pool; its failures are one clear line."""

from __future__ import annotations

import hashlib
import socket
import time
from pathlib import Path

import av
import dask
import pytest
from click.testing import CliRunner

from netreel.cli import main
from netreel.scenes import registry
from netreel.render import executors
from netreel.render.executors import DaskExecutor, InlineExecutor
from netreel.render.jobs import RenderError, SceneJob
from netreel.render.pipeline import RenderOptions, render, run_jobs
from tests import render_scenes

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, net_cache):
    """Two single-threaded worker processes on loopback; a worker that dies is restarted by its nanny."""
    marker = tmp_path_factory.mktemp("die") / "marker"
    with pytest.MonkeyPatch.context() as env:
        env.setenv(render_scenes.DIE_MARKER, str(marker))  # the workers inherit it
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            with distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            ) as local:
                yield local


def frame_hashes(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]


def test_dask_render_matches_local_render(cluster, rendered, tmp_path):
    local_folder, local_manifest = rendered("network")
    (output,) = render(
        registry.resolve("network"),
        RenderOptions(quality="tiny", out=tmp_path, executor=DaskExecutor(cluster.scheduler_address)),
    )
    assert output.video == tmp_path / "network" / "tiny" / "network.mp4"
    assert sorted(output.rendered) == sorted(local_manifest["scenes"])
    for name, entry in local_manifest["scenes"].items():
        assert frame_hashes(output.folder / entry["video"]) == frame_hashes(local_folder / entry["video"]), name
        assert (output.folder / entry["srt"]).read_text() == (local_folder / entry["srt"]).read_text()
    assert frame_hashes(output.video) == frame_hashes(local_folder / "network.mp4")
    assert not list(output.folder.glob(".*.tmp"))


def job(scene: str, facts, out: Path) -> SceneJob:
    return SceneJob("network", render_scenes.__name__, scene, facts, "tiny", str(out))


def test_worker_dying_mid_render_is_retried_elsewhere(cluster, chapter_facts, tmp_path):
    facts = chapter_facts("network")[0]
    done = []
    DaskExecutor(cluster.scheduler_address).run([job("DiesOnce", facts, tmp_path)], lambda j, r: done.append(r))
    (result,) = done
    assert Path(result.video) == tmp_path / "DiesOnce.mp4"
    assert len(frame_hashes(tmp_path / "DiesOnce.mp4")) == round(result.duration * 10)


def test_dask_workers_tell_the_frames_they_draw(cluster, chapter_facts, tmp_path):
    facts = chapter_facts("network")[0]
    told, done = [], []
    DaskExecutor(cluster.scheduler_address).run(
        [job("Short", facts, tmp_path)], lambda j, r: done.append(r), lambda j, frames: told.append((j.scene, frames)),
    )
    (result,) = done
    assert told and told[0] == ("Short", 0)
    frames = [n for _, n in told]
    assert frames == sorted(frames) and frames[-1] <= result.frames_counted


def test_scene_whose_workers_keep_dying_fails_naming_it(cluster, chapter_facts, tmp_path):
    facts = chapter_facts("network")[0]
    done = []
    jobs = [job("Short", facts, tmp_path), job("AlwaysDies", facts, tmp_path)]
    with pytest.raises(RenderError, match=r"network\.AlwaysDies"):
        DaskExecutor(cluster.scheduler_address).run(jobs, lambda j, r: done.append(j.scene))
    assert not (tmp_path / "AlwaysDies.mp4").exists()
    if done:  # what finished before the failure stays
        assert (tmp_path / "Short.mp4").stat().st_size > 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_one_line_in_bounded_time(monkeypatch, tmp_path):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    result = CliRunner().invoke(
        main,
        ["render", "network.ParameterCount", "--quality", "tiny", "--out", str(tmp_path), "--force",
         "--executor", "dask", "--scheduler", address],
        catch_exceptions=False,
    )
    assert time.perf_counter() - started < 60
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("netreel: cannot reach the Dask scheduler at " + address)
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--executor", "dask"], "--executor dask needs --scheduler"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler is for --executor dask"),
        (["--executor", "dask", "--scheduler", "nonsense", "--force"], "cannot reach the Dask scheduler at nonsense"),
    ],
)
def test_bad_executor_options_are_one_line(args, needle, tmp_path):
    result = CliRunner().invoke(main, ["render", "network.ParameterCount", "--quality", "tiny", "--out", str(tmp_path), *args])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("netreel: ") and needle in lines[-1], result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_inline_executor_names_the_failing_scene(chapter_facts, tmp_path):
    facts = chapter_facts("network")[0]
    broken = SceneJob("network", "netreel.scenes.network", "NoSuchScene", facts, "tiny", str(tmp_path))
    with pytest.raises(RenderError, match=r"network\.NoSuchScene failed"):
        run_jobs([broken], 1, lambda j, r: None, InlineExecutor())
