"""netreel's command line: list, render, preview, audit, info.

Thin on purpose: it parses, resolves targets and calls the render pipeline.
Defaults come from ``[tool.netreel]`` in ./pyproject.toml, then the flags.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile
import tomllib
from pathlib import Path

import click

from scenes.render.presets import QUALITIES

DEFAULT_OUT = "renders"


class UserError(click.ClickException):
    """A problem the user can fix; shown as one line."""


class WarningLine(logging.Handler):
    """Library warnings (a retrained cache entry, ...) as ``netreel: warning: ...`` lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"netreel: warning: {record.getMessage()}", err=True)


_log = logging.getLogger("netreel")
_log.addHandler(WarningLine(logging.WARNING))
_log.setLevel(logging.WARNING)


class OneLineGroup(click.Group):
    """Reports every user error as a single ``netreel: ...`` line on stderr, no traceback."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.ClickException as err:
            click.echo(f"netreel: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("netreel: interrupted; finished files are kept and none was replaced by a partial one", err=True)
            sys.exit(130)


def project_defaults() -> dict:
    """The ``[tool.netreel]`` table of ./pyproject.toml, if any."""
    path = Path.cwd() / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("netreel", {})
    except (OSError, tomllib.TOMLDecodeError):
        return {}


@click.group(cls=OneLineGroup)
@click.version_option(package_name="netreel")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Render lecture videos about neural networks from real, running networks."""
    defaults = {k.replace("-", "_"): v for k, v in project_defaults().items()}
    ctx.default_map = {name: defaults for name in ("render", "preview", "audit", "info", "bench")}


def net_options(command):
    """Options that choose the networks' data and seed."""

    @click.option("--dataset", type=click.Choice(["digits", "mnist"]), default="digits", show_default=True, help="Digits to train on.")
    @click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="Folder of MNIST IDX files (for --dataset mnist).")
    @click.option("--seed", type=int, default=0, show_default=True, help="Seed for training.")
    @functools.wraps(command)
    def wrapped(*args, dataset, data_dir, seed, **kwargs):
        from nets.config import NetConfig

        if dataset == "mnist" and data_dir is None:
            raise UserError("--dataset mnist needs --data-dir, a folder holding t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]")
        return command(*args, net=NetConfig(dataset=dataset, data_dir=data_dir, seed=seed), **kwargs)

    return wrapped


def user_errors(command):
    """Turn the library's user-facing errors into one-line CLI errors."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        from nets.data import DataError
        from scenes.registry import TargetError
        from scenes.render.pipeline import RenderError
        from scenes.common.text import CatalogError

        try:
            return command(*args, **kwargs)
        except (DataError, TargetError, RenderError, CatalogError) as err:
            raise UserError(str(err)) from None

    return wrapped


def writable_dir(path: str) -> Path:
    """Create the output folder if needed and prove it can be written to."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".netreel-write-test-"):
            pass
    except OSError as err:
        raise UserError(f"cannot write to --out {folder}: {err.strerror or err}") from None
    return folder


@main.command("list")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Where renders are (for measured durations).")
def list_(out: str) -> None:
    """Chapters in order, their scenes and durations."""
    from scenes.registry import CHAPTERS
    from scenes.common.text import tr
    from scenes.render.pipeline import read_manifest

    for ch in CHAPTERS:
        measured = read_manifest(Path(out) / ch.id / "low")["scenes"]
        scenes = ch.scenes()
        durations = [measured.get(cls.__name__, {}).get("duration", cls.estimated_seconds) for cls in scenes]
        click.echo(f"{ch.number:>2} {ch.id:<10} {tr(f'{ch.id}.title')}  ({len(scenes)} scenes, ~{_minutes(sum(durations))})")
        for cls, seconds in zip(scenes, durations):
            mark = "" if cls.__name__ in measured else "~"
            click.echo(f"     {ch.id}.{cls.__name__:<24} {mark}{seconds:5.0f} s")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


