"""Dynamic batching across concurrent requests: one worker thread owns the model.

Each `generate` call (one request's sentences) becomes a job in a bounded queue. The worker
waits a few milliseconds for company, then fills one batch round-robin across jobs — one
sentence from each job in turn — up to the padded-token budget. So eight single-sentence
requests arriving together ride in one batch, and a 300-sentence article cannot hold a
one-line request back by more than one batch.

    request threads ──generate()──▶ [job, job, job]  (bounded: Overloaded when full)
                                         │ round-robin, ≤ budget
                                         ▼
                          worker ──inner.generate(batch)──▶ results back to each job
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from service.engine.interface import Seq2SeqBackend
from service.errors import EngineFailure, Overloaded, RequestTimeout

log = logging.getLogger("roen.batcher")


@dataclass(eq=False)
class _Job:
    beam_size: int
    pending: deque[tuple[int, str, int]]  # (index in request, text, tokens), shortest first
    results: list[str | None]
    deadline: float
    left: int
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


@dataclass
class BatchStats:
    """Counters for /metrics and the benchmark."""

    batches: int = 0
    rows: int = 0
    jobs: int = 0


class BatchingBackend:
    """Wraps a backend; `generate` may be called from many threads at once."""

    schedules_batches = True  # the translator hands over all its sentences in one call

    def __init__(
        self,
        inner: Seq2SeqBackend,
        *,
        budget_tokens: int = 4096,
        max_batch: int = 64,
        max_wait_ms: float = 5.0,
        capacity: int = 4096,
        timeout_s: float = 300.0,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_input_tokens = inner.max_input_tokens
        self.default_beam_size = inner.default_beam_size
        self.budget_tokens = budget_tokens
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000
        self.capacity = capacity
        self.timeout_s = timeout_s
        self.stats = BatchStats()
        self._jobs: deque[_Job] = deque()
        self._queued = 0  # sentences waiting, across jobs
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="roen-batcher", daemon=True)
        self._worker.start()

    @property
    def queued(self) -> int:
        return self._queued

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def generate(self, texts: list[str], *, beam_size: int) -> list[str]:
        if not texts:
            return []
        counts = self.inner.count_tokens(texts)
        order = sorted(range(len(texts)), key=lambda i: counts[i])
        job = _Job(
            beam_size=beam_size,
            pending=deque((i, texts[i], counts[i]) for i in order),
            results=[None] * len(texts),
            deadline=time.monotonic() + self.timeout_s,
            left=len(texts),
        )
        with self._cond:
            if self._closed:
                raise Overloaded("The server is shutting down; retry on another instance.")
            if self._queued + len(texts) > self.capacity:
                raise Overloaded(
                    f"The translation queue is full ({self._queued} sentences waiting, capacity "
                    f"{self.capacity}, ROEN_QUEUE_CAPACITY); retry shortly.",
                    retry_after_s=2,
                )
            self._jobs.append(job)
            self._queued += len(texts)
            self.stats.jobs += 1
            self._cond.notify()
        job.done.wait()
        if job.error is not None:
            raise job.error
        return [r if r is not None else "" for r in job.results]

    def close(self) -> None:
        """Stop the worker after its current batch; queued requests fail instead of hanging."""
        with self._cond:
            self._closed = True
            for job in list(self._jobs):
                self._fail(
                    job, Overloaded("The server is shutting down; retry on another instance.")
                )
            self._cond.notify_all()
        self._worker.join(timeout=30)

    # --- worker ------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
            if self.max_wait_s:
                time.sleep(self.max_wait_s)  # let concurrent requests join this batch
            with self._cond:
                batch = self._take_batch()
            if batch:
                self._execute(batch)

    def _take_batch(self) -> list[tuple[_Job, int, str, int]]:
        now = time.monotonic()
        for job in [j for j in self._jobs if j.deadline < now]:
            self._fail(job, RequestTimeout("The request waited too long in the translation queue."))
        if not self._jobs:
            return []
        beam = self._jobs[0].beam_size  # oldest first; rows of one batch share a beam width
        budget = max(self.budget_tokens // beam, 1)
        batch: list[tuple[_Job, int, str, int]] = []
        longest = 0
        progress = True
        while progress and len(batch) < self.max_batch:
            progress = False
            for job in list(self._jobs):
                if job.beam_size != beam or not job.pending or len(batch) >= self.max_batch:
                    continue
                index, text, tokens = job.pending[0]
                if batch and (len(batch) + 1) * max(longest, tokens) > budget:
                    continue
                job.pending.popleft()
                batch.append((job, index, text, tokens))
                longest = max(longest, tokens)
                self._queued -= 1
                progress = True
        for job in [j for j in self._jobs if not j.pending]:
            self._jobs.remove(job)  # fully scheduled; results arrive through the batch
        return batch

    def _execute(self, batch: list[tuple[_Job, int, str, int]]) -> None:
        beam = batch[0][0].beam_size
        try:
            outputs = self.inner.generate([text for _, _, text, _ in batch], beam_size=beam)
        except Exception as err:  # only the jobs in this batch fail; the worker goes on
            log.exception("batch of %d rows failed", len(batch))
            failure = EngineFailure(f"The engine failed on a batch ({type(err).__name__}).")
            with self._cond:
                for job in {j for j, _, _, _ in batch}:
                    self._fail(job, failure)
            return
        self.stats.batches += 1
        self.stats.rows += len(batch)
        with self._cond:
            for (job, index, _, _), out in zip(batch, outputs, strict=True):
                if job.done.is_set():
                    continue  # failed or timed out meanwhile
                job.results[index] = out
                job.left -= 1
                if job.left == 0:
                    job.done.set()

    def _fail(self, job: _Job, error: Exception) -> None:
        """Caller holds the lock."""
        if job in self._jobs:
            self._jobs.remove(job)
        self._queued -= len(job.pending)
        job.pending.clear()
        job.error = error
        job.done.set()
