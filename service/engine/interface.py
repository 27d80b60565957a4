"""The small interface between the HTTP room and the model room.

The HTTP layer sees only these Protocols and plain dataclasses; tests pass fakes that
satisfy them to `create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Segment:
    """One source sentence and its English."""

    source: str
    translation: str
    paragraph: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TranslationResult:
    translation: str
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SummaryResult:
    summary: str
    sentences: list[str]
    method: str


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the engine reports about a configured model, for /v1/models and readiness."""

    role: str  # "translation" | "summary"
    name: str  # hub id or folder as configured
    loaded: bool
    path: str | None = None
    size_bytes: int | None = None
    backend: str | None = None
    error: str | None = None


class TranslationEngine(Protocol):
    model_name: str

    def translate(
        self, texts: list[str], *, beam_size: int | None = None
    ) -> list[TranslationResult]: ...


class SummaryEngine(Protocol):
    method: str

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        """Summarise English text given as its sentences (already segmented)."""
        ...


class Seq2SeqBackend(Protocol):
    """What the translator needs from a model: count tokens, translate one batch."""

    name: str
    max_input_tokens: int
    default_beam_size: int

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def generate(self, texts: list[str], *, beam_size: int) -> list[str]: ...
