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
# A tl;dr or a teaser is a paragraph, not a list: fewer sentences for the same length.
PARAGRAPH_LENGTHS: dict[str, int] = {"short": 1, "medium": 2, "long": 3}
# What a digest is (the W3C Summarizer API's types): key points (extracted sentences, the
# default), a tl;dr (the same, fewer, as one paragraph), a teaser (the article's opening),
# or the headline alone.
DIGEST_TYPES = ("key-points", "tldr", "teaser", "headline")


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
    # Other translations of each sentence, best first (n-best from the engine; plain text)
    alternatives: int = 0


@dataclass(frozen=True, slots=True)
class SummaryOptions:
    max_sentences: int = SUMMARY_LENGTHS["short"]
    kind: str = "key-points"  # one of DIGEST_TYPES
    format: str = "plain"  # "markdown": bullets (key points) and footnotes citing the source

    @classmethod
    def of(
        cls,
        length: str,
        max_sentences: int | None = None,
        kind: str = "key-points",
        format: str = "plain",
    ) -> SummaryOptions:
        """`max_sentences` wins over the named `length` (short, medium, long)."""
        lengths = PARAGRAPH_LENGTHS if kind in ("tldr", "teaser") else SUMMARY_LENGTHS
        return cls(max_sentences or lengths[length], kind, format)


@dataclass(frozen=True, slots=True)
class Segment:
    """One source sentence and its English."""

    source: str
    translation: str
    paragraph: int
    warnings: tuple[str, ...] = ()
    path: str = ""  # markup: the block it came from, e.g. "article[1]/p[3]"
    terms: tuple[Applied, ...] = ()  # the glossary entries applied to it
    # The model's own certainty: exp(its mean log-probability per token), 0-1; None where
    # nothing was decoded (a verbatim piece) or the runner gives no score
    confidence: float | None = None
    alternatives: tuple[str, ...] = ()  # other translations, best first (when asked)


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
    summary: SummaryResult  # its `indices`: the segments of `translation` each sentence cites
    extracted: Extracted | None = None  # markup in: the article that was digested
    options: SummaryOptions = SummaryOptions()


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
