"""A Romanian article → its English, a headline and an English summary, in one call."""

from __future__ import annotations

from dataclasses import dataclass

from service.engine.interface import (
    SummaryEngine,
    SummaryResult,
    TranslationEngine,
    TranslationResult,
)


@dataclass(frozen=True, slots=True)
class Digest:
    headline: str
    translation: TranslationResult
    summary: SummaryResult


def make_digest(
    translator: TranslationEngine,
    summarizer: SummaryEngine,
    text: str,
    *,
    max_sentences: int,
    beam_size: int | None = None,
) -> Digest:
    result = translator.translate([text], beam_size=beam_size)[0]
    english = [s.translation for s in result.segments]
    headline = english[0] if english else ""
    # The headline is returned on its own; summarising the rest avoids repeating it.
    body = english[1:] or english
    return Digest(headline, result, summarizer.summarize(body, max_sentences=max_sentences))
