"""Request and response bodies. The OpenAPI document is generated from these.

Static bounds here keep a parser from being asked to hold absurd values; the configurable
limits (characters, texts, sentences) are the pipeline's (`pipeline/limits.py`: 413 or 422
before any model work). The shapes inside answers (a segment, a summary, a page's article)
are `pipeline/answers.py`'s, shared with the stream, the form, the CLI and batch.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from service.pipeline.answers import ExtractedOut, SegmentOut, SummaryOut
from service.pipeline.types import Status

BeamSize = Annotated[int, msgspec.Meta(ge=1, le=8, description="beam width; 1 = greedy")]
MaxSentences = Annotated[int, msgspec.Meta(ge=1, le=50)]
Length = Literal["short", "medium", "long"]  # 3, 5, 8 sentences (pipeline.types)
Text = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        description="Non-empty UTF-8 text; no control characters but tab and line breaks; "
        "at most ROEN_MAX_CHARS characters per request.",
    ),
]


Format = Annotated[
    Literal["text", "html"],
    msgspec.Meta(
        description="`html`: block elements and <br> end sentences, inline tags (a, b, em, "
        "span, …) come back around the words that translate them, tags and attributes are "
        'kept byte for byte, script/style/code/pre and translate="no" are not translated.'
    ),
]


class TermsIn(msgspec.Struct, kw_only=True):
    """What a request keeps (docs/glossaries.md): on top of the spans always kept (links,
    e-mail, @mentions, #hashtags, emoji, [X6X])."""

    glossary_id: (
        Annotated[
            str, msgspec.Meta(max_length=64, description="One of this key's glossaries (DeepL's)")
        ]
        | None
    ) = None
    glossary: (
        Annotated[
            dict[str, str],
            msgspec.Meta(
                max_length=10_000,
                description="Romanian term → English, matched across case, diacritics and "
                "inflection; the English appears verbatim. Wins over the stored glossary's.",
            ),
        ]
        | None
    ) = None
    do_not_translate: (
        Annotated[
            list[str],
            msgspec.Meta(max_length=10_000, description="Kept byte for byte where they occur"),
        ]
        | None
    ) = None
    protect: (
        Annotated[
            list[str],
            msgspec.Meta(
                max_length=20,
                description="Also kept: presets braces ({{x}}, {x}), printf (%s, %1$s), xnx "
                '([X1X]), shortcode (:smile:), or patterns with * wildcards ("${*}")',
            ),
        ]
        | None
    ) = None


Alternatives = Annotated[
    int,
    msgspec.Meta(
        ge=0,
        le=3,
        description="Other translations of each sentence, best first, in `segments` "
        "(plain text only; n-best from the engine, distinct)",
    ),
]


class TranslateRequest(TermsIn, forbid_unknown_fields=True):
    """Exactly one of `text` or `texts`."""

    text: Text | None = None
    texts: Annotated[list[str], msgspec.Meta(max_length=10_000)] | None = None
    beam_size: BeamSize | None = None
    include_segments: bool = False
    format: Format = "text"
    alternatives: Alternatives = 0
    translate_attributes: Annotated[
        bool,
        msgspec.Meta(
            description="With format html: translate alt, title, placeholder and "
            "aria-label values too (other attributes are never changed)."
        ),
    ] = False


class TranslateResponse(msgspec.Struct, omit_defaults=True):
    model: str
    elapsed_ms: float
    translation: str | None = None
    translations: list[str] | None = None
    segments: list[SegmentOut] | None = None
    warnings: list[list[str]] | None = None  # one list per text, when any text has one


class SummarizeRequest(msgspec.Struct, forbid_unknown_fields=True):
    """English text in. `max_sentences` wins over `length` when both are given."""

    text: Text
    max_sentences: MaxSentences | None = None
    length: Length = "short"


class SummarizeResponse(msgspec.Struct):
    summary: str
    sentences: list[str]
    method: str
    elapsed_ms: float


class DigestRequest(TermsIn, forbid_unknown_fields=True):
    """A Romanian article in; its translation, an English summary and a headline out.
    With `format: "html"`, a whole web page (or a fragment): its article is extracted first
    (title and main text, without navigation, ads or scripts) and `extracted` says what."""

    text: Text | None = None
    url: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=2048,
                description="Instead of `text`: a page the server fetches and digests "
                "(http/https; when ROEN_FETCH_URLS is on; private addresses refused)",
            ),
        ]
        | None
    ) = None
    beam_size: BeamSize | None = None
    max_sentences: MaxSentences | None = None
    length: Length = "short"
    include_segments: bool = False
    format: Literal["text", "html"] = "text"
    type: Annotated[
        Literal["key-points", "tldr", "teaser", "headline"],
        msgspec.Meta(
            description="key-points: extracted sentences (3/5/8 by `length`); tldr: fewer "
            "(1/2/3), one paragraph; teaser: the article's opening; headline: the headline"
        ),
    ] = "key-points"
    summary_format: Annotated[
        Literal["plain", "markdown"],
        msgspec.Meta(
            description="markdown: key points as bullets, each sentence's Romanian source "
            "as its footnote ([^1]); `format` is the input's (text or html)"
        ),
    ] = "plain"


class DigestResponse(SummaryOut, omit_defaults=True, kw_only=True):
    """The summary's fields (`SummaryOut`: headline, summary, summary_sentences, method),
    then the whole translation."""

    translation: str
    model: str
    elapsed_ms: float
    segments: list[SegmentOut] | None = None
    warnings: list[str] | None = None  # about the whole article ("not_romanian")
    extracted: ExtractedOut | None = None  # format html: the article taken from the page


class ModelOut(msgspec.Struct, omit_defaults=True):
    role: str
    name: str
    loaded: bool
    path: str | None = None
    size_bytes: int | None = None
    backend: str | None = None
    error: str | None = None
    revision: str | None = None  # the checkpoint's fingerprint (its runtime form's)


class UsageResponse(msgspec.Struct):
    key: str  # the key's name ("anonymous": callers without a key)
    characters: int  # billed this month (source characters of what was translated)
    character_limit: int | None  # the key's monthly quota; null: none
    requests_per_minute: int | None  # its rate limit; null: none
    resets_at: str  # when the month's count starts again (UTC, ISO 8601)


class ModelsResponse(msgspec.Struct):
    ready: bool
    loading: bool
    models: list[ModelOut]

    @classmethod
    def of(cls, status: Status) -> ModelsResponse:
        models = [
            ModelOut(m.role, m.name, m.loaded, m.path, m.size_bytes, m.backend, m.error, m.revision)
            for m in status.models
        ]
        return cls(status.ready, status.loading, models)


class Health(msgspec.Struct):
    status: str


class InfoResponse(msgspec.Struct):
    """What this replica is: TGI's /info for roen (docs/operating.md)."""

    version: str
    replica: str  # ROEN_REPLICA_ID, else the host name
    ready: bool
    models: list[ModelOut]
    limits: dict[str, float | None]  # numbers (whole ones are written as such)
    features: dict[str, bool | list[str]]
    store: str  # memory, sqlite or redis (its kind, never its address)


class LibreTranslateError(msgspec.Struct):
    error: str


class DeepLError(msgspec.Struct):
    message: str


class FieldError(msgspec.Struct):
    field: str | None
    message: str | None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details; the optional members appear where they apply."""

    type: str
    title: str
    status: int
    detail: str
    limit: int | None = None
    actual: int | None = None
    retry_after: int | str | None = None
    fix: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    models: list[ModelOut] | None = None
