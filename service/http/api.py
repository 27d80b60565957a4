"""The JSON API under /v1."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from service.engine.digest import make_digest
from service.engine.interface import TranslationResult
from service.errors import EmptyInput, InputError, LimitExceeded, UnsupportedMediaType
from service.http.access import key_id, presented_key
from service.http.deps import EnginesDep, GateDep, SettingsDep
from service.http.problems import API_ERRORS, problem_responses
from service.http.schemas import (
    SUMMARY_LENGTHS,
    DigestRequest,
    DigestResponse,
    ModelOut,
    ModelsResponse,
    SegmentOut,
    SummarizeRequest,
    SummarizeResponse,
    TranslateRequest,
    TranslateResponse,
)
from service.settings import Settings
from service.text.layout import layout


def require_json(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: Litestar would parse any body as JSON; say 415 instead of guessing."""
    ctype = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type must be application/json, not '{ctype or 'missing'}'."
        )


def check_sizes(texts: list[str], settings: Settings) -> None:
    total = sum(len(t) for t in texts)
    if total > settings.max_chars:
        raise LimitExceeded(
            f"The request holds {total:,} characters; this server accepts at most "
            f"{settings.max_chars:,} per request (ROEN_MAX_CHARS). "
            "Split the text into several requests.",
            limit=settings.max_chars,
            actual=total,
        )
    if not any(t.strip() for t in texts):
        raise EmptyInput("There is no text to process: send non-empty `text`.")
    for t in texts:
        check_characters(t)


def check_characters(text: str) -> None:
    """Control characters (NUL, escape, C1) and lone surrogates cannot be translated or
    safely echoed; refuse them by name rather than let them reach the model or a log.
    Tabs and line breaks are structure; zero-width, bidi marks and emoji pass through."""
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in "\t\n\r") or cat == "Cs":
            raise InputError(
                f"The text contains the control character U+{ord(ch):04X} at position {i}; "
                "remove it and send the text again."
            )


def note(
    request: Request[Any, Any, Any], settings: Settings, texts: list[str], segments: int
) -> None:
    """What the access log says about this request (sizes, the caller) — text only if asked."""
    request.state.chars = sum(len(t) for t in texts)
    request.state.segments = segments
    key = presented_key(request.headers)
    if key:
        request.state.key_id = key_id(key)
    if settings.log_text:
        request.state.text = texts


def segments_out(results: list[TranslationResult]) -> list[SegmentOut]:
    return [
        SegmentOut(s.source, s.translation, s.paragraph, i, list(s.warnings))
        for i, r in enumerate(results)
        for s in r.segments
    ]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _max_sentences(explicit: int | None, length: str) -> int:
    return explicit or SUMMARY_LENGTHS[length]


def json_post(path: str) -> Any:
    """A POST route taking a JSON body: 415 otherwise, every problem response documented."""
    return post(
        path, status_code=200, guards=[require_json], responses=problem_responses(*API_ERRORS)
    )


class ApiController(Controller):
    path = "/v1"
    tags = ["api"]  # noqa: RUF012 (Litestar declares it an instance attribute)

    @json_post("/translate")
    async def translate(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TranslateRequest],
        engines: EnginesDep,
        gate: GateDep,
        settings: SettingsDep,
    ) -> TranslateResponse:
        """Romanian text(s) in, English out; paragraphs and line breaks kept."""
        started = time.perf_counter()
        if (data.text is None) == (data.texts is None):
            raise EmptyInput(
                "Send exactly one of `text` (a string) or `texts` (a list of strings)."
            )
        texts = [data.text] if data.text is not None else list(data.texts or [])
        if len(texts) > settings.max_texts:
            raise LimitExceeded(
                f"{len(texts)} texts in one request; "
                f"the limit is {settings.max_texts} (ROEN_MAX_TEXTS).",
                limit=settings.max_texts,
                actual=len(texts),
            )
        check_sizes(texts, settings)
        translator = engines.need_translator()
        results = await gate.run(lambda: translator.translate(texts, beam_size=data.beam_size))
        note(request, settings, texts, sum(len(r.segments) for r in results))
        return TranslateResponse(
            model=translator.model_name,
            elapsed_ms=_ms(started),
            translation=results[0].translation if data.text is not None else None,
            translations=[r.translation for r in results] if data.texts is not None else None,
            segments=segments_out(results) if data.include_segments else None,
        )

    @json_post("/summarize")
    async def summarize(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SummarizeRequest],
        engines: EnginesDep,
        gate: GateDep,
        settings: SettingsDep,
    ) -> SummarizeResponse:
        """English text in, an English summary out (sentences in article order)."""
        started = time.perf_counter()
        check_sizes([data.text], settings)
        summarizer = engines.need_summarizer()
        sentences = [p.text for p in layout(data.text) if p.kind != "glue"]
        k = _max_sentences(data.max_sentences, data.length)
        result = await gate.run(lambda: summarizer.summarize(sentences, max_sentences=k))
        note(request, settings, [data.text], len(sentences))
        return SummarizeResponse(result.summary, result.sentences, result.method, _ms(started))

    @json_post("/digest")
    async def digest(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DigestRequest],
        engines: EnginesDep,
        gate: GateDep,
        settings: SettingsDep,
    ) -> DigestResponse:
        """A Romanian article in; its English translation, a summary and a headline out."""
        started = time.perf_counter()
        check_sizes([data.text], settings)
        translator, summarizer = engines.need_translator(), engines.need_summarizer()
        k = _max_sentences(data.max_sentences, data.length)
        digest = await gate.run(
            lambda: make_digest(
                translator, summarizer, data.text, max_sentences=k, beam_size=data.beam_size
            )
        )
        note(request, settings, [data.text], len(digest.translation.segments))
        return DigestResponse(
            headline=digest.headline,
            summary=digest.summary.summary,
            summary_sentences=digest.summary.sentences,
            translation=digest.translation.translation,
            method=digest.summary.method,
            model=translator.model_name,
            elapsed_ms=_ms(started),
            segments=segments_out([digest.translation]) if data.include_segments else None,
        )

    @get("/models", responses=problem_responses(401, 403, 429))
    async def models(self, engines: EnginesDep) -> ModelsResponse:
        """What is configured, what is loaded, from where, with sizes."""
        return models_response(engines)


def models_response(engines: EnginesDep) -> ModelsResponse:
    return ModelsResponse(
        ready=engines.ready,
        loading=engines.loading,
        models=[
            ModelOut(m.role, m.name, m.loaded, m.path, m.size_bytes, m.backend, m.error)
            for m in engines.models.values()
        ],
    )
