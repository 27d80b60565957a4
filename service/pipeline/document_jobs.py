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
  that only the cycle collector frees: after each package (a .docx), one collection in the
  worker, so that refused documents do not pile up until the next full collection runs. It
  is cheap because the server freezes what it loaded at start-up (`gc.freeze`, Engines):
  a collection walks only what was made since.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from service.documents.budget import Budget, DocumentCaps
from service.errors import Overloaded

T = TypeVar("T")
log = logging.getLogger("roen.documents")
# How long a job's end waits for its thread to reach a check (each is a few ms apart).
_SETTLE_S = 10.0


class DocumentJob:
    """One document's worker-thread steps and its budget."""

    def __init__(self, caps: DocumentCaps) -> None:
        self.budget = Budget(caps)
        self._lock = threading.Lock()
        self._running: threading.Event | None = None
        self._when_done: Callable[[], None] | None = None

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
                with self._lock:
                    finished.set()
                    done, self._when_done = self._when_done, None
                if done is not None:
                    done()

        return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)

    async def settle(self, release: Callable[[], None]) -> None:
        """Mark the job ended, wait (shielded, bounded) for its thread to stop, and call
        `release` once it has: now, or when the thread ends, if it outlives the wait."""
        self.budget.cancelled.set()
        running = self._running
        if running is not None and not running.is_set():
            with anyio.CancelScope(shield=True), anyio.move_on_after(_SETTLE_S):
                while not running.is_set():
                    await anyio.sleep(0.01)
        with self._lock:
            if running is not None and not running.is_set():
                log.warning(
                    "a document's worker thread is still running %g s after its "
                    "request ended; its slot is kept until it stops",
                    _SETTLE_S,
                )
                self._when_done = release
                return
        release()


class DocumentJobs:
    """The replica's document slots: taken on the event loop, given back there or by a
    worker thread that outlived its request (hence the lock)."""

    def __init__(
        self, max_jobs: int, caps: DocumentCaps, collect: Callable[[], object] = gc.collect
    ) -> None:
        self.max_jobs = max_jobs
        self.caps = caps
        self.running = 0
        self._collect = collect
        self._lock = threading.Lock()

    def _release(self) -> None:
        with self._lock:
            self.running -= 1

    @asynccontextmanager
    async def job(self) -> AsyncIterator[DocumentJob]:
        with self._lock:
            busy = self.running >= self.max_jobs
            if not busy:
                self.running += 1
        if busy:
            raise Overloaded(
                f"{self.max_jobs} documents are being translated on this server, its limit "
                "(ROEN_MAX_DOCUMENT_JOBS); retry in a few seconds.",
                retry_after_s=2,
            )
        job = DocumentJob(self.caps)
        try:
            yield job
        finally:
            await job.settle(self._release)
            if job.budget.packaged:  # only a parsed package leaves cycles worth a collection
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._collect)


def bare(err: Any) -> Any:
    """An error without the frames it was raised through: they hold the parsed document
    (and an exception cycle would keep them until the next full collection)."""
    err.__traceback__ = None
    err.__context__ = None
    err.__cause__ = None
    return err
