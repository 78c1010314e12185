"""One render at a time in an output folder, and what dead renders left there swept away.

A render holds an exclusive ``flock`` on ``<folder>/.lock`` while it writes into the
folder; the file says who holds it (pid and command line). A second render into the
same folder refuses at once, naming the holder. The kernel lets go of the lock when
its holder dies however it dies (kill -9 included), so a stale lock is simply taken
over. The lock file is never removed: a render that opened it could otherwise lock
a file no other render sees. Holding the lock, a render knows that any scratch
folder or temporary file in the folder is a dead render's, and removes them.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import sys
from pathlib import Path

from netreel.render.jobs import RenderError

LOCK = ".lock"
SCRATCH = ".work"  # where workers render a scene before its files are published


class FolderLock:
    """``with FolderLock(folder):`` render into ``folder``, alone."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = None

    def __enter__(self) -> FolderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.file = open(self.folder / LOCK, "a+", encoding="utf-8")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.seek(0)
            holder = self.file.read().strip() or "another render"
            self.file.close()
            raise RenderError(
                f"{self.folder} is being rendered into by {holder}; wait for it to finish, or render with another --out"
            ) from None
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"pid {os.getpid()} ({shlex.join(sys.argv)})\n")
        self.file.flush()
        sweep(self.folder)
        return self

    def __exit__(self, *exc) -> None:
        self.file.truncate(0)
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


def sweep(folder: Path) -> list[Path]:
    """Remove the scratch folder and temporary files dead renders left in ``folder``; return them."""
    stray = [folder / SCRATCH] if (folder / SCRATCH).exists() else []
    stray += [p for p in folder.glob(".*.tmp") if p.is_file()]
    for path in stray:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    return stray
