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
    # The model's own certainty, 0-1 (exp of its mean log-probability per token); null for
    # a piece kept as it was (a number, a link) or a runner without scores. docs/api.md.
    confidence: float | None = None
    alternatives: list[str] = []  # other translations, best first, when asked for

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
            segment.confidence,
            list(segment.alternatives),
        )


class CitationOut(msgspec.Struct):
    """Where one summary sentence came from: the segment (its index in `segments`), its
    Romanian, its English, its warnings and the model's confidence — to check it against."""

    segment: int
    paragraph: int
    source: str
    translation: str
    warnings: list[str]
    confidence: float | None


class SummaryOut(msgspec.Struct):
    """A digest's English summary: its headline (the first sentence's English, as a title),
    the summary as one text (plain, or Markdown with footnotes) and as its sentences (in
    article order), how it was made, and each sentence's citation (an abstractive summary
    cites none)."""

    headline: str
    summary: str
    summary_sentences: list[str]
    method: str
    # the digest's `type` as asked (named so: `type` is a stream line's own key)
    summary_type: str = "key-points"
    summary_format: str = "plain"
    citations: list[CitationOut] = []

    @classmethod
    def of(cls, digest: Digest) -> SummaryOut:
        segments = digest.translation.segments
        return cls(
            digest.headline,
            digest.summary.summary,
            list(digest.summary.sentences),
            digest.summary.method,
            digest.options.kind,
            digest.options.format,
            [
                CitationOut(
                    i,
                    segments[i].paragraph,
                    segments[i].source,
                    segments[i].translation,
                    list(segments[i].warnings),
                    segments[i].confidence,
                )
                for i in digest.summary.indices
            ],
        )


class ExtractedOut(msgspec.Struct):
    """What was taken from a page: `method` "trafilatura" (its main content) or "blocks"
    (a fragment: every block); `text` is the Romanian that was digested."""

    title: str | None
    text: str
    characters: int
    method: str
    # What the page says of itself (JSON-LD, OpenGraph, meta tags; never guessed from prose)
    author: str | None = None
    published: str | None = None  # ISO 8601
    site_name: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    url: str | None = None  # a linked page: where it was fetched from, after redirects

    @classmethod
    def of(cls, found: Extracted) -> ExtractedOut:
        meta = found.meta
        return cls(
            found.title,
            found.text,
            len(found.text),
            found.method,
            meta.author if meta else None,
            meta.published if meta else None,
            meta.site_name if meta else None,
            meta.canonical_url if meta else None,
            meta.language if meta else None,
            found.url,
        )


def segments_out(results: list[TranslationResult]) -> list[SegmentOut]:
    """Every segment of every text, each saying which text it belongs to."""
    return [SegmentOut.of(s, i) for i, r in enumerate(results) for s in r.segments]


def whole_alternatives(result: TranslationResult, wanted: int) -> list[str]:
    """A text's alternatives (LibreTranslate's): the whole translation again, the k-th time
    with each sentence's k-th alternative in its place (its best where it has fewer), for
    as long as any sentence has a k-th; distinct."""
    out: list[str] = []
    for k in range(wanted):
        if not any(len(s.alternatives) > k for s in result.segments):
            break
        text, pos = [], 0
        for segment in result.segments:
            at = result.translation.find(segment.translation, pos)
            if at < 0:  # not found as it is (cannot happen: the text is joined from them)
                continue
            text.append(result.translation[pos:at])
            text.append(
                segment.alternatives[k] if len(segment.alternatives) > k else segment.translation
            )
            pos = at + len(segment.translation)
        text.append(result.translation[pos:])
        candidate = "".join(text)
        if candidate != result.translation and candidate not in out:
            out.append(candidate)
    return out


def plain(answer: msgspec.Struct) -> dict[str, Any]:
    """An answer as plain JSON values (a stream's line, a batch row, the CLI's output)."""
    out: dict[str, Any] = msgspec.to_builtins(answer)
    return out
