"""A place where a render can be made to stop, for the tests of what a crash there leaves.

``NETREEL_PAUSE_AT=publish:FILE`` makes a render that reaches the point named
``publish`` (a scene's files published, its record not yet written) write its pid
into FILE and wait there until it is killed. Unset, a pause point does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

VARIABLE = "NETREEL_PAUSE_AT"


def pause_point(name: str) -> None:
    where, _, flag = os.environ.get(VARIABLE, "").partition(":")
    if where == name and flag:
        Path(flag).write_text(str(os.getpid()), encoding="utf-8")
        while True:
            time.sleep(1)
