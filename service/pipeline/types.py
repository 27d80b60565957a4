"""What the pipeline takes and gives: plain dataclasses every caller shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.documents.formats import Format
from service.models.info import ModelInfo
from service.pipeline.language import Detected
from service.runtime.scheduler import SchedulerStats
from service.summarize.types import SummaryResult
from service.terms.apply import Applied, Terms
from service.text.page import Extracted

SUMMARY_LENGTHS: dict[str, int] = {"short": 3, "medium": 5, "long": 8}


@dataclass(frozen=True, slots=True)
class TranslateOptions:
    beam_size: int | None = None  # None: ROEN_BEAM_SIZE, else the checkpoint's own
    markup: str = "text"  # "html": blocks translated, tags kept (service/pipeline/html.py)
    ignore_tags: frozenset[str] = frozenset()  # with markup: elements never translated
    attributes: bool = False  # with markup: alt, title, placeholder, aria-label translated
    # Glossary entries and spans kept (service/terms); by default links, e-mail, @mentions,
    # #hashtags, emoji and [X6X] placeholders are kept byte for byte.
    terms: Terms = field(default_factory=Terms)
    # Each text's likeliest languages in its result (`languages`): the dialects' "auto" source.
    detect: bool = False


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    max_sentences: int = SUMMARY_LENGTHS["short"]

    @classmethod
    def of(cls, length: str, max_sentences: int | None = None) -> SummaryOptions:
        """`max_sentences` wins over the named `length` (short, medium, long)."""
        return cls(max_sentences or SUMMARY_LENGTHS[length])


@dataclass(frozen=True, slots=True)
class Segment:
    """One source sentence and its English."""

    source: str
    translation: str
    paragraph: int
    warnings: tuple[str, ...] = ()
    path: str = ""  # markup: the block it came from, e.g. "article[1]/p[3]"
    terms: tuple[Applied, ...] = ()  # the glossary entries applied to it


@dataclass(frozen=True, slots=True)
class TranslationResult:
    translation: str
    segments: list[Segment] = field(default_factory=list)
    source: str = ""  # the input after normalisation: what `segments` and paragraphs index
    warnings: tuple[str, ...] = ()  # about the whole text ("not_romanian")
    languages: tuple[Detected, ...] = ()  # with TranslateOptions.detect: best first


@dataclass(frozen=True, slots=True)
class Digest:
    headline: str
    translation: TranslationResult
    summary: SummaryResult
    extracted: Extracted | None = None  # markup in: the article that was digested


@dataclass(frozen=True, slots=True)
class SegmentDone:
    """A streamed call's progress: segment `index` of `total` (across all texts) is done."""

    text_index: int
    index: int
    segment: Segment
    total: int


@dataclass(frozen=True, slots=True)
class Finished:
    """A streamed call's outcome: every text's result, and the digest when one was asked."""

    results: list[TranslationResult]
    digest: Digest | None
    chars: int  # the characters translated, as sent (a page's article, not its markup)


@dataclass(frozen=True, slots=True)
class Status:
    """Load state of every configured model, for readiness, /v1/models and the form."""

    ready: bool
    loading: bool
    models: list[ModelInfo]


@dataclass(frozen=True, slots=True)
class Stats:
    """Counters for /metrics and the benchmark (zeros for what is not loaded)."""

    scheduler: SchedulerStats
    generated_tokens: int = 0
    cache_hits: int = 0
    cache_misses: int = 0


@dataclass(frozen=True, slots=True)
class TranslatedFile:
    """A document in English: its bytes, its format, and the characters of text it held
    (as they occurred: what is billed)."""

    data: bytes
    kind: Format
    chars: int
