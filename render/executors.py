"""Where scene renders run.

An executor has one method, ``run(jobs, on_done)``: it renders every
:class:`SceneJob`, calls ``on_done(job, result)`` on this side as each one
finishes, with the scene's files already in ``job.out_dir``, and raises
:class:`RenderError` naming the scene at the first failure.

- :class:`LocalPoolExecutor`: in local worker processes, one per scene (the default):
  manim's config is global to a process, and a fresh process per scene keeps no
  state from the last one. Workers send each scene's start and frames drawn back
  on a queue, for ``on_progress``.
- :class:`InlineExecutor`: in this process, one scene after another (no worker
  start-up; for a quick preview).
- :class:`DaskExecutor`: on a Dask distributed cluster. Workers render into a
  temporary folder of their own and send the files back as bytes, so no shared
  file system is needed; this side writes them into place (temporary name, then
  rename) and the pipeline assembles chapters exactly as after a local render.
  Workers tell each scene's frames drawn as events of a topic of the render's own
  (``log_event``), which this side reads for ``on_progress``.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from dataclasses import dataclass, replace
from pathlib import Path

from netreel.integrity import bytes_digest, plain_name
from netreel.messages import first_line
from netreel.render import narrator
from netreel.render.hashing import scene_hash
from netreel.render.jobs import OnDone, OnProgress, RenderError, SceneJob, SceneResult, no_progress, scene_failed
from netreel.render.limits import DEFAULT_SCENE_SECONDS, SceneTimeout, overrun, time_limit
from netreel.render.lock import SCRATCH
from netreel.render.worker import render_scene
from netreel.scenes.userfile import scene_classes

CONNECT_TIMEOUT = 8.0  # seconds to reach a scheduler before giving up: reported within ten seconds
POLL_SECONDS = 0.1  # how often the parent looks for progress while scenes render
PARENT_POLL_SECONDS = 0.5  # how often a worker looks whether its parent still runs

_progress_queue = None  # in a local worker: where its scenes' progress goes


def _start_worker(progress, parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which stops them and cleans up; they report on ``progress``,
    and stop when the parent (pid ``parent``) is gone, however it ended."""
    global _progress_queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _progress_queue = progress
    threading.Thread(target=_end_with, args=(parent,), daemon=True, name="netreel-parent-watch").start()


def _end_with(parent: int) -> None:
    """Exit this process as soon as process ``parent`` no longer runs."""
    while True:
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # gone, or its pid now another user's process
            os._exit(1)
        time.sleep(PARENT_POLL_SECONDS)


def _render_reporting(job: SceneJob) -> SceneResult:
    """Render ``job`` in a local worker, sending (chapter, scene, frames) to the parent as it goes."""
    return render_scene(job, lambda frames: _progress_queue.put((job.chapter, job.scene, frames)))


class LocalPoolExecutor:
    """Render in up to ``workers`` local processes, each started fresh for one scene, each
    stopped when it renders longer than ``limit`` seconds."""

    def __init__(self, workers: int, limit: float | None = DEFAULT_SCENE_SECONDS) -> None:
        self.workers = workers
        self.limit = limit

    def _pool(self, progress) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("forkserver"), max_tasks_per_child=1,
            initializer=_start_worker, initargs=(progress, os.getpid()),
        )

    def run(self, jobs: list[SceneJob], on_done: OnDone, on_progress: OnProgress = no_progress) -> None:
        progress = _start_servers()
        pool = self._pool(progress)
        pending: dict[Future, SceneJob] = {pool.submit(_render_reporting, job): job for job in jobs}
        by_name = {(job.chapter, job.scene): job for job in jobs}
        started: dict[tuple[str, str], float] = {}  # when each scene began rendering
        try:
            while pending:
                done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                while not progress.empty():
                    chapter, scene, frames = progress.get()
                    started.setdefault((chapter, scene), time.monotonic())
                    on_progress(by_name[chapter, scene], frames)
                self._check_limit(started, {(job.chapter, job.scene) for job in pending.values()})
                for future in done:
                    job = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        raise RenderError(f"the worker rendering {job.chapter}.{job.scene} died") from None
                    except Exception as err:
                        raise scene_failed(job, err) from err
                    on_done(job, result)
        except BaseException:
            _stop(pool)
            for folder in {Path(job.out_dir) for job in jobs}:
                shutil.rmtree(folder / SCRATCH, ignore_errors=True)
            raise
        pool.shutdown(wait=True)

    def _check_limit(self, started: dict[tuple[str, str], float], running: set[tuple[str, str]]) -> None:
        """Raise :class:`SceneTimeout` for a scene still rendering past the limit."""
        now = time.monotonic()
        for (chapter, scene), start in started.items():
            if self.limit and (chapter, scene) in running and now - start > self.limit:
                raise overrun(f"{chapter}.{scene}", self.limit)


