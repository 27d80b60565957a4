"""The one scheduler: admission, deadlines, cancellation and cross-request batching.

Every piece of model work in the process goes through here, so one worker thread owns the
cores and nothing else decides who runs:

    request (async) ──translate(rows)──▶ [job, job, job]   admitted while rows ≤ capacity,
                                             │               else Overloaded + Retry-After
                    ──run(task)─────────▶ [task]            (summaries: between batches)
                                             │ round-robin across jobs, ≤ token budget
                                             ▼
                       worker ──backend.generate(batch)──▶ each row's text back to its job

- Rows arrive already encoded (the pipeline tokenises each sentence once); a job's rows are
  taken shortest first, one from each job in turn, so a 300-sentence article cannot hold a
  one-line request back by more than a batch.
- Batches fill by lingering: when the last batch answered N requests, those clients are
  likely to send again at once, so the worker waits for up to N new requests — never more
  than ROEN_BATCH_WAIT_MS, nor a tenth of the last batch's time; and while a burst is
  still arriving (a request every ~2 ms), it waits for the rest. A lone request on an idle
  server waits 2 ms.
- A request that is cancelled (timed out, client gone) leaves the queue at once; rows
  already in a running batch finish with it and their results are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from service.errors import EngineFailure, ModelNotReady, Overloaded, RequestTimeout, RoenError
from service.runtime.backend import Backend, Decoding, Output, Tokens
from service.runtime.decoding import output_budget
from service.runtime.memory import give_back_freed
from service.telemetry import timing, tracing
from service.telemetry.stages import NO_STAGES, Stages
from service.telemetry.timing import RequestTiming

log = logging.getLogger("roen.scheduler")
# Requests of one burst (clients started together) arrive this close to each other: the
# worker waits this long after each arrival for the next, so they share the first batch.
BURST_GAP_S = 0.002
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SchedulerStats:
    """Counters for /metrics and the benchmark."""

    queued_rows: int = 0
    jobs: int = 0
    batches: int = 0
    batch_rows: int = 0
    cancelled_rows: int = 0
    tasks: int = 0


@dataclass(eq=False)
class _Job:
    beam_size: int
    # (index in request, tokens, budget): shortest first, or in order for a streamed job
    pending: deque[tuple[int, Tokens, int]]
    results: list[Output]
    left: int
    future: asyncio.Future[list[Output]]
    loop: asyncio.AbstractEventLoop
    deadline: float
    on_row: Callable[[int, Output], None] | None = None  # called on `loop` as each row is done
    timing: RequestTiming | None = None  # its request's, when one is being timed
    hypotheses: int = 1  # 1 + the alternatives asked for

    @property
    def decoding(self) -> tuple[int, int]:
        """What its rows share with the rest of a batch: one beam width, one n-best."""
        return (self.beam_size, self.hypotheses)


@dataclass(eq=False)
class _Task:
    fn: Callable[[], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    deadline: float
    weight: int = 1
    timing: RequestTiming | None = None


@dataclass
class _Counters:
    jobs: int = 0
    batches: int = 0
    batch_rows: int = 0
    cancelled_rows: int = 0
    tasks: int = 0


_NONE = Output("")  # a row not done yet
# While other rows wait, rows asking for alternatives run at most one batch in this many
# (+1): 6 of 32 clients asking for 3 cost the others ~0.6× their pace when they took turns.
NBEST_EVERY = 10


def retry_after(queued: int, rows_per_s: float) -> int:
    """Seconds for `queued` rows to drain at `rows_per_s` (1–60); 2 before any batch has set
    a pace."""
    if rows_per_s <= 0:
        return 2
    return max(1, min(60, math.ceil(queued / rows_per_s)))


@dataclass
class _LastBatch:
    ended: float = 0.0
    seconds: float = 0.0
    answered: int = 0  # requests completed by it: clients that may send again at once
    arrivals_at_end: int = 0
    rows_per_s: float = field(default=0.0)  # smoothed, for Retry-After


class Scheduler:
    def __init__(
        self,
        *,
        batch_tokens: int = 4096,
        max_batch: int = 64,
        capacity: int | None = 10_000,
        batch_wait_ms: float = 100.0,
        fair: bool = True,
        burst_gap_ms: float = BURST_GAP_S * 1000,
        on_idle: Callable[[], object] = give_back_freed,
        idle_after_s: float = 1.0,
    ) -> None:
        """`fair`: rows are taken from every waiting request in turn (a server: nobody waits
        behind a long article); else the shortest rows of all requests first (a corpus run,
        where only throughput counts). `burst_gap_ms`: how close together the requests of
        one burst arrive (a corpus run's records are prepared ~10-100 ms apart).
        `on_idle`: run by the worker, outside the lock, once the queue has stayed empty for
        `idle_after_s` after work (by default: the freed batch buffers go back to the
        operating system; not between the rounds of busy clients, who would pay for
        faulting them in again)."""
        self.batch_tokens = batch_tokens
        self.max_batch = max_batch
        self.capacity = capacity  # rows allowed to wait; None = unbounded (CLI, eval)
        self.stages: Stages = NO_STAGES  # stage metrics (the HTTP edge plugs in Prometheus)
        self.batch_wait_s = batch_wait_ms / 1000
        self.fair = fair
        self.burst_gap_s = burst_gap_ms / 1000
        self._backend: Backend | None = None
        self._jobs: deque[_Job] = deque()
        self._tasks: deque[_Task] = deque()
        self._queued = 0
        self._arrivals = 0
        self._last_arrival = 0.0
        self._count = _Counters()
        self._last = _LastBatch()
        self._cond = threading.Condition()
        self._closed = True  # until start()
        self._task_turn = False
        self._worker: threading.Thread | None = None
        self._on_idle = on_idle
        self.idle_after_s = idle_after_s
        self._worked = False  # since the worker last went idle
        self._from_idle = True  # the queue was empty when the worker last looked
        self._since_nbest = 0  # batches run since the last n-best (alternatives) batch

    def start(self) -> None:
        """Start the worker (again, after close: an app's lifespan may run more than once)."""
        with self._cond:
            self._closed = False  # (a worker abandoned in a long batch by close() goes on)
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._run, name="roen-scheduler", daemon=True)
            self._worker.start()

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    # --- the callers' side (any event loop) ---------------------------------------
    def attach(self, backend: Backend) -> None:
        """The translation backend, once loaded (summary tasks run without one); a backend
        on a card brings the larger batch budget the card wants."""
        with self._cond:
            self._backend = backend
            if backend.batch_tokens:
                self.batch_tokens = backend.batch_tokens

    async def translate(
        self, rows: list[Tokens], *, beam_size: int, timeout_s: float | None = None
    ) -> list[Output]:
        """English for each encoded row, in order. Cancelling the caller drops its rows."""
        return await self.submit(rows, beam_size=beam_size, timeout_s=timeout_s).result()

    def submit(
        self,
        rows: list[Tokens],
        *,
        beam_size: int,
        timeout_s: float | None = None,
        on_row: Callable[[int, Output], None] | None = None,
        hypotheses: int = 1,
    ) -> Ticket:
        """Queue `rows` now (admitted or refused here, before the caller promises anything
        to its client); await `Ticket.result()` for the English. With `on_row`, rows are
        taken in the order given, not shortest first, and `on_row(index, english)` is called
        on the caller's loop as each is done: a stream shows its document in order. With
        `hypotheses` > 1 (alternatives), its rows are decoded in batches of their own: a
        batch of other clients' rows is never widened to n-best for them."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Output]] = loop.create_future()
        if not rows:
            future.set_result([])
            return Ticket(self, None, future)
        backend = self._backend
        if backend is None:
            raise ModelNotReady("The translation model is not loaded yet; retry shortly.")
        order = range(len(rows)) if on_row else sorted(range(len(rows)), key=lambda i: len(rows[i]))
        job = _Job(
            beam_size=beam_size,
            pending=deque(
                (i, rows[i], output_budget(len(rows[i]), backend.max_output_tokens)) for i in order
            ),
            results=[_NONE] * len(rows),
            left=len(rows),
            future=future,
            loop=loop,
            deadline=_deadline(timeout_s),
            on_row=on_row,
            timing=_timed(),
            hypotheses=hypotheses,
        )
        with self._cond:
            self._admit(len(rows))
            self._jobs.append(job)
            self._queued += len(rows)
            self._arrivals += 1
            self._last_arrival = time.monotonic()
            self._count.jobs += 1
            self._cond.notify()
        return Ticket(self, job, future)

    async def run(
        self, fn: Callable[[], T], *, weight: int = 1, timeout_s: float | None = None
    ) -> T:
        """Run `fn` on the worker, taking turns with translation batches (model work that is
        not a translation: a summary). `weight`: the sentences it works on, counted against
        the queue's capacity like a translation's."""
        loop = asyncio.get_running_loop()
        task = _Task(fn, loop.create_future(), loop, _deadline(timeout_s), weight, _timed())
        with self._cond:
            self._admit(weight)
            self._tasks.append(task)
            self._queued += weight
            self._count.tasks += 1
            self._cond.notify()
        try:
            result: T = await task.future
        finally:
            if task.future.cancelled():
                with self._cond:
                    if task in self._tasks:
                        self._tasks.remove(task)
                        self._queued -= task.weight
        return result

    def stats(self) -> SchedulerStats:
        c = self._count
        return SchedulerStats(
            self._queued, c.jobs, c.batches, c.batch_rows, c.cancelled_rows, c.tasks
        )

    def retry_after_s(self) -> int:
        """How long the queue now takes to drain, by the recent pace (1–60 s)."""
        return retry_after(self._queued, self._last.rows_per_s)

    def close(self, wait_s: float = 5.0) -> None:
        """Stop after the running batch; whatever still waits fails instead of hanging. A
        batch still running after `wait_s` (work of requests already gone) is abandoned:
        the worker is a daemon thread, so the process can exit within its grace period."""
        with self._cond:
            self._closed = True
            for job in list(self._jobs):
                self._fail(job, _shutting_down())
            for task in self._tasks:
                self._queued -= task.weight
                _settle(task.future, task.loop, error=_shutting_down())
            self._tasks.clear()
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=wait_s)

    # --- under the lock -------------------------------------------------------------
    def _admit(self, rows: int) -> None:
        if self._closed:
            raise _shutting_down()
        if self.capacity is not None and self._queued + rows > self.capacity:
            raise Overloaded(
                f"The translation queue is full ({self._queued:,} sentences waiting, capacity "
                f"{self.capacity:,}, ROEN_QUEUE_CAPACITY); retry shortly.",
                retry_after_s=self.retry_after_s(),
            )

    def _drop(self, job: _Job) -> None:
        with self._cond:
            self._count.cancelled_rows += len(job.pending)
            self._remove(job)
            job.left = -1  # rows of it still in a running batch are ignored

    def _remove(self, job: _Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        self._queued -= len(job.pending)
        job.pending.clear()

    def _fail(self, job: _Job, error: RoenError) -> None:
        self._remove(job)
        job.left = -1  # rows of it still in a running batch are ignored
        _settle(job.future, job.loop, error=error)

    # --- the worker -------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            if self._wait_for_work():
                self._idle()
                continue
            with self._cond:
                if self._closed:
                    return
                # Tasks and batches take turns: neither starves the other.
                task = None
                if self._tasks and (not self._jobs or self._task_turn):
                    task = self._tasks.popleft()
                    self._queued -= task.weight
                self._task_turn = task is None
                batch: list[tuple[_Job, int, Tokens, int]] = []
                started = time.monotonic()
                if task is None:
                    self._linger()
                    batch = self._take_batch()
            self._worked = self._worked or task is not None or bool(batch)
            try:
                if task is not None:
                    self._execute_task(task)
                elif batch:
                    self._execute(batch, waited=time.monotonic() - started)
            except Exception:  # a bug here must not stop the one worker every request needs
                log.exception("the scheduler's worker failed on a batch; it goes on")
                with self._cond:
                    for job in {j for j, _, _, _ in batch}:
                        self._fail(job, EngineFailure("The engine failed on this request."))

    def _wait_for_work(self) -> bool:
        """Until there is work (False), or the queue has stayed empty `idle_after_s` since
        the last work (True: time for the idle hook). Closed-loop clients refill the queue
        within milliseconds of their answers: they do not count as idle."""
        with self._cond:
            while not self._jobs and not self._tasks and not self._closed:
                self._from_idle = True
                if not self._worked:
                    self._cond.wait()
                elif not self._cond.wait(self.idle_after_s) and not (
                    self._jobs or self._tasks or self._closed
                ):
                    self._worked = False
                    return True
            return False

    def _idle(self) -> None:
        try:
            self._on_idle()
        except Exception:  # housekeeping: never the reason a request fails
            log.exception("the scheduler's idle hook failed")

    def _linger(self) -> None:
        """Wait (the lock is released while waiting) for company, while it is coming:
        - the clients the last batch answered, likely to send again at once (up to their
          number, for at most a tenth of that batch's time);
        - a burst still arriving (each new request within BURST_GAP_S of the previous).
        Never longer than ROEN_BATCH_WAIT_MS. A server stops at a full batch: its clients
        wait. A throughput run waits only after an empty queue, for the whole burst (its
        shortest-first batches are the shortest of what has arrived); while its batches run
        back to back there is always enough queued, and a wait would be time lost."""
        from_idle, self._from_idle = self._from_idle, False
        if not self.fair and not from_idle:
            return
        last = self._last
        started = time.monotonic()
        returning_until = last.ended + min(self.batch_wait_s, 0.1 * last.seconds)
        burst_until = started + self.batch_wait_s
        while (
            not self._closed
            and not self._tasks
            and (not self.fair or self._queued < self.max_batch)
        ):
            now = time.monotonic()
            waits = []
            if self._arrivals - last.arrivals_at_end < last.answered and now < returning_until:
                waits.append(returning_until - now)
            gap_ends = self._last_arrival + self.burst_gap_s
            if now < gap_ends and now < burst_until:
                waits.append(min(gap_ends, burst_until) - now)
            if not waits:
                return
            self._cond.wait(max(waits))

    def _take_batch(self) -> list[tuple[_Job, int, Tokens, int]]:
        now = time.monotonic()
        for job in [j for j in self._jobs if j.deadline < now]:
            self._fail(job, RequestTimeout("The request waited too long in the translation queue."))
        if not self._jobs:
            return []
        # Oldest first; the rows of one batch share a beam width and an n-best.
        decoding = self._jobs[0].decoding
        if decoding[1] > 1 and self._since_nbest < NBEST_EVERY:
            # Alternatives cost a wider beam for few rows: while others wait, they take one
            # batch in NBEST_EVERY, so the clients who did not ask for them lose little.
            plain = next((j for j in self._jobs if j.hypotheses == 1 and j.pending), None)
            if plain is not None:
                decoding = plain.decoding
        self._since_nbest = 0 if decoding[1] > 1 else min(self._since_nbest + 1, NBEST_EVERY)
        budget = max(self.batch_tokens // max(decoding), 1)
        batch: list[tuple[_Job, int, Tokens, int]] = []

        def take(job: _Job) -> bool:
            """Job's next row into the batch, if the batch stays within the token budget."""
            index, tokens, out_budget = job.pending[0]
            longest = max([len(tokens), *(len(t) for _, _, t, _ in batch)])
            if batch and (len(batch) + 1) * longest > budget:
                return False
            job.pending.popleft()
            batch.append((job, index, tokens, out_budget))
            self._queued -= 1
            return True

        def waiting() -> list[_Job]:
            return [j for j in self._jobs if j.decoding == decoding and j.pending]

        if self.fair:  # one row from each job in turn, sweep after sweep
            progress = True
            while progress and len(batch) < self.max_batch:
                progress = False
                for job in waiting():
                    if len(batch) < self.max_batch and take(job):
                        progress = True
        else:
            # Throughput only (a corpus run): the shortest rows of all jobs together, so a
            # batch's rows are of a length and no row pads the others out.
            while len(batch) < self.max_batch and (jobs := waiting()):
                if not take(min(jobs, key=lambda j: len(j.pending[0][1]))):
                    break
        for job in [j for j in self._jobs if not j.pending]:
            self._jobs.remove(job)  # fully scheduled; results arrive through the batch
        return batch

    def _execute(self, batch: list[tuple[_Job, int, Tokens, int]], *, waited: float) -> None:
        backend = self._backend
        assert backend is not None  # a job is only admitted once a backend is attached
        started = time.monotonic()
        try:
            first = batch[0][0]
            budgets = [b for _, _, _, b in batch]
            decoding = Decoding(first.beam_size, budgets, hypotheses=first.hypotheses)
            outputs = backend.generate([tokens for _, _, tokens, _ in batch], decoding)
            if len(outputs) != len(batch):
                raise RuntimeError(f"{len(outputs)} outputs for a batch of {len(batch)} rows")
        except Exception as err:  # only the jobs in this batch fail; the worker goes on
            log.exception("batch of %d rows failed", len(batch))
            failure = EngineFailure(f"The engine failed on a batch ({type(err).__name__}).")
            with self._cond:
                for job in {j for j, _, _, _ in batch}:
                    self._fail(job, failure)
            return
        ended = time.monotonic()
        self._record(batch, started, ended)
        log.debug(
            "batch of %d rows: waited %.0f ms for company, ran %.0f ms",
            len(batch),
            1000 * waited,
            1000 * (ended - started),
        )
        with self._cond:
            answered = 0
            for (job, index, _, _), out in zip(batch, outputs, strict=True):
                if job.left <= 0 or job.future.done():
                    continue  # failed, timed out or abandoned meanwhile
                job.results[index] = out
                job.left -= 1
                if job.on_row is not None:  # before the result below: callbacks run in order
                    with contextlib.suppress(RuntimeError):  # the caller's loop has closed
                        job.loop.call_soon_threadsafe(job.on_row, index, out)
                if job.left == 0:
                    answered += 1
                    _settle(job.future, job.loop, result=job.results)
            seconds = ended - started
            rate = len(batch) / seconds if seconds > 0 else 0.0
            self._last = _LastBatch(
                ended=ended,
                seconds=seconds,
                answered=answered,
                arrivals_at_end=self._arrivals,
                rows_per_s=rate
                if not self._last.rows_per_s
                else 0.7 * self._last.rows_per_s + 0.3 * rate,
            )
            self._count.batches += 1
            self._count.batch_rows += len(batch)

    def _record(
        self, batch: list[tuple[_Job, int, Tokens, int]], started: float, ended: float
    ) -> None:
        """Stage metrics for a batch, and each request's timing (each batch once a request)."""
        tokens, beam = sum(len(t) for _, _, t, _ in batch), batch[0][0].beam_size
        self.stages.batch(len(batch), tokens, beam, ended - started)
        traced = []
        for job in {j for j, _, _, _ in batch}:
            if job.timing is not None:
                first = job.timing.first_batch is None
                job.timing.ran(started, ended)
                if first:
                    self.stages.queue_wait(job.timing.queue_s)
                if job.timing.trace is not None:
                    traced.append(job.timing.trace)
                    if first and job.timing.queued is not None:
                        tracing.waited(job.timing.trace, job.timing.queued, started)
        if traced:
            tracing.batch(started, ended, len(batch), tokens, beam, traced)

    def _execute_task(self, task: _Task) -> None:
        if task.deadline < time.monotonic():
            _settle(task.future, task.loop, error=RequestTimeout("The request waited too long."))
            return
        started = time.monotonic()
        try:
            result = task.fn()
        except RoenError as err:
            _settle(task.future, task.loop, error=err)
        except Exception as err:
            log.exception("model task failed")
            _settle(
                task.future,
                task.loop,
                error=EngineFailure(f"The engine failed on this request ({type(err).__name__})."),
            )
        else:
            _settle(task.future, task.loop, result=result)
        finally:
            if task.timing is not None:
                task.timing.ran(started, time.monotonic())


class Ticket:
    """A submitted job: await its result, or cancel it (its queued rows leave at once)."""

    def __init__(
        self, scheduler: Scheduler, job: _Job | None, future: asyncio.Future[list[Output]]
    ) -> None:
        self._scheduler = scheduler
        self._job = job
        self._future = future

    def done(self) -> bool:
        return self._future.done()

    def on_done(self, callback: Callable[[], None]) -> None:
        """`callback()` on the caller's loop once the job is settled (after every `on_row`)."""
        self._future.add_done_callback(lambda _: callback())

    async def result(self) -> list[Output]:
        try:
            return await self._future
        finally:
            self.cancel()  # a no-op once it is done; otherwise the caller was cancelled

    def cancel(self) -> None:
        if self._job is not None and (not self._future.done() or self._future.cancelled()):
            self._scheduler._drop(self._job)
            self._future.cancel()


def _timed() -> RequestTiming | None:
    """The current request's timing (on the caller's loop), marked as queued now."""
    found = timing.current()
    if found is not None:
        found.queue()
    return found


def _deadline(timeout_s: float | None) -> float:
    return time.monotonic() + timeout_s if timeout_s is not None else math.inf


def _shutting_down() -> Overloaded:
    return Overloaded("The server is shutting down; retry on another instance.")


def _settle(
    future: asyncio.Future[Any],
    loop: asyncio.AbstractEventLoop,
    *,
    result: Any = None,
    error: BaseException | None = None,
) -> None:
    """Resolve a caller's future from the worker thread, unless the caller already left."""

    def apply() -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits any more
        loop.call_soon_threadsafe(apply)
