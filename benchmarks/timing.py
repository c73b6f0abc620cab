"""What the benchmark scripts share to time their work (run them from any folder: Python puts this one,
the script's own, on the import path)."""

from __future__ import annotations

import time


class Timer:
    """Wall-clock and CPU seconds (all threads) of a block: on a busy machine the CPU time is the
    steadier figure of the work itself."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
