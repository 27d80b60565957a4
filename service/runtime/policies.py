"""The scheduler's two policies, named and built in one place.

- **serving** (`roen serve`): many clients; rows taken from every waiting request in turn
  (nobody waits behind a long article), a bounded queue (503 + Retry-After past it), a short
  linger for the clients just answered (ROEN_BATCH_WAIT_MS).
- **corpus** (`roen translate`, `roen batch`, `roen eval`): one caller, only throughput
  counts; the shortest rows of all records first, an unbounded queue, and a first batch
  that waits (≤ 1 s) for the records still being prepared rather than running one record's
  sentences alone.
"""

from __future__ import annotations

from service.runtime.scheduler import Scheduler
from service.settings import Settings

CORPUS_FIRST_BATCH_WAIT_MS = 1000
CORPUS_BURST_GAP_MS = 250  # a corpus run's records are prepared ~10-100 ms apart


def serving_scheduler(settings: Settings) -> Scheduler:
    return Scheduler(
        batch_tokens=settings.batch_tokens,
        max_batch=settings.max_batch_size,
        capacity=settings.queue_capacity,
        batch_wait_ms=settings.batch_wait_ms,
    )


def corpus_scheduler(settings: Settings) -> Scheduler:
    return Scheduler(
        batch_tokens=settings.corpus_batch_tokens,
        max_batch=settings.max_batch_size,
        capacity=None,
        batch_wait_ms=CORPUS_FIRST_BATCH_WAIT_MS,
        burst_gap_ms=CORPUS_BURST_GAP_MS,
        fair=False,
    )
