"""Concurrent clients for the benches: each client's work runs on its own thread, all released at
once, and the calling thread's CPU time is taken per call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

# One client's request i (what under_clients runs and times).
type Work = Callable[[int], object]


def cycling(call: Callable[[Any], object], items: Sequence[Any]) -> Work:
    """Request i calls `call(items[i % len(items)])`."""
    return lambda i: call(items[i % len(items)])


def under_clients(work: Sequence[Work], requests: int) -> tuple[list[float], float]:
    """Run work[c](i) for i in range(requests) on one thread per client, all at once; CPU ms per call
    (thread time of the calling thread) and the wall seconds of the whole run."""
    start = threading.Barrier(len(work))
    cpu: list[float] = []

    def client(do: Work) -> None:
        mine = []
        start.wait()
        for i in range(requests):
            c0 = time.thread_time()
            do(i)
            mine.append((time.thread_time() - c0) * 1000)
        cpu.extend(mine)  # list.extend is atomic under the GIL

    threads = [threading.Thread(target=client, args=(do,)) for do in work]
    w0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return cpu, time.perf_counter() - w0