PRELOAD = ["manim", "netreel.render.worker", "netreel.scenes.common.base"]  # imported once, by the fork server


def _start_servers():
    """Start multiprocessing's resource tracker and fork server as workers need them; return the
    queue the workers report on."""
    # Workers stopped early (Ctrl-C, a time limit) leave their queue's semaphore to the resource
    # tracker, which cleans it up; its warning about that is noise to a user.
    quiet = "ignore:resource_tracker:UserWarning"
    if quiet not in os.environ.get("PYTHONWARNINGS", ""):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    # Both are started as `python -c`, which puts the working folder first on sys.path: a manim.py
    # or torch.py there would be imported in place of the real one. Safe paths for them (and so the
    # workers) only; the processes this one starts later keep the environment as it was.
    safe = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        progress = ctx.SimpleQueue()
        forkserver.ensure_running()
    finally:
        if safe is None:
            del os.environ["PYTHONSAFEPATH"]
        else:
            os.environ["PYTHONSAFEPATH"] = safe
    return progress


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, end the workers that are rendering."""
    for process in list((pool._processes or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


class InlineExecutor:
    """Render in this process: no worker start-up, for one scene at a time, each for at most ``limit`` seconds."""

    def __init__(self, limit: float | None = DEFAULT_SCENE_SECONDS) -> None:
        self.limit = limit

    def run(self, jobs: list[SceneJob], on_done: OnDone, on_progress: OnProgress = no_progress) -> None:
        for job in jobs:
            try:
                with time_limit(self.limit, f"{job.chapter}.{job.scene}"):
                    result = render_scene(job, lambda frames, job=job: on_progress(job, frames))
            except SceneTimeout:
                raise
            except Exception as err:
                raise scene_failed(job, err) from err
            on_done(job, result)


@dataclass
class RemoteResult:
    """What a Dask worker sends back: the scene's result, its files' bytes, and the hash of its sources."""

    result: SceneResult
    files: dict[str, bytes]
    source_hash: str


def source_hash(job: SceneJob) -> str:
    """The pipeline's content hash of the job's scene, from the sources this process has."""
    module = importlib.import_module(job.module)  # a scene file's module: loaded when its target was resolved or rendered
    cls = getattr(module, job.scene)
    return scene_hash(
        cls, scene_classes(module), job.facts.digest(), job.variant, job.lang, job.voice_key,
    )


_one_render_at_a_time = threading.Lock()  # manim's config is global to a process


REMOTE_PREFIX = "netreel-"  # a Dask worker's scratch folders: netreel-<pid>-..., in its temporary folder


def render_remote(job: SceneJob, topic: str | None = None) -> RemoteResult:
    """Run on a Dask worker: render into a private folder and return the files; tell the frames drawn
    as events of ``topic``."""
    sweep_remote()
    progress = None if topic is None else (lambda frames: _tell(topic, job, frames))
    with (
        _one_render_at_a_time,
        tempfile.TemporaryDirectory(prefix=f"{REMOTE_PREFIX}{os.getpid()}-") as scratch,
        tempfile.TemporaryDirectory(prefix=f"{REMOTE_PREFIX}{os.getpid()}-voice-") as voice,
    ):
        if job.voice.partition(":")[0] == "recorded":  # the lecturer's folder is on their machine, not this one
            job = replace(job, voice=narrator.unpack_recordings(job.recordings, Path(voice)), recordings={})
        result = render_scene(replace(job, out_dir=scratch), progress)
        files = {p.name: p.read_bytes() for p in Path(scratch).iterdir() if p.is_file()}
        return RemoteResult(result, files, source_hash(job))


def _tell(topic: str, job: SceneJob, frames: int) -> None:
    from distributed import get_worker

    get_worker().log_event(topic, [job.chapter, job.scene, frames])


def sweep_remote(folder: Path | None = None) -> list[Path]:
    """Remove the scratch folders of dead workers' renders from the temporary folder; return them."""
    swept = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{REMOTE_PREFIX}*-*"):
        pid = path.name[len(REMOTE_PREFIX):].split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            swept.append(path)
    return swept


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def receive(job: SceneJob, remote: RemoteResult) -> SceneResult:
    """Write a remote render's files into ``job.out_dir`` (each atomically) and point its result at them.

    Each file must be the one the worker made (its digest, taken there, recorded with the scene)."""
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in remote.files.items():
        if not plain_name(name) or remote.result.files.get(name) != bytes_digest(data):
            raise RenderError(f"the Dask worker that rendered {job.chapter}.{job.scene} sent {name!r} damaged or unasked for")
    for name, data in remote.files.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, out / name)
        finally:
            Path(tmp).unlink(missing_ok=True)
    result = remote.result
    video = str(out / Path(result.video).name) if result.video else None
    return replace(result, video=video, still=str(out / Path(result.still).name))


