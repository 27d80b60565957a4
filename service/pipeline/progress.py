"""A call under way, from the rows it queued to its outcome: the one path every translation
and digest takes, streamed or not.

    events():  [streamed: each segment, in document order, as its rows arrive]
               → every row's English (what the cache knew, and what was just translated)
               → the texts rebuilt around their glue → [a digest: headline and summary]
               → Finished

A stream asks for the segment events: its rows are taken in document order and each one
wakes the loop. A plain call (`Pipeline.translate`, `digest`) collects the same events
without them: its rows are batched shortest first, and its texts rebuilt in one go, off the
event loop when large. Markup is translated whole (its tags are placed once all its blocks
are done), then its segments are told in order.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import TypeVar

import anyio

from service.documents.types import OffLoop
from service.errors import RequestTimeout
from service.pipeline.cache import SentenceCache
from service.pipeline.digests import digest_of
from service.pipeline.sentences import Encoded, assemblers, rebuild
from service.pipeline.types import (
    Digest,
    Finished,
    Segment,
    SegmentDone,
    SummaryOptions,
    TranslationResult,
)
from service.runtime.backend import Output
from service.runtime.scheduler import Ticket
from service.summarize.types import SummaryResult
from service.telemetry import tracing
from service.text.page import Extracted

T = TypeVar("T")
Summarize = Callable[[list[str], SummaryOptions], Awaitable[SummaryResult]]


@dataclass(frozen=True, slots=True)
class Steps:
    """What a call under way needs from its pipeline, handed in (never reached into)."""

    cache: SentenceCache | None
    not_romanian: Callable[[str], bool]
    summarize: Summarize  # on the scheduler's worker, within the call's deadline
    timeout_s: float | None  # ROEN_REQUEST_TIMEOUT_S, for the message when it passes
    off_loop: OffLoop  # where the rebuild runs: the loop when small, else a worker thread


def timeout_error(timeout_s: float | None) -> RequestTimeout:
    return RequestTimeout(
        f"The request did not finish within {timeout_s or 0:g} s "
        "(ROEN_REQUEST_TIMEOUT_S). Send shorter texts or retry when the server is "
        "less busy."
    )


async def by_deadline(deadline: float, call: Awaitable[T], timeout_s: float | None) -> T:
    """`call`, finished by `deadline` (a stream's, on anyio's clock), or RequestTimeout."""
    try:
        with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
            return await call
    except TimeoutError:
        raise timeout_error(timeout_s) from None


def remaining() -> float | None:
    """The time left to the deadline the caller runs under (the scheduler drops a row once
    it has passed)."""
    deadline = anyio.current_effective_deadline()
    return None if math.isinf(deadline) else max(0.0, deadline - anyio.current_time())


def learned(
    encoded: Encoded, fresh: list[Output], cache: SentenceCache | None
) -> dict[str, Output]:
    """Every part's English: what was known, and what was just translated (cached now)."""
    translated = dict(zip(encoded.todo, fresh, strict=True))
    # n-best decodes with a wider beam than the key says: its English is not kept
    if cache and encoded.hypotheses == 1:
        cache.put_many(encoded.beam_size, translated)
    return encoded.known | translated


class Progress:
    """`events()` yields each segment as it is done (for a stream), then the outcome;
    `finished()` collects them. Leaving early (the client went away) drops the call's
    queued rows. `total`: the segments to come, when known before they are done."""

    total: int | None = None

    def __init__(self, steps: Steps, deadline: float | None, chars: int) -> None:
        self._steps = steps
        self._deadline = deadline
        self._chars = chars  # what the call translated, as sent: what is billed

    def events(self) -> AsyncGenerator[SegmentDone | Finished, None]:
        raise NotImplementedError

    async def finished(self) -> Finished:
        async with aclosing(self.events()) as events:
            async for event in events:
                if isinstance(event, Finished):
                    return event
        raise RuntimeError("a call ended without its outcome")

    def cancel(self) -> None:
        """Drop what is still queued (a no-op once done)."""

    async def _wait(self, call: Awaitable[T]) -> T:
        if self._deadline is None:
            return await call
        return await by_deadline(self._deadline, call, self._steps.timeout_s)


