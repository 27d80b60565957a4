"""The façade: translate, summarise, digest. Every caller — the JSON API, the web form, the
CLI, `roen eval` — makes one call here and shapes the result.

One call, start to end:
    limits → prepare (worker thread: normalise, layout, cache, encode once, split)
           → scheduler (batched with other requests' sentences) → rebuild (thread: warnings)
           → [digest: summary task on the scheduler's worker]
Cancelling the awaiting task (timeout, client gone) drops the request's queued sentences;
the deadline (ROEN_REQUEST_TIMEOUT_S) covers the whole call.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from dataclasses import replace
from typing import TypeVar

import anyio
import anyio.to_thread

from service.documents.budget import DocumentCaps
from service.documents.formats import format_of
from service.documents.types import OffLoop, Translators
from service.errors import InputError, InvalidField, RequestTimeout
from service.pipeline.cache import SentenceCache
from service.pipeline.document_jobs import DocumentJobs, bare
from service.pipeline.documents import Prepared, assemblers, prepare, rebuild
from service.pipeline.engines import Engines
from service.pipeline.html import TagCounts, translate_html
from service.pipeline.language import Detected, LanguageDetector
from service.pipeline.limits import Limits
from service.pipeline.types import (
    Digest,
    Finished,
    Segment,
    SegmentDone,
    Stats,
    Status,
    SummaryOptions,
    TranslatedFile,
    TranslateOptions,
    TranslationResult,
)
from service.runtime.scheduler import Scheduler, Ticket
from service.settings import Settings
from service.summarize.types import SummaryResult
from service.telemetry import tracing
from service.text.headline import headline
from service.text.layout import layout
from service.text.markup import runs
from service.text.page import Extracted, extract

T = TypeVar("T")
# Below this many characters, preparing or rebuilding a request costs less than a hop to a
# worker thread and back (~0.3 ms against the hop's GIL hand-offs, which under load queue
# behind each other): it runs on the event loop. Larger inputs go to a thread.
INLINE_CHARS = 2_000
DEFAULT_TRANSLATE = TranslateOptions()
DEFAULT_SUMMARY = SummaryOptions()


class Pipeline:
    def __init__(
        self,
        engines: Engines,
        *,
        limits: Limits | None = None,
        cache: SentenceCache | None = None,
        timeout_s: float | None = None,
        max_segment_tokens: int = 256,
        beam_size: int | None = None,
        documents: DocumentJobs | None = None,
    ) -> None:
        self.engines = engines
        self.documents = documents or DocumentJobs(2, DocumentCaps())
        self.limits = limits or Limits()
        self.cache = cache
        self.timeout_s = timeout_s
        self.max_segment_tokens = max_segment_tokens
        self.beam_size = beam_size  # None: each checkpoint's own
        self.detector = LanguageDetector()

    @classmethod
    def from_settings(cls, settings: Settings, engines: Engines | None = None) -> Pipeline:
        """The service's pipeline: every limit and default from Settings."""
        return cls(
            engines or Engines(settings),
            limits=Limits.from_settings(settings),
            cache=SentenceCache(settings.cache_size) if settings.cache_size else None,
            timeout_s=settings.request_timeout_s,
            max_segment_tokens=settings.max_segment_tokens,
            beam_size=settings.beam_size,
            documents=DocumentJobs(settings.max_document_jobs, document_caps(settings)),
        )

    @classmethod
    def for_files(
        cls, settings: Settings, *, summary: bool = False, limits: Limits | None = None
    ) -> Pipeline:
        """The CLI's and `roen eval`'s pipeline: loaded now (raising what failed), no
        deadline, an unbounded queue, no request limits unless given; same engine,
        scheduler and text handling."""
        scheduler = Scheduler(
            batch_tokens=settings.corpus_batch_tokens,
            max_batch=settings.max_batch_size,
            capacity=None,
            # One caller (a file, a corpus): the fastest order is the best, and a first
            # batch waits (≤ 1 s) for the records still being prepared rather than running
            # one record's sentences alone.
            batch_wait_ms=1000,
            burst_gap_ms=250,
            fair=False,
        )
        engines = Engines(settings, scheduler=scheduler)
        engines.load(summary=summary)
        engines.need_translator()
        if summary:
            engines.need_summarizer()
        return cls(
            engines,
            limits=limits or Limits(require_text=False),
            max_segment_tokens=settings.max_segment_tokens,
            beam_size=settings.beam_size,
        )

    @classmethod
    def for_batch(cls, settings: Settings, *, digest: bool = True) -> Pipeline:
        """`roen batch`'s: as for files, with the service's limits on each record (a record
        the service would refuse is reported, not translated)."""
        return cls.for_files(settings, summary=digest, limits=Limits.from_settings(settings))

    def run(self, call: Awaitable[T]) -> T:
        """Run one call to completion from synchronous code (the CLI)."""

        async def main() -> T:
            return await call

        return asyncio.run(main())

    # --- the three calls ----------------------------------------------------------------
    async def translate(
        self,
        texts: list[str],
        options: TranslateOptions = DEFAULT_TRANSLATE,
        tag_counts: TagCounts | None = None,
    ) -> list[TranslationResult]:
        """`tag_counts`, with markup: filled with how its inline tags were placed."""
        if options.markup == "html":
            return await self._within_deadline(
                lambda: self._translate_markup(texts, options, tag_counts)
            )
        return await self._within_deadline(lambda: self._translate(texts, options))

    async def detect(
        self, texts: list[str], *, markup: str = "text", checked: bool = False
    ) -> list[list[Detected]]:
        """The likeliest languages of each text, best first (of its text runs, for markup).
        `checked`: the texts already passed the limits (they were just translated)."""

        def run() -> list[list[Detected]]:
            if not checked:
                self.limits.check(texts)
            if markup == "html":
                plain = [" ".join(r.text for r in runs(t) if r.text) for t in texts]
                return [self.detector.detect(t) for t in plain]
            return [self.detector.detect(t) for t in texts]

        return await _off_loop(run, sum(len(t) for t in texts))

    async def summarize(
        self, text: str, options: SummaryOptions = DEFAULT_SUMMARY
    ) -> SummaryResult:
        """English text in; its summary (sentences in article order)."""

        def admit() -> list[str]:
            self.limits.check([text])
            sentences = [p.text for p in layout(text) if p.kind != "glue"]
            self.limits.check_summary(len(sentences))
            return sentences

        async def call() -> SummaryResult:
            return await self._summarize(await _off_loop(admit, len(text)), options)

        return await self._within_deadline(call)

    async def digest(
        self,
        text: str,
        options: TranslateOptions = DEFAULT_TRANSLATE,
        summary: SummaryOptions = DEFAULT_SUMMARY,
    ) -> Digest:
        """A Romanian article in; its English, a headline and an English summary out. With
        markup: a web page (or a fragment) in, its article extracted first."""

        async def call() -> Digest:
            article = await self.extract(text) if options.markup == "html" else None
            plain = replace(options, markup="text")
            source = article.text if article else text
            result = (await self._translate([source], plain, for_digest=True))[0]
            english = [s.translation for s in result.segments]
            # The headline is returned on its own; summarising the rest avoids repeating it.
            summarized = await self._summarize(english[1:] or english, summary)
            return Digest(headline_of(result), result, summarized, article)

        return await self._within_deadline(call)

    async def translate_file(
        self,
        filename: str,
        data: bytes,
        options: TranslateOptions = DEFAULT_TRANSLATE,
        on_text: Callable[[int], Awaitable[object]] | None = None,
    ) -> TranslatedFile:
        """A document (.txt, .html, .md, .docx, .srt) in, the same document in English out.
        What it unpacks to is held to the document caps as it is read (service/documents/
        budget.py), and its text to the request limits (characters, sentences) as one text
        is; its reading and rebuilding run in a worker thread (pipeline/document_jobs.py).
        `on_text(chars)` is awaited once the document is read and its text counted, before
        any of it is translated (the caller's quota is held then, on the exact count)."""
        kind = format_of(filename)  # 415 before reading anything
        html_options = replace(options, markup="html")
        failure: BaseException | None = None
        async with self.documents.job() as job:
            counted = False

            async def before_model() -> None:
                nonlocal counted
                if not counted and on_text is not None:
                    counted = True
                    await on_text(job.budget.chars)

            async def text(parts: list[str]) -> list[str]:
                if not "".join(parts).strip():
                    return parts
                await job.cpu(lambda: self.limits.check(["\n".join(parts)]))
                await before_model()
                done = await self._translate(parts, options, checked=True, off_loop=job.cpu)
                return [r.translation for r in done]

            def check_shown(shown: str) -> None:
                # The text in the markup, not the markup, is what counts. With none (an
                # image, code), nothing is translated and the document comes back as it came.
                if not kind.counts_text:
                    job.budget.text(shown)
                if shown.strip():
                    self.limits.check([shown])

            async def markup(parts: list[str]) -> list[str]:
                done = await self._translate_markup(
                    parts, html_options, None, check_shown, off_loop=job.cpu, before=before_model
                )
                return [r.translation for r in done]

            async def call() -> bytes:
                return await kind.translate(data, Translators(text, markup, job.cpu, job.budget))

            try:
                english = await self._within_deadline(call)
                return TranslatedFile(english, kind, job.budget.chars)
            except BaseException as err:  # a refusal, the deadline, or the client gone
                failure = bare(err)  # its frames hold the parsed document: let them go
            try:
                raise failure
            finally:
                failure = None

    async def extract(self, page: str) -> Extracted:
        """A web page's article (title and main text; a fragment's text), to digest."""

        def run() -> Extracted:
            # The page itself is bounded by the body size (ROEN_MAX_BODY_BYTES); the limits
            # on characters and sentences apply to the article, which is what is translated.
            article = extract(page)
            if not article.text.strip():
                raise InputError("The page holds no text to digest.")
            return article

        return await _off_loop(run, len(page))

    async def stream(
        self,
        texts: list[str],
        options: TranslateOptions = DEFAULT_TRANSLATE,
        summary: SummaryOptions | None = None,
    ) -> Progress:
        """Translate (and with `summary`, digest) as a stream. Everything that can refuse
        the request — limits, a model not loaded, a full queue — is raised here, before a
        client is promised anything; what goes wrong later ends the stream instead."""
        if options.markup != "text":
            raise InvalidField("Streaming takes plain text, not markup.", field="format")
        deadline = None if self.timeout_s is None else anyio.current_time() + self.timeout_s
        prepared, beams = await self._prepare(texts, options, summary is not None, False)
        progress = Progress(self, prepared, beams, summary, deadline)
        progress.ticket = self.engines.scheduler.submit(
            prepared.rows, beam_size=beams, timeout_s=self.timeout_s, on_row=progress.arrived
        )
        progress.ticket.on_done(progress.wake)
        return progress

    def status(self) -> Status:
        return self.engines.status()

    def stats(self) -> Stats:
        backend = self.engines.translation.engine
        return Stats(
            self.engines.scheduler.stats(),
            generated_tokens=backend.stats().generated_tokens if backend else 0,
            cache_hits=self.cache.hits if self.cache else 0,
            cache_misses=self.cache.misses if self.cache else 0,
        )

    @property
    def model_name(self) -> str:
        return self.engines.translation.info.name

    # --- steps --------------------------------------------------------------------------
    async def _translate(
        self,
        texts: list[str],
        options: TranslateOptions,
        *,
        for_digest: bool = False,
        checked: bool = False,
        off_loop: OffLoop | None = None,
    ) -> list[TranslationResult]:
        off_loop = off_loop or _off_loop
        prepared, beams = await self._prepare(texts, options, for_digest, checked, off_loop)
        fresh = await self.engines.scheduler.translate(
            prepared.rows, beam_size=beams, timeout_s=self._remaining()
        )
        english = self._learn(prepared, beams, fresh)
        size = sum(len(t) for t in texts)
        with tracing.span("rebuild"):
            return await off_loop(
                lambda: rebuild(prepared, english, self.detector.not_romanian), size
            )

    async def _prepare(
        self,
        texts: list[str],
        options: TranslateOptions,
        for_digest: bool,
        checked: bool,
        off_loop: OffLoop | None = None,
    ) -> tuple[Prepared, int]:
        """Limits, then the texts made into encoded rows (in a thread when large)."""

        def admit() -> tuple[Prepared, int]:
            if not checked:
                self.limits.check(texts)  # a bad request is told so, whatever is loaded
            if for_digest:
                self.engines.need_summarizer()  # fail before translating what cannot finish
            backend = self.engines.need_translator()
            beams = options.beam_size or self.beam_size or backend.default_beam_size
            prepared = prepare(
                texts,
                backend,
                beam_size=beams,
                max_segment_tokens=self.max_segment_tokens,
                max_parts=self.limits.max_segments,
                cache=self.cache,
                terms=options.terms,
            )
            if for_digest:  # its summary will read every sentence: refused now, not after
                self.limits.check_summary(sum(len(doc) for doc in prepared.sentences))
            return prepared, beams

        size = sum(len(t) for t in texts)
        with tracing.span("admission", **{"roen.texts": len(texts), "roen.characters": size}):
            return await (off_loop or _off_loop)(admit, size)

    def _learn(self, prepared: Prepared, beams: int, fresh: list[str]) -> dict[str, str]:
        """Every part's English: what was known, and what was just translated (cached)."""
        translated = dict(zip(prepared.todo, fresh, strict=True))
        if self.cache:
            self.cache.put_many(beams, translated)
        return prepared.known | translated

    async def _translate_markup(
        self,
        texts: list[str],
        options: TranslateOptions,
        counts: TagCounts | None,
        check_shown: Callable[[str], None] | None = None,
        off_loop: OffLoop | None = None,
        before: Callable[[], Awaitable[None]] | None = None,
    ) -> list[TranslationResult]:
        """Markup: blocks translated as sentences, inline tags placed back (pipeline/html).
        The limits apply to the markup as sent, or (documents: `check_shown`) to the text
        its blocks hold."""
        off_loop = off_loop or _off_loop
        if check_shown is None:
            await off_loop(lambda: self.limits.check(texts), sum(len(t) for t in texts))

        async def translate(parts: list[str]) -> list[TranslationResult]:
            if before is not None:  # a document's text is counted by now: its quota is held
                await before()
            return await self._translate(parts, options, checked=True, off_loop=off_loop)

        return await translate_html(
            texts,
            translate,
            off_loop,
            options.ignore_tags,
            counts,
            options.attributes,
            check_shown,
        )

    async def _summarize(self, sentences: list[str], options: SummaryOptions) -> SummaryResult:
        summarizer = self.engines.need_summarizer()
        with tracing.span("summary", **{"roen.sentences": len(sentences)}):
            return await self.engines.scheduler.run(
                lambda: summarizer.summarize(sentences, max_sentences=options.max_sentences),
                weight=max(1, len(sentences)),
                timeout_s=self._remaining(),
            )

    # --- the deadline ---------------------------------------------------------------------
    async def _within_deadline(self, call: Callable[[], Awaitable[T]]) -> T:
        if self.timeout_s is None:
            return await call()
        try:
            with anyio.fail_after(self.timeout_s):
                return await call()
        except TimeoutError:
            raise self._timeout() from None

    def _timeout(self) -> RequestTimeout:
        return RequestTimeout(
            f"The request did not finish within {self.timeout_s:g} s "
            "(ROEN_REQUEST_TIMEOUT_S). Send shorter texts or retry when the server is "
            "less busy."
        )

    def _remaining(self) -> float | None:
        """The scheduler drops a row once the request's deadline has passed."""
        deadline = anyio.current_effective_deadline()
        return None if math.isinf(deadline) else max(0.0, deadline - anyio.current_time())