class DaskExecutor:
    """Render on the Dask cluster whose scheduler is at ``address`` (``tcp://host:port``)."""

    def __init__(self, address: str, connect_timeout: float | None = None) -> None:
        self.address = address
        self.connect_timeout = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout

    def connect(self):
        try:
            from distributed import Client
        except ImportError:
            raise RenderError("--executor dask needs the 'distributed' package: pip install 'netreel[dask]'") from None
        try:  # a Client that failed to connect reports its own failure again, with a traceback, when collected
            asyncio.run(asyncio.wait_for(_reach(self.address, self.connect_timeout), self.connect_timeout))
        except TimeoutError:  # it accepts, and never answers: distributed's own time-out does not cover that
            raise RenderError(
                f"cannot reach the Dask scheduler at {self.address}: no answer in {self.connect_timeout:g} s"
            ) from None
        except (OSError, ValueError, TypeError, MemoryError) as err:  # MemoryError: another protocol's bytes read as a length
            raise RenderError(f"cannot reach the Dask scheduler at {self.address}: {first_line(err)}") from None
        return Client(self.address, timeout=self.connect_timeout, set_as_default=False)

    def run(self, jobs: list[SceneJob], on_done: OnDone, on_progress: OnProgress = no_progress) -> None:
        """Render ``jobs`` on the cluster, ``on_progress`` told the frames its workers report."""
        client = self.connect()
        topic = f"netreel-progress-{os.getpid()}-{os.urandom(4).hex()}"
        told: queue.SimpleQueue = queue.SimpleQueue()
        client.subscribe_topic(topic, lambda event: told.put(event[1]))
        by_name = {(job.chapter, job.scene): job for job in jobs}
        pending = {}
        try:
            for job in jobs:
                key = f"netreel-{job.chapter}.{job.scene}-{os.urandom(4).hex()}"
                sent = replace(job, recordings=narrator.recordings_of(job.voice, job.voice_langs, f"{job.chapter}.{job.scene}"))
                pending[client.submit(render_remote, sent, topic, pure=False, key=key)] = job
            while pending:
                done = [future for future in pending if future.done()]
                if not done:
                    time.sleep(POLL_SECONDS)
                while not told.empty():
                    chapter, scene, frames = told.get()
                    if (chapter, scene) in by_name:
                        on_progress(by_name[chapter, scene], frames)
                for future in done:
                    job = pending.pop(future)
                    on_done(job, self._received(job, future))
        except BaseException:
            client.cancel(list(pending))
            raise
        finally:
            client.unsubscribe_topic(topic)
            client.close()

    @staticmethod
    def _received(job: SceneJob, future) -> SceneResult:
        """A finished render's result, its files written into place; RenderError naming the scene when it failed."""
        from distributed.scheduler import KilledWorker

        try:
            remote = future.result()
        except KilledWorker:
            raise RenderError(f"the Dask workers rendering {job.chapter}.{job.scene} kept dying; it was not rendered") from None
        except ModuleNotFoundError as err:
            raise RenderError(
                f"a Dask worker cannot render {job.chapter}.{job.scene}: no module {err.name!r} there; "
                "install netreel on every worker"
            ) from None
        except Exception as err:
            raise scene_failed(job, err) from err
        if remote.source_hash != source_hash(job):
            raise RenderError(
                f"the Dask worker that rendered {job.chapter}.{job.scene} has different netreel sources "
                "than this machine; install the same version on every worker"
            )
        return receive(job, remote)


async def _reach(address: str, timeout: float) -> None:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)
    await comm.close()