class RowsProgress(Progress):
    """Plain text (or a page's article): its rows on the scheduler under `ticket`."""

    ticket: Ticket

    def __init__(
        self,
        steps: Steps,
        encoded: Encoded,
        *,
        summary: SummaryOptions | None,
        extracted: Extracted | None,
        deadline: float | None,
        streamed: bool,
        chars: int,
    ) -> None:
        super().__init__(steps, deadline, chars)
        self._encoded = encoded
        self._summary = summary
        self._extracted = extracted
        self._streamed = streamed
        self._english = dict(encoded.known)
        self._docs = assemblers(encoded, steps.not_romanian) if streamed else []
        self._doc = 0
        self._news = asyncio.Event()
        self.total = sum(1 for doc in encoded.docs for piece in doc if piece.kind != "glue")

    def arrived(self, index: int, english: Output) -> None:
        """The scheduler's callback, on this loop: one more row is done."""
        self._english[self._encoded.todo[index]] = english
        self._news.set()

    def wake(self) -> None:
        self._news.set()

    def cancel(self) -> None:
        self.ticket.cancel()

    async def events(self) -> AsyncGenerator[SegmentDone | Finished, None]:
        try:
            if self._streamed:
                async for done in self._segments():
                    yield done
            fresh = await self._wait(self.ticket.result())
            english = learned(self._encoded, fresh, self._steps.cache)
            if self._streamed:
                results = [doc.result() for doc in self._docs]
            else:
                with tracing.span("rebuild"):
                    results = await self._steps.off_loop(
                        lambda: rebuild(self._encoded, english, self._steps.not_romanian),
                        self._chars,
                    )
            yield Finished(results, await self._digest(results), self._chars)
        finally:
            self.ticket.cancel()  # a no-op once done; otherwise the queued rows leave now

    async def _segments(self) -> AsyncGenerator[SegmentDone, None]:
        done = 0
        while True:
            # Cleared before draining, and `settled` read before it: rows that arrive while
            # a segment is being sent (a slow client) wake the next pass.
            self._news.clear()
            settled = self.ticket.done()
            for text_index, segment in self._ready():
                done += 1
                yield SegmentDone(text_index, done - 1, segment, self.total or 0)
            if self._doc == len(self._docs):
                return
            if settled:  # every row had arrived before the drain: the job failed
                await self.ticket.result()  # raises its error
                raise RuntimeError("the scheduler finished a job without all its rows")
            await self._wait(self._news.wait())

    def _ready(self) -> Iterator[tuple[int, Segment]]:
        while self._doc < len(self._docs):
            for segment in self._docs[self._doc].ready(self._english):
                yield self._doc, segment
            if len(self._docs[self._doc].segments) < self._docs[self._doc].total:
                return
            self._doc += 1

    async def _digest(self, results: list[TranslationResult]) -> Digest | None:
        if self._summary is None:
            return None
        call = digest_of(results[0], self._summary, self._steps.summarize, self._extracted)
        return await self._wait(call)


class WholeProgress(Progress):
    """Markup: translated whole before the call is under way (its tags are placed once all
    its blocks are done), then its segments told in order."""

    def __init__(self, steps: Steps, results: list[TranslationResult], chars: int) -> None:
        super().__init__(steps, None, chars)
        self._results = results
        self.total = sum(len(r.segments) for r in results)

    async def events(self) -> AsyncGenerator[SegmentDone | Finished, None]:
        index = 0
        for text_index, result in enumerate(self._results):
            for segment in result.segments:
                yield SegmentDone(text_index, index, segment, self.total or 0)
                index += 1
        yield Finished(self._results, None, self._chars)
