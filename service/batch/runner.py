"""The batch run: records through the service's own pipeline, many at once, so that the
scheduler batches sentences of many articles together by token budget (the point of a
corpus run: the engine's own batch throughput, not one article at a time).

    records (streamed) → window of WINDOW records in flight → digest each (scheduler batches
    across all of them) → rows in input order → chunk files (write-then-rename) → OUTPUT

Memory is bounded by the window, not the corpus. One bad record becomes an error row; the
run goes on. The same `process` serves the local run and each Ray actor.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.batch.output import ChunkedOutput
from service.batch.records import Fields, Record, read_records
from service.errors import NotRomanian, RoenError
from service.pipeline.answers import SegmentOut, SummaryOut, plain
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import Digest, SummaryOptions, TranslateOptions, TranslationResult
from service.settings import Settings

WINDOW = 64  # records in flight: enough sentences to fill batches, few enough to bound memory
CHUNK = 256  # records per chunk file: what a crash can cost, at most


@dataclass(frozen=True, slots=True)
class BatchOptions:
    fields: Fields = field(default_factory=Fields)
    summary: SummaryOptions = field(default_factory=SummaryOptions)
    segments: bool = False
    digest: bool = True  # False: translations only (no headline or summary; no embedder loaded)
    window: int = WINDOW
    chunk: int = CHUNK
    shard: tuple[int, int] = (0, 1)  # (index, count): this run takes records index, +count, …
    translate: TranslateOptions = field(default_factory=TranslateOptions)  # --glossary


@dataclass(slots=True)
class Totals:
    records: int = 0
    errors: int = 0
    skipped: int = 0
    tokens: int = 0
    seconds: float = 0.0


async def process(
    pipeline: Pipeline, records: Iterable[Record], options: BatchOptions
) -> AsyncIterator[dict[str, Any]]:
    """Each record's output row, in input order, with at most `options.window` in flight."""
    flight: deque[asyncio.Task[dict[str, Any]]] = deque()
    for record in records:
        flight.append(asyncio.ensure_future(_one(pipeline, record, options)))
        if len(flight) >= options.window:
            yield await flight.popleft()
    while flight:
        yield await flight.popleft()


async def _one(pipeline: Pipeline, record: Record, options: BatchOptions) -> dict[str, Any]:
    try:
        if record.error is not None:
            raise record.error
        assert record.text is not None
        if pipeline.detector.not_romanian(record.text):  # before spending the model on it
            raise NotRomanian(f"Record {record.id} is not in Romanian.")
        if not options.digest:
            (translation,) = await pipeline.translate([record.text], options.translate)
            return translation_row(record.id, translation, options.segments)
        digest = await pipeline.digest(record.text, options.translate, options.summary)
    except RoenError as err:
        return error_row(record.id, err)
    return digest_row(record.id, digest, options.segments)


def digest_row(rid: str, digest: Digest, segments: bool) -> dict[str, Any]:
    return translation_row(rid, digest.translation, segments, plain(SummaryOut.of(digest)))


def translation_row(
    rid: str,
    translation: TranslationResult,
    segments: bool,
    summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": rid,
        "translation": translation.translation,
        **(summary or {}),
        "warnings": sorted({w for s in translation.segments for w in s.warnings}),
    }
    if segments:
        row["segments"] = [plain(SegmentOut.of(s)) for s in translation.segments]
    return row


def error_row(rid: str, err: RoenError) -> dict[str, Any]:
    return {
        "id": rid,
        "error": {"type": type(err).__name__, "title": err.title, "detail": err.detail},
    }


def run_local(
    settings: Settings,
    source: Path,
    target: Path,
    options: BatchOptions,
    progress: Callable[[Totals], None] | None = None,
    pipeline: Pipeline | None = None,
) -> Totals:
    """The whole run on this machine: resumes from what `target` already holds. `pipeline`:
    the service's, loaded from `settings`, unless one is given (tests)."""
    output = ChunkedOutput(target)
    done = output.done_ids()
    totals = Totals(skipped=len(done))
    pipeline = pipeline or Pipeline.for_batch(settings, digest=options.digest)
    started = time.perf_counter()

    def todo() -> Iterable[Record]:
        index, count = options.shard
        for position, record in enumerate(read_records(source, options.fields)):
            if position % count == index and record.id not in done:
                yield record

    async def main() -> None:
        chunks = output.writer(options.chunk)
        async for row in process(pipeline, todo(), options):
            chunks.add(row)
            totals.records, totals.errors = chunks.written, chunks.errors
            totals.tokens = pipeline.stats().generated_tokens
            totals.seconds = time.perf_counter() - started
            if progress:
                progress(totals)
        chunks.flush()

    try:
        asyncio.run(main())
    finally:
        pipeline.engines.close()
    output.finish()
    totals.seconds = time.perf_counter() - started
    return totals


def print_progress(every_s: float = 1.0) -> Callable[[Totals], None]:
    """A one-line progress report on stderr: records, errors, records/s, tokens/s."""
    last = 0.0

    def report(t: Totals) -> None:
        nonlocal last
        if t.seconds - last < every_s:
            return
        last = t.seconds
        sys.stderr.write(
            f"\r{t.records:,} records ({t.errors:,} errors, {t.skipped:,} done before) · "
            f"{t.records / t.seconds:,.1f} records/s · {t.tokens / t.seconds:,.0f} tokens/s "
        )
        sys.stderr.flush()

    return report
