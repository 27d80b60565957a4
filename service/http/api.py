"""The JSON API under /v1. Each handler: parse → one pipeline call → shape the response."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from service.accounts.callers import Caller
from service.accounts.usage import resets_at
from service.errors import InvalidField, UnsupportedMediaType
from service.http.bodies import check_json, params
from service.http.calls import (
    digest_billed,
    metered,
    metered_file,
    stream_started,
    until_disconnect,
)
from service.http.deps import AccessDep, PipelineDep, ServicesDep
from service.http.problems import API_ERRORS, problem_responses
from service.http.schemas import (
    DigestRequest,
    DigestResponse,
    ModelsResponse,
    SummarizeRequest,
    SummarizeResponse,
    TermsIn,
    TranslateRequest,
    TranslateResponse,
    UsageResponse,
)
from service.http.streaming import stream, wants_stream
from service.http.terms_in import found_terms, request_terms
from service.http.uploads import english_download, read_upload
from service.pipeline.answers import ExtractedOut, SummaryOut, segments_out
from service.pipeline.types import Digest, SummaryOptions, TranslateOptions, TranslationResult
from service.settings import Settings
from service.terms.apply import Terms
from service.terms.book import GlossaryBook
from service.text.page import Extracted


class JsonRequest(Request[Any, Any, Any]):
    """/v1's requests: the JSON body decoded once, strictly, into its route's schema
    (`opt["body"]`); the guard that refuses a bad body and Litestar's `data` share it."""

    __slots__ = ("_decoded",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decoded: Any = None

    async def json(self) -> Any:
        if self._decoded is None:
            self._decoded = check_json(await self.body(), self.route_handler.opt.get("body"))
        return self._decoded


async def require_json(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a JSON content type (Litestar would parse any body as JSON: 415 instead of
    guessing), and a body its route can take (400 or 422 with the reason otherwise).
    Async: a sync guard would cost every request a hop to a worker thread."""
    ctype = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type must be application/json, not '{ctype or 'missing'}'."
        )
    if isinstance(connection, Request):
        await connection.json()


def note(
    request: Request[Any, Any, Any], settings: Settings, texts: list[str], segments: int
) -> None:
    """What the access log says about this request (sizes; the caller's key hash is noted
    where the key is checked) — text only if asked."""
    request.state.chars = sum(len(t) for t in texts)
    request.state.segments = segments
    if settings.log_text:
        request.state.text = texts


async def terms_of(
    request: Request[Any, Any, Any], glossaries: GlossaryBook, data: TermsIn
) -> Terms:
    """The request's glossary, do-not-translate terms and protected spans, for its caller."""
    caller: Caller = request.state.caller
    return await request_terms(
        glossaries,
        caller.name,
        glossary_id=data.glossary_id,
        glossary=data.glossary,
        do_not_translate=data.do_not_translate,
        protect=data.protect,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def json_post(path: str, body: type[Any]) -> Any:
    """A POST route taking a JSON `body`: 415 otherwise, checked strictly before Litestar
    decodes it, every problem response documented."""
    return post(
        path,
        status_code=200,
        guards=[require_json],
        responses=problem_responses(*API_ERRORS),
        opt={"body": body},
    )


class ApiController(Controller):
    path = "/v1"
    request_class = JsonRequest
    tags = ["api"]  # noqa: RUF012 (Litestar declares it an instance attribute)

    @json_post("/translate", TranslateRequest)
    async def translate(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TranslateRequest],
        services: ServicesDep,
    ) -> TranslateResponse:
        """Romanian text(s) in, English out; paragraphs and line breaks kept.

        With `Accept: application/x-ndjson`, a stream: one JSON line per segment as it is
        done, in document order, then `done` with this body (see the README)."""
        started = time.perf_counter()
        if (data.text is None) == (data.texts is None):
            field = "texts" if data.text is not None else "text"
            raise InvalidField(
                "Send exactly one of `text` (a string) or `texts` (a list of strings)"
                + (", not both." if data.text is not None else "."),
                field=field,
            )
        texts = [data.text] if data.text is not None else list(data.texts or [])
        options = TranslateOptions(
            data.beam_size,
            markup=data.format,
            attributes=data.translate_attributes,
            terms=await terms_of(request, services.glossaries, data),
            alternatives=data.alternatives,
        )

        def respond(results: list[TranslationResult]) -> TranslateResponse:
            note(request, services.settings, texts, sum(len(r.segments) for r in results))
            return TranslateResponse(
                model=services.pipeline.model_name,
                elapsed_ms=_ms(started),
                translation=results[0].translation if data.text is not None else None,
                translations=[r.translation for r in results] if data.texts is not None else None,
                # alternatives are given per segment: asking for them brings the segments
                segments=segments_out(results)
                if data.include_segments or data.alternatives
                else None,
                warnings=[list(r.warnings) for r in results]
                if any(r.warnings for r in results)
                else None,
            )

        chars = sum(len(t) for t in texts)
        if wants_stream(request):
            charge = await services.access.hold(request, chars)
            progress = await stream_started(
                request, charge, services.pipeline.stream(texts, options)
            )
            return stream(
                request,
                progress,
                services.pipeline.model_name,
                lambda f: respond(f.results),
                charge,
            )
        return respond(
            await metered(
                request, services.access, chars, services.pipeline.translate(texts, options)
            )
        )

    @post(
        "/translate/file",
        status_code=200,
        responses=problem_responses(*API_ERRORS),
        summary="Translate a document",
    )
    async def translate_file(
        self, request: Request[Any, Any, Any], services: ServicesDep
    ) -> Response[Any]:
        """A document in (multipart/form-data, field `file`: any format of
        service/documents/formats.py; optional `beam_size`), the same document in English
        out (a PDF's as Word), as a download named `<name>.en.<ext>`. Its structure is
        kept: HTML tags, Markdown syntax, runs and their formatting, subtitle timings. 415
        for any other type, 422 for a damaged file;
        its text is held to the same limits as a request's."""
        started = time.perf_counter()
        found = await params(request)
        filename, data = await read_upload(found, services.settings)
        beams = found.one("beam_size")
        if beams is not None and not (beams.isascii() and beams.isdigit() and 1 <= int(beams) <= 8):
            raise InvalidField("`beam_size` must be a whole number from 1 to 8.", field="beam_size")
        caller: Caller = request.state.caller
        terms = await found_terms(services.glossaries, caller.name, found)
        options = TranslateOptions(int(beams) if beams else None, terms=terms)
        done = await metered_file(
            request,
            services.access,
            lambda on_text: services.pipeline.translate_file(filename, data, options, on_text),
        )
        request.state.chars = done.chars
        response = english_download(done.data, done.kind, filename)
        response.headers["X-Elapsed-Ms"] = str(_ms(started))
        return response

    @json_post("/summarize", SummarizeRequest)
    async def summarize(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SummarizeRequest],
        services: ServicesDep,
    ) -> SummarizeResponse:
        """English text in, an English summary out (sentences in article order)."""
        started = time.perf_counter()
        options = SummaryOptions.of(data.length, data.max_sentences)
        call = services.pipeline.summarize(data.text, options)
        result = await metered(request, services.access, len(data.text), call)
        note(request, services.settings, [data.text], len(result.sentences))
        return SummarizeResponse(result.summary, result.sentences, result.method, _ms(started))

    @json_post("/digest", DigestRequest)
    async def digest(
        self, request: Request[Any, Any, Any], data: JSONBody[DigestRequest], services: ServicesDep
    ) -> DigestResponse:
        """A Romanian article in; its English translation, a summary and a headline out.

        With `Accept: application/x-ndjson`, a stream: one JSON line per segment as it is
        done, then the summary, then `done` with this body (see the README)."""
        started = time.perf_counter()
        if (data.text is None) == (data.url is None):
            raise InvalidField(
                "Send exactly one of `text` (the article) or `url` (a page to fetch)"
                + (", not both." if data.text is not None else "."),
                field="url" if data.text is not None else "text",
            )
        terms = await terms_of(request, services.glossaries, data)
        text, markup, link = data.text or "", data.format, None
        if data.url is not None:  # fetched before anything is held: a refusal costs nothing
            page = await until_disconnect(request, services.pipeline.fetch(data.url))
            text, link = page.text, page.final_url
            markup = page.markup
        options = TranslateOptions(data.beam_size, markup=markup, terms=terms)
        summary = SummaryOptions.of(data.length, data.max_sentences, data.type, data.summary_format)

        def respond(digest: Digest | None) -> DigestResponse:
            assert digest is not None  # a digest's call always finishes with one
            found = replace(digest.extracted, url=link) if digest.extracted else None
            if found is None and link is not None:  # a plain-text page: all of it was read
                found = Extracted(None, text, "text", url=link)
            note(request, services.settings, [text], len(digest.translation.segments))
            return DigestResponse(
                **msgspec.structs.asdict(SummaryOut.of(digest)),
                translation=digest.translation.translation,
                model=services.pipeline.model_name,
                elapsed_ms=_ms(started),
                segments=segments_out([digest.translation]) if data.include_segments else None,
                warnings=list(digest.translation.warnings) or None,
                extracted=ExtractedOut.of(found) if found else None,
            )

        # Held on what was sent; billed on what was translated (a page's article, not its
        # markup), streamed or not.
        if wants_stream(request):
            charge = await services.access.hold(request, len(text))
            starting = services.pipeline.stream([text], options, summary)
            progress = await stream_started(request, charge, starting)
            return stream(
                request, progress, services.pipeline.model_name, lambda f: respond(f.digest), charge
            )
        call = services.pipeline.digest(text, options, summary)
        digest = await metered(request, services.access, len(text), call, digest_billed(text))
        return respond(digest)

    @get("/models", responses=problem_responses(401, 403, 429))
    async def models(self, pipeline: PipelineDep) -> ModelsResponse:
        """What is configured, what is loaded, from where, with sizes."""
        return ModelsResponse.of(pipeline.status())

    @get("/usage", responses=problem_responses(401, 403, 429))
    async def usage(self, request: Request[Any, Any, Any], access: AccessDep) -> UsageResponse:
        """The calling key's characters this month, its quota and when it resets (a key
        reads only its own; without a key, what all callers without one used)."""
        caller: Caller = request.state.caller
        account = caller.account
        return UsageResponse(
            key=caller.name,
            characters=await access.accounts.usage.used(caller.name),
            character_limit=account.characters_per_month if account else None,
            requests_per_minute=(account.requests_per_minute if account else None)
            or access.accounts.per_minute
            or None,
            resets_at=resets_at(),
        )
