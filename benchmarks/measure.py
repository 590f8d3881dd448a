"""Timing and peak-memory helpers shared by the benchmark scripts.

Each benchmark runs a piece of work in a fresh child process so that its peak resident
memory (ru_maxrss) is its own, and prints the wall time beside the CPU time: on a busy
two-core machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from queue import Empty
from typing import Any


@dataclass(frozen=True)
class Measurement:
    label: str
    wall_s: float
    cpu_s: float
    peak_mb: float
    result: Any

    def line(self, baseline: Measurement | None = None) -> str:
        ratio = f"  {self.wall_s / baseline.wall_s:5.2f}x wall" if baseline else ""
        cpu_ratio = f"  {self.cpu_s / baseline.cpu_s:5.2f}x cpu" if baseline else ""
        return (
            f"{self.label:<40} {self.wall_s:8.3f} s wall  {self.cpu_s:8.3f} s cpu"
            f"  {self.peak_mb:8.1f} MB peak{ratio}{cpu_ratio}"
        )


def _child(work: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    start_wall = time.perf_counter()
    start_cpu = time.process_time()
    result = work(*args)
    wall = time.perf_counter() - start_wall
    cpu = time.process_time() - start_cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((wall, cpu, peak_kb / 1024, result))


def measure(
    label: str, work: Callable[..., Any], *args: Any, timeout_s: float = 3600
) -> Measurement:
    """Run `work(*args)` in a fresh process; its result must be picklable."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(work, args, queue))
    process.start()
    # A child that crashes never answers: don't wait for it forever, nor once it is gone.
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            wall, cpu, peak_mb, result = queue.get(timeout=1)
            break
        except Empty:
            if not process.is_alive() or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{label}: the measured work died or timed out") from None
    process.join()
    return Measurement(label, wall, cpu, peak_mb, result)
