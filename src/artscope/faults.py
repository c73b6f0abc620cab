"""Named points between two writes, where a crash test can kill the process on purpose.

The code that writes a collection (creation, ingest, embedding, optimize, re-embedding) calls
``reached("ingest.batch.committed")`` between its writes. Nothing happens unless a test armed the
process first: ``kill_at(name, n)`` makes the n-th arrival at that point send the process SIGKILL
(what a power cut or the OOM killer does to it, at a chosen moment instead of a raced one), and
``count_into(path)`` appends the name of every point reached to a file, so that a test can list
the points a run passes and then kill a fresh run at each of them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from pathlib import Path

_target: tuple[str, int] | None = None
_delay = 0.0
_arrivals: Counter[str] = Counter()
_log: Path | None = None


def kill_at(name: str, arrival: int = 1, delay: float = 0.0) -> None:
    """Kill this process (SIGKILL) the ``arrival``-th time it reaches the point ``name``, or ``delay``
    seconds later (a kill inside the work that follows, such as a library's index build)."""
    global _target, _delay
    _target, _delay = (name, arrival), delay


def count_into(path: Path) -> None:
    """Append the name of every point this process reaches to ``path``, one a line."""
    global _log
    _log = Path(path)


def reached(name: str) -> None:
    """Mark a point between two writes (a no-op unless a test armed the process)."""
    if _target is None and _log is None:
        return
    _arrivals[name] += 1
    if _log is not None:
        with _log.open("a", encoding="utf-8") as handle:
            handle.write(name + "\n")
    if _target == (name, _arrivals[name]):
        if _delay:
            threading.Timer(_delay, os.kill, (os.getpid(), signal.SIGKILL)).start()
        else:
            os.kill(os.getpid(), signal.SIGKILL)
