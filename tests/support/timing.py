"""Timing for the tests that check a cost grows linearly (figures, not speed targets)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs: the least disturbed by whatever else the machine does."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def interleaved_cpu_seconds(
    small: Callable[[], object], large: Callable[[], object], runs: int = 5
) -> tuple[float, float]:
    """Best of `runs` for each, the two interleaved (so that both see the same machine and
    the same warmed allocator), in this thread's CPU time (not other tests' threads), the
    cycle collector off: its passes grow with everything alive in the test process, which
    is not the work under test. For tests that doubling an input at most doubles the work."""
    import gc

    best = [float("inf"), float("inf")]
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            for i, fn in enumerate((small, large)):
                started = time.thread_time()
                fn()
                best[i] = min(best[i], time.thread_time() - started)
    finally:
        gc.enable()
    return best[0], best[1]