def document_caps(settings: Settings) -> DocumentCaps:
    return DocumentCaps(
        max_unpacked_bytes=settings.max_document_unpacked_bytes,
        max_parts=settings.max_document_parts,
        max_tags=settings.max_document_tags,
        max_pieces=settings.max_document_pieces,
        max_chars=settings.max_chars,
    )


def headline_of(result: TranslationResult) -> str:
    return headline(result.segments[0].translation) if result.segments else ""


async def _off_loop(fn: Callable[[], T], size: int) -> T:
    """CPU work off the event loop — unless it is smaller than the hop (INLINE_CHARS)."""
    if size <= INLINE_CHARS:
        return fn()
    return await anyio.to_thread.run_sync(fn)


class Progress:
    """A streamed call under way. `events()` yields each segment as it is done, in document
    order across the texts, then the outcome: the results, or the digest. Leaving the loop
    early (the client went away) drops the call's queued sentences."""

    ticket: Ticket

    def __init__(
        self,
        pipeline: Pipeline,
        prepared: Prepared,
        beams: int,
        summary: SummaryOptions | None,
        deadline: float | None,
    ) -> None:
        self._pipeline = pipeline
        self._prepared = prepared
        self._beams = beams
        self._summary = summary
        self._deadline = deadline
        self._english = dict(prepared.known)
        self._docs = assemblers(prepared, pipeline.detector.not_romanian)
        self._doc = 0
        self._news = asyncio.Event()
        self.total = sum(doc.total for doc in self._docs)

    def arrived(self, index: int, english: str) -> None:
        """The scheduler's callback, on this loop: one more row is done."""
        self._english[self._prepared.todo[index]] = english
        self._news.set()

    def wake(self) -> None:
        self._news.set()

    async def events(self) -> AsyncGenerator[SegmentDone | Finished, None]:
        done = 0
        try:
            while True:
                # Cleared before draining, and `settled` read before it: rows that arrive
                # while a segment is being sent (a slow client) wake the next pass.
                self._news.clear()
                settled = self.ticket.done()
                for text_index, segment in self._ready():
                    done += 1
                    yield SegmentDone(text_index, done - 1, segment, self.total)
                if self._doc == len(self._docs):
                    break
                if settled:  # every row had arrived before the drain: the job failed
                    await self.ticket.result()  # raises its error
                    raise RuntimeError("the scheduler finished a job without all its rows")
                await self._wait(self._news.wait())
            fresh = await self._wait(self.ticket.result())
            self._pipeline._learn(self._prepared, self._beams, fresh)
            results = [doc.result() for doc in self._docs]
            if self._summary is None:
                yield Finished(results, None)
                return
            english = [s.translation for s in results[0].segments]
            summary = await self._wait(
                self._pipeline._summarize(english[1:] or english, self._summary)
            )
            yield Finished(results, Digest(headline_of(results[0]), results[0], summary))
        finally:
            self.ticket.cancel()  # a no-op once done; otherwise the queued rows leave now

    def _ready(self) -> Iterator[tuple[int, Segment]]:
        while self._doc < len(self._docs):
            for segment in self._docs[self._doc].ready(self._english):
                yield self._doc, segment
            if len(self._docs[self._doc].segments) < self._docs[self._doc].total:
                return
            self._doc += 1

    async def _wait(self, call: Awaitable[T]) -> T:
        if self._deadline is None:
            return await call
        try:
            with anyio.fail_after(max(0.0, self._deadline - anyio.current_time())):
                return await call
        except TimeoutError:
            raise self._pipeline._timeout() from None
