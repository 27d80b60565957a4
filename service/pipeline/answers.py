"""One shape per answer: how a segment, a summary and a page's article are written, by every
caller that writes them — the JSON API, the stream, the web form's script, the CLI and batch
(`msgspec.to_builtins` makes plain JSON of them). The OpenAPI document names these shapes.
"""

from __future__ import annotations

from typing import Any

import msgspec

from service.pipeline.types import Digest, Segment, TranslationResult
from service.text.page import Extracted


class TermOut(msgspec.Struct):
    """A glossary entry applied: the span of the segment's source it matched, and the
    English the translation holds for it, verbatim."""

    source: str
    start: int
    end: int
    entry: str
    english: str


class SegmentOut(msgspec.Struct):
    source: str
    translation: str
    paragraph: int
    text_index: int = 0
    warnings: list[str] = []
    terms: list[TermOut] = []
    # With format html: the block the sentence came from, e.g. "article[1]/p[3]".
    path: str | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(cls, segment: Segment, text_index: int = 0) -> SegmentOut:
        return cls(
            segment.source,
            segment.translation,
            segment.paragraph,
            text_index,
            list(segment.warnings),
            [TermOut(t.source, t.start, t.end, t.entry, t.english) for t in segment.terms],
            segment.path or msgspec.UNSET,
        )


class SummaryOut(msgspec.Struct):
    """A digest's English summary: its headline (the first sentence's English, as a title),
    the summary as one text and as its sentences (in article order), and how it was made."""

    headline: str
    summary: str
    summary_sentences: list[str]
    method: str

    @classmethod
    def of(cls, digest: Digest) -> SummaryOut:
        return cls(
            digest.headline,
            digest.summary.summary,
            list(digest.summary.sentences),
            digest.summary.method,
        )


class ExtractedOut(msgspec.Struct):
    """What was taken from a page: `method` "trafilatura" (its main content) or "blocks"
    (a fragment: every block); `text` is the Romanian that was digested."""

    title: str | None
    text: str
    characters: int
    method: str

    @classmethod
    def of(cls, found: Extracted) -> ExtractedOut:
        return cls(found.title, found.text, len(found.text), found.method)


def segments_out(results: list[TranslationResult]) -> list[SegmentOut]:
    """Every segment of every text, each saying which text it belongs to."""
    return [SegmentOut.of(s, i) for i, r in enumerate(results) for s in r.segments]


def plain(answer: msgspec.Struct) -> dict[str, Any]:
    """An answer as plain JSON values (a stream's line, a batch row, the CLI's output)."""
    out: dict[str, Any] = msgspec.to_builtins(answer)
    return out