@main.command()
@click.argument("target")
@click.option("--quality", type=click.Choice(list(QUALITIES)), default="low", show_default=True)
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output root.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Scenes rendered in parallel.")
@click.option("--force", is_flag=True, help="Render even the scenes whose inputs did not change.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Render scenes in local worker processes, or on a Dask cluster (needs --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@net_options
@user_errors
def render(target: str, quality: str, out: str, jobs: int, force: bool, executor: str, scheduler: str | None, net) -> None:
    """Render TARGET: a chapter (id or number), `all`, or one scene (`network.ForwardPass`)."""
    from scenes import registry
    from scenes.render.pipeline import RenderOptions, render as run

    targets = registry.resolve(target)
    cluster = scene_executor(executor, scheduler)
    cores = os.cpu_count() or 1
    if jobs > cores and cluster is None:
        click.echo(f"netreel: --jobs {jobs} is more than the {cores} cores here; using {cores}", err=True)
        jobs = cores
    opts = RenderOptions(quality=quality, out=writable_dir(out), jobs=jobs, net=net, force=force, executor=cluster)
    for output in run(targets, opts, report=lambda line: click.echo(line, err=True)):
        if output.video:
            click.echo(str(output.video))
        else:
            click.echo(f"{output.chapter}: scenes written to {output.folder} (render the whole chapter for its video)", err=True)


def scene_executor(executor: str, scheduler: str | None):
    """The executor `render` sends scenes to: None for local worker processes."""
    from scenes.render.executors import DaskExecutor

    if executor == "dask":
        if not scheduler:
            raise UserError("--executor dask needs --scheduler ADDRESS, e.g. tcp://10.0.0.5:8786")
        return DaskExecutor(scheduler)
    if scheduler:
        raise UserError("--scheduler is for --executor dask")
    return None


@main.command()
@click.argument("target")
@click.option("--still", is_flag=True, help="Write the last frame as PNG instead of a video.")
@click.option("--open", "open_", is_flag=True, help="Open the result.")
@click.option("--quality", type=click.Choice(list(QUALITIES)), default="low", show_default=True)
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output root; previews go to OUT/preview.")
@net_options
@user_errors
def preview(target: str, still: bool, open_: bool, quality: str, out: str, net) -> None:
    """Render one scene quickly (TARGET like `network.ForwardPass`)."""
    from nets import facts_cache
    from scenes import registry
    from scenes.render.executors import InlineExecutor
    from scenes.render.pipeline import run_jobs
    from scenes.render.worker import SceneJob

    (chapter, scenes), *rest = registry.resolve(target)
    if rest or len(scenes) != 1:
        names = ", ".join(f"{chapter.id}.{cls.__name__}" for cls in scenes)
        raise UserError(f"preview takes one scene, e.g. {chapter.id}.{scenes[0].__name__}; this target has: {names}")
    folder = writable_dir(out) / "preview" / chapter.id
    facts = facts_cache.build(chapter.facts, net)
    job = SceneJob(chapter.id, scenes[0].__module__, scenes[0].__name__, facts, quality, str(folder), still=still)
    results = []
    run_jobs([job], 1, lambda _, result: results.append(result), InlineExecutor())  # no worker start-up
    path = results[0].still if still else results[0].video
    click.echo(path)
    if open_:
        click.launch(path)


@main.command()
@click.argument("target", default="all")
@click.option("--quality", "qualities", type=click.Choice(list(QUALITIES)), multiple=True, default=["low", "high"],
              show_default=True, help="Qualities to render (repeat the option for several).")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True, help="Runs of each timing of seconds (the median is kept).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Scenes rendered in parallel [default: the cores here].")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="bench.json is written here.")
@click.option("--edge-seconds", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Length of the edge-drawing animation.")
@net_options
@user_errors
def bench(target: str, qualities: tuple[str, ...], repeat: int, jobs: int | None, out: str, edge_seconds: float, net) -> None:
    """Measure how fast TARGET renders here; writes OUT/bench.json and prints a table."""
    import json

    from scenes import registry
    from scenes.render import bench as measure

    registry.resolve(target)
    cores = os.cpu_count() or 1
    opts = measure.BenchOptions(target, list(qualities), repeat, min(jobs or cores, cores), net, edge_seconds)
    folder = writable_dir(out)
    result = measure.run(opts, folder, report=lambda line: click.echo(line, err=True))
    path = folder / "bench.json"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    click.echo(measure.table(result))
    click.echo(str(path))


@main.command()
@click.argument("target")
@net_options
@user_errors
def audit(target: str, net) -> None:
    """Check every number TARGET shows against an independent recomputation."""
    import nets.facts
    from scenes import registry
    from scenes.audit import audit_scene

    failed = 0
    for chapter, scenes in registry.resolve(target):
        facts = nets.facts.build(chapter.facts, net)
        reference = nets.facts.reference(chapter.facts, net)
        for cls in scenes:
            report = audit_scene(cls, facts, reference)
            if report.ok:
                click.echo(f"ok    {report.scene}: {report.checked} ledger entries match the network")
            else:
                failed += 1
                click.echo(f"FAIL  {report.scene}:")
                for problem in report.problems:
                    click.echo(f"        {problem}")
    if failed:
        raise UserError(f"audit failed for {failed} scene(s)")


@main.command()
@click.argument("target", default="network")
@net_options
@user_errors
def info(target: str, net) -> None:
    """Print the figures of TARGET's networks: accuracy, loss, training time, cache key."""
    import nets.facts
    from scenes import registry

    seen = set()
    for chapter, _ in registry.resolve(target):
        if chapter.facts in seen:
            continue
        seen.add(chapter.facts)
        for label, value in nets.facts.summary(chapter.facts, net):
            click.echo(f"{label:<28} {value}")


if __name__ == "__main__":
    main()
