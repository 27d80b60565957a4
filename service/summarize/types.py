"""What a summariser is to the rest of the service: English sentences in, a summary out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SummaryResult:
    summary: str
    sentences: list[str]
    method: str
    # Where each summary sentence came from: its index among the sentences given (an
    # extractive summary's are its own sentences; an abstractive one cites none)
    indices: list[int] = field(default_factory=list)


class SummaryEngine(Protocol):
    method: str

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        """Summarise English text given as its sentences (already segmented)."""
        ...
