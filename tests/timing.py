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
