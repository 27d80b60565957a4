"""Documents are read and rebuilt in worker threads, a bounded number at once, each stopped
when its request ends.

- Always a worker thread, whatever the upload's size: 1.4 KB of .docx can hold 50,000 runs,
  so the compressed size says nothing about the work (the event loop stays free).
- At most ROEN_MAX_DOCUMENT_JOBS documents at once on a replica: a parsed package costs
  tens of MB, and the caps bound one document, not how many arrive. Beyond that: 503 with
  Retry-After, at once.
- When the request ends (answered, timed out, its client gone) the job's budget is marked
  cancelled, and the thread stops at its next check between pieces; the job's slot is
  given back only once that thread has stopped, so the bound holds for work, not requests.
- A parsed package is a web of references (parts, relationships, the XML tree's proxies)
  that only the cycle collector frees: after each document, one collection in the worker,
  so that refused documents do not pile up until the next full collection runs.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from service.documents.budget import Budget, DocumentCaps
from service.errors import Overloaded

T = TypeVar("T")
# How long a job's end waits for its thread to reach a check (each is a few ms apart).
_SETTLE_S = 10.0


class DocumentJob:
    """One document's worker-thread steps and its budget."""

    def __init__(self, caps: DocumentCaps) -> None:
        self.budget = Budget(caps)
        self._running: threading.Event | None = None

    async def cpu(self, fn: Callable[[], T], size: int = 0) -> T:
        """`fn` in a worker thread; if the request ends meanwhile, it is not waited for
        (it stops at its next budget check)."""
        self.budget.check()
        finished = threading.Event()
        self._running = finished

        def run() -> T:
            try:
                return fn()
            finally:
                finished.set()

        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)

    async def settle(self) -> None:
        """Mark the job ended and wait (shielded, bounded) for its thread to stop."""
        self.budget.cancelled.set()
        running = self._running
        if running is None or running.is_set():
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(_SETTLE_S):
            while not running.is_set():
                await anyio.sleep(0.01)


class DocumentJobs:
    """The replica's document slots (used from the event loop only: no lock needed)."""

    def __init__(self, max_jobs: int, caps: DocumentCaps) -> None:
        self.max_jobs = max_jobs
        self.caps = caps
        self.running = 0

    @asynccontextmanager
    async def job(self) -> AsyncIterator[DocumentJob]:
        if self.running >= self.max_jobs:
            raise Overloaded(
                f"{self.running} documents are being translated on this server, its limit "
                "(ROEN_MAX_DOCUMENT_JOBS); retry in a few seconds.",
                retry_after_s=2,
            )
        self.running += 1
        job = DocumentJob(self.caps)
        try:
            yield job
        finally:
            try:
                await job.settle()
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(gc.collect)
            finally:
                self.running -= 1


def bare(err: Any) -> Any:
    """An error without the frames it was raised through: they hold the parsed document
    (and an exception cycle would keep them until the next full collection)."""
    err.__traceback__ = None
    err.__context__ = None
    err.__cause__ = None
    return err
