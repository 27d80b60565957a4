"""The façade: translate, summarise, digest, documents. Every caller — the JSON API, the
dialects, the web form, the CLI, batch, `roen eval` — makes one call here and shapes the
result with `service/pipeline/answers.py`.

One path for every input kind (`start`); the plain calls collect what a stream tells:
    [a page: its article extracted] → limits (a `Checked`) → encode (worker thread when
    large: normalise, layout, cache, encode once, split) → scheduler (batched with other
    requests' sentences) → Progress: [segments as they are done] → rebuild (warnings,
    terms) → [digest: headline, summary task on the scheduler's worker] → Finished
Markup goes through pipeline/html.py, whose blocks take the same path as plain text.
Cancelling the awaiting task (timeout, client gone) drops the request's queued sentences;
the deadline (ROEN_REQUEST_TIMEOUT_S) covers the whole call.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

import anyio
import anyio.to_thread

from service.documents.budget import DocumentCaps
from service.documents.formats import format_of
from service.documents.types import OffLoop, Translators
from service.errors import InputError, InvalidField
from service.fetch.errors import FetchRefused
from service.fetch.fetcher import fetch_page
from service.fetch.types import FetchedPage, FetchPolicy
from service.pipeline.cache import SentenceCache
from service.pipeline.document_jobs import DocumentJobs, bare
from service.pipeline.engines import Engines
from service.pipeline.html import TagCounts, translate_html
from service.pipeline.language import Detected, LanguageDetector
from service.pipeline.limits import Checked, Limits
from service.pipeline.progress import (
    Progress,
    RowsProgress,
    Steps,
    WholeProgress,
    by_deadline,
    remaining,
)
from service.pipeline.sentences import Encoded, encode_texts
from service.pipeline.types import (
    Digest,
    Finished,
    Stats,
    Status,
    SummaryOptions,
    TranslatedFile,
    TranslateOptions,
    TranslationResult,
)
from service.runtime.policies import corpus_scheduler
from service.settings import Settings
from service.summarize.types import SummaryResult
from service.telemetry import tracing
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


async def _off_loop(fn: Callable[[], T], size: int) -> T:
    """CPU work off the event loop — unless it is smaller than the hop (INLINE_CHARS)."""
    if size <= INLINE_CHARS:
        return fn()
    return await anyio.to_thread.run_sync(fn)


@dataclass(frozen=True, slots=True)
class _Shown:
    """A document's markup: held to the limits by the text its blocks show, once read."""

    parts: list[str]
    check: Callable[[str], None]


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
        fetching: FetchPolicy | None = None,
    ) -> None:
        self.engines = engines
        self.fetching = fetching  # None: links are not fetched (ROEN_FETCH_URLS)
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
            fetching=fetch_policy(settings),
        )

    @classmethod
    def for_files(
        cls, settings: Settings, *, summary: bool = False, limits: Limits | None = None
    ) -> Pipeline:
        """The CLI's and `roen eval`'s pipeline: loaded now (raising what failed), no
        deadline, an unbounded queue, no request limits unless given; same engine,
        scheduler and text handling."""
        engines = Engines(settings, scheduler=corpus_scheduler(settings))
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

    # --- the calls ----------------------------------------------------------------------
    async def translate(
        self,
        texts: list[str],
        options: TranslateOptions = DEFAULT_TRANSLATE,
        tag_counts: TagCounts | None = None,
    ) -> list[TranslationResult]:
        """`tag_counts`, with markup: filled with how its inline tags were placed."""
        return (await self._collect(texts, options, None, tag_counts)).results

    async def digest(
        self,
        text: str,
        options: TranslateOptions = DEFAULT_TRANSLATE,
        summary: SummaryOptions = DEFAULT_SUMMARY,
    ) -> Digest:
        """A Romanian article in; its English, a headline and an English summary out. With
        markup: a web page (or a fragment) in, its article extracted first."""
        finished = await self._collect([text], options, summary)
        assert finished.digest is not None  # a call with a summary finishes with its digest
        return finished.digest

    async def stream(
        self,
        texts: list[str],
        options: TranslateOptions = DEFAULT_TRANSLATE,
        summary: SummaryOptions | None = None,
    ) -> Progress:
        """Translate (and with `summary`, digest) as a stream. Everything that can refuse
        the request — limits, a page with no article, a model not loaded, a full queue —
        is raised here, before a client is promised anything; what goes wrong later ends
        the stream instead."""
        deadline = None if self.timeout_s is None else anyio.current_time() + self.timeout_s
        return await self.start(texts, options, summary, deadline=deadline, streamed=True)

    async def start(
        self,
        texts: list[str],
        options: TranslateOptions,
        summary: SummaryOptions | None = None,
        *,
        deadline: float | None = None,
        streamed: bool = False,
        tag_counts: TagCounts | None = None,
    ) -> Progress:
        """The one path: a call admitted and under way. `summary`: a digest of the one text
        (with markup: of the page's article)."""
        extracted = None
        if summary is not None and options.markup == "html":
            extracted = await self.extract(texts[0])
            texts, options = [extracted.text], replace(options, markup="text")
        chars = sum(len(t) for t in texts)
        steps = self._steps(_off_loop)
        if options.markup == "html":
            if options.alternatives:
                raise InvalidField(
                    "`alternatives` are given for plain text, not markup.", field="alternatives"
                )
            # Markup is translated whole before anything is told (its tags are placed once
            # its blocks are done): every refusal is raised here, before a stream begins.
            checked = await _off_loop(lambda: self.limits.check(texts), chars)
            call = self._translate_markup(checked, options, tag_counts)
            results = await (
                call if deadline is None else by_deadline(deadline, call, self.timeout_s)
            )
            return WholeProgress(steps, results, chars)
        check = partial(self.limits.check, texts)  # a bad request is told so, whatever is loaded
        return await self._rows(
            check, chars, options, steps, summary, extracted, deadline, streamed
        )

    async def detect(self, texts: list[str]) -> list[list[Detected]]:
        """The likeliest languages of each text, best first (LibreTranslate's /detect)."""

        def run() -> list[list[Detected]]:
            self.limits.check(texts)
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

    async def translate_file(
        self,
        filename: str,
        data: bytes,
        options: TranslateOptions = DEFAULT_TRANSLATE,
        on_text: Callable[[int], Awaitable[object]] | None = None,
    ) -> TranslatedFile:
        """A document (service/documents/formats.py) in, the same document in English out.
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
                checked = await job.cpu(lambda: self.limits.check_together(parts))
                await before_model()
                done = await self._translate_rows(checked, options, job.cpu)
                return [r.translation for r in done]

            def check_shown(shown: str) -> None:
                # The text in the markup, not the markup, is what counts. With none (an
                # image, code), nothing is translated and the document comes back as it came.
                if not kind.counts_text:
                    job.budget.text(shown)
                if shown.strip():
                    self.limits.check([shown])

            async def markup(parts: list[str]) -> list[str]:
                shown = _Shown(parts, check_shown)
                done = await self._translate_markup(
                    shown, html_options, None, job.cpu, before_model
                )
                return [r.translation for r in done]

            async def call() -> bytes:
                return await kind.translate(data, Translators(text, markup, job.cpu, job.budget))

            try:
                english = await self._within_deadline(call)
                return TranslatedFile(english, kind.output, job.budget.chars)
            except BaseException as err:  # a refusal, the deadline, or the client gone
                failure = bare(err)  # its frames hold the parsed document: let them go
            try:
                raise failure
            finally:
                failure = None

    async def fetch(self, url: str) -> FetchedPage:
        """A linked page (to digest), fetched under the server's policy (service/fetch:
        every address checked, the connection pinned to it, bounded in bytes and time)."""
        if self.fetching is None:
            raise FetchRefused(
                "This server does not fetch links (ROEN_FETCH_URLS is off): send the page's "
                "text or HTML instead."
            )
        with tracing.span("fetch"):
            return await fetch_page(url, self.fetching)

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
    async def _collect(
        self,
        texts: list[str],
        options: TranslateOptions,
        summary: SummaryOptions | None,
        tag_counts: TagCounts | None = None,
    ) -> Finished:
        """A plain call: the path a stream takes, its outcome collected (no segment events:
        its rows are batched shortest first and rebuilt in one go)."""

        async def call() -> Finished:
            progress = await self.start(texts, options, summary, tag_counts=tag_counts)
            finished = await progress.finished()
            if not options.detect:
                return finished
            languages = await self._languages(texts, options.markup)
            results = [
                replace(r, languages=tuple(found))
                for r, found in zip(finished.results, languages, strict=True)
            ]
            return replace(finished, results=results)

        return await self._within_deadline(call)

    async def _rows(
        self,
        check: Callable[[], Checked],
        size: int,
        options: TranslateOptions,
        steps: Steps,
        summary: SummaryOptions | None = None,
        extracted: Extracted | None = None,
        deadline: float | None = None,
        streamed: bool = False,
    ) -> RowsProgress:
        encoded = await self._encode(check, options, summary is not None, steps.off_loop, size)
        progress = RowsProgress(
            steps,
            encoded,
            summary=summary,
            extracted=extracted,
            deadline=deadline,
            streamed=streamed,
            chars=size,
        )
        progress.ticket = self.engines.scheduler.submit(
            encoded.rows,
            beam_size=encoded.beam_size,
            # a plain call's deadline is its scope's; a stream's, its own
            timeout_s=remaining()
            if deadline is None
            else max(0.0, deadline - anyio.current_time()),
            on_row=progress.arrived if streamed else None,
            hypotheses=encoded.hypotheses,
        )
        if streamed:
            progress.ticket.on_done(progress.wake)
        return progress

    async def _translate_rows(
        self, checked: Checked, options: TranslateOptions, off_loop: OffLoop
    ) -> list[TranslationResult]:
        """Pieces of a larger call (a document's, or markup's blocks), its limits held."""
        size = sum(len(t) for t in checked.texts)
        progress = await self._rows(lambda: checked, size, options, self._steps(off_loop))
        return (await progress.finished()).results

    async def _encode(
        self,
        check: Callable[[], Checked],
        options: TranslateOptions,
        for_digest: bool,
        off_loop: OffLoop,
        size: int,
    ) -> Encoded:
        """The texts `check` passes made into encoded rows (in a thread when large: the
        check and the encoding are one hop)."""

        def admit() -> Encoded:
            checked = check()
            if for_digest:
                self.engines.need_summarizer()  # fail before translating what cannot finish
            backend = self.engines.need_translator()
            encoded = encode_texts(
                checked.texts,
                backend,
                beam_size=options.beam_size or self.beam_size or backend.default_beam_size,
                max_segment_tokens=self.max_segment_tokens,
                max_parts=self.limits.max_segments,
                cache=self.cache,
                terms=options.terms,
                hypotheses=1 + options.alternatives,
            )
            if for_digest:  # its summary will read every sentence: refused now, not after
                self.limits.check_summary(sum(len(doc) for doc in encoded.sentences))
            return encoded

        with tracing.span("admission", **{"roen.characters": size}):
            return await off_loop(admit, size)

    async def _translate_markup(
        self,
        markup: Checked | _Shown,
        options: TranslateOptions,
        counts: TagCounts | None,
        off_loop: OffLoop = _off_loop,
        before: Callable[[], Awaitable[None]] | None = None,
    ) -> list[TranslationResult]:
        """Markup: blocks translated as sentences, inline tags placed back (pipeline/html).
        The limits held the markup as sent (`Checked`), or hold the text a document's
        blocks show once they are read (`_Shown`)."""
        texts = markup.texts if isinstance(markup, Checked) else markup.parts
        check_shown = markup.check if isinstance(markup, _Shown) else None

        async def translate(parts: list[str]) -> list[TranslationResult]:
            if before is not None:  # a document's text is counted by now: its quota is held
                await before()
            # The markup (or the text its blocks show) passed the limits: these are its parts.
            return await self._translate_rows(Checked(parts), options, off_loop)

        return await translate_html(
            texts,
            translate,
            off_loop,
            options.ignore_tags,
            counts,
            options.attributes,
            check_shown,
        )

    async def _languages(self, texts: list[str], markup: str) -> list[list[Detected]]:
        """Each text's likeliest languages (of its text runs, for markup)."""

        def run() -> list[list[Detected]]:
            if markup == "html":
                plain = [" ".join(r.text for r in runs(t) if r.text) for t in texts]
                return [self.detector.detect(t) for t in plain]
            return [self.detector.detect(t) for t in texts]

        return await _off_loop(run, sum(len(t) for t in texts))

    async def _summarize(self, sentences: list[str], options: SummaryOptions) -> SummaryResult:
        summarizer = self.engines.need_summarizer()
        with tracing.span("summary", **{"roen.sentences": len(sentences)}):
            return await self.engines.scheduler.run(
                lambda: summarizer.summarize(sentences, max_sentences=options.max_sentences),
                weight=max(1, len(sentences)),
                timeout_s=remaining(),
            )

    def _steps(self, off_loop: OffLoop) -> Steps:
        return Steps(
            self.cache, self.detector.not_romanian, self._summarize, self.timeout_s, off_loop
        )

    # --- the deadline ---------------------------------------------------------------------
    async def _within_deadline(self, call: Callable[[], Awaitable[T]]) -> T:
        if self.timeout_s is None:
            return await call()
        deadline = anyio.current_time() + self.timeout_s
        return await by_deadline(deadline, call(), self.timeout_s)


def fetch_policy(settings: Settings) -> FetchPolicy | None:
    if not settings.fetch_urls:
        return None
    allowed = tuple(ipaddress.ip_network(n, strict=False) for n in settings.fetch_allow_networks)
    return FetchPolicy(settings.fetch_max_bytes, settings.fetch_timeout_s, allow_networks=allowed)


def document_caps(settings: Settings) -> DocumentCaps:
    return DocumentCaps(
        max_unpacked_bytes=settings.max_document_unpacked_bytes,
        max_parts=settings.max_document_parts,
        max_tags=settings.max_document_tags,
        max_pieces=settings.max_document_pieces,
        max_chars=settings.max_chars,
    )
