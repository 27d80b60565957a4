"""A digest from a translated article: its headline, the kind of summary asked for, each
summary sentence citing the segment it came from, written plain or as Markdown.

    key-points  the summariser's sentences (extracted: each is a segment's English)
    tldr        the same, fewer, as one paragraph
    teaser      the article's opening sentences after its headline (no model work)
    headline    the headline alone

The headline is returned on its own; the other kinds are drawn from the sentences after it.
Markdown cites each sentence's Romanian source as a footnote, so a reader can check it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from service.pipeline.types import Digest, Segment, SummaryOptions, TranslationResult
from service.summarize.types import SummaryResult
from service.text.headline import headline
from service.text.page import Extracted

Summarize = Callable[[list[str], SummaryOptions], Awaitable[SummaryResult]]


def headline_of(result: TranslationResult) -> str:
    return headline(result.segments[0].translation) if result.segments else ""


async def digest_of(
    result: TranslationResult,
    options: SummaryOptions,
    summarize: Summarize,
    extracted: Extracted | None = None,
) -> Digest:
    segments = result.segments
    english = [s.translation for s in segments]
    head = headline_of(result)
    start = 1 if len(english) > 1 else 0  # after the headline, unless it is all there is
    if options.kind == "headline":
        summary = SummaryResult(head, [head] if head else [], "headline", [0] if head else [])
    elif options.kind == "teaser":
        chosen = [i for i in range(start, len(english)) if english[i].strip()]
        chosen = chosen[: options.max_sentences]
        picked = [english[i].strip() for i in chosen]
        summary = SummaryResult(" ".join(picked), picked, "lead", chosen)
    else:
        found = await summarize(english[start:], options)
        summary = replace(found, indices=[i + start for i in found.indices])
    summary = replace(summary, summary=written(summary, segments, options))
    return Digest(head, result, summary, extracted, options)


def written(summary: SummaryResult, segments: list[Segment], options: SummaryOptions) -> str:
    """The summary as one text: plain (its sentences joined), or Markdown — key points as
    bullets — with each sentence's Romanian source as its footnote."""
    if options.format != "markdown":
        return " ".join(summary.sentences)
    cited = len(summary.indices) == len(summary.sentences)  # an abstractive summary: none
    marks = [f"[^{n}]" if cited else "" for n in range(1, len(summary.sentences) + 1)]
    if options.kind == "key-points":
        body = "\n".join(f"- {s}{m}" for s, m in zip(summary.sentences, marks, strict=True))
    else:
        body = " ".join(f"{s}{m}" for s, m in zip(summary.sentences, marks, strict=True))
    if not cited or not summary.indices:
        return body
    notes = [f"[^{n}]: {segments[i].source.strip()}" for n, i in enumerate(summary.indices, 1)]
    return body + "\n\n" + "\n".join(notes)
