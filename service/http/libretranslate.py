"""The LibreTranslate dialect, for the pair ro→en: what Mastodon, Discourse, Weblate, the
`libretranslatepy` client and browser extensions speak. Implemented from the API's
documentation and the requests those clients send (not from LibreTranslate's code).

    POST /translate          q (string, or a JSON array), source ro|auto, target en,
                             format text|html, alternatives, api_key (body, form or query);
                             roen's extensions: glossary_id, glossary, do_not_translate,
                             protect (docs/glossaries.md)
    POST /translate_file     multipart file (every format roen reads), source, target, api_key
                             → {"translatedFileUrl"}; GET /download_file/<name> gives it
    POST /detect             q → [{"confidence": 0–100, "language"}], best first
    GET  /languages          [{"code", "name", "targets"}]
    GET  /frontend/settings  the keys LibreTranslate's own web page reads

    GET  /health, /spec      {"status": "ok"}; the API document

Bodies may be JSON, urlencoded or multipart; errors are {"error": "..."} with 400 (a bad
request of any kind, a missing key), 403 (a key not accepted), 429 (slow down), 503 (model
not ready), worded as LibreTranslate words them where its clients compare the strings. Same
pipeline, limits, keys, rate limits, metrics and logs as /v1.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath

from service.documents.formats import FORMATS
from service.errors import (
    Forbidden,
    InputError,
    LimitExceeded,
    NotFound,
    RateLimited,
    RoenError,
    Unauthenticated,
)
from service.http.bodies import Params, params
from service.http.calls import metered, metered_download
from service.http.deps import (
    AccessDep,
    PipelineDep,
    ServicesDep,
    SettingsDep,
)
from service.http.problems import dialect_responses, status_of
from service.http.schemas import LibreTranslateError
from service.http.terms_in import found_terms
from service.http.uploads import download, read_upload
from service.pipeline.answers import whole_alternatives
from service.pipeline.types import TranslateOptions
from service.settings import Settings

TAG = "libretranslate"
MAX_ALTERNATIVES = 3  # n-best costs a wider beam for the request's own batches
ERRORS = dialect_responses(
    LibreTranslateError,
    {
        400: "Missing or invalid field, unsupported language, malformed body, over a limit",
        403: "API key missing or not accepted",
        429: "Slow down (Retry-After)",
        500: "Engine failure",
        503: "Model loading or missing; queue full (Retry-After)",
        504: "Did not finish in time",
    },
)
LANGUAGES = [
    {"code": "ro", "name": "Romanian", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]
SOURCES = {"ro", "auto", "mo"}  # "mo": Moldovan, which is Romanian


def _texts(found: Params) -> tuple[list[str], bool]:
    """The texts, and whether they came as a list (then the answer is a list too)."""
    values = found.all("q")
    if not values:
        raise InputError("Invalid request: missing q parameter")
    if not all(isinstance(v, str) for v in values):
        raise InputError("Invalid request: q must be a string or a list of strings.")
    return [str(v) for v in values], "q" in found.lists


def _post(path: str, summary: str) -> Any:
    """A POST route of this dialect: 200, its tag, its error shapes documented."""
    return post(path, tags=[TAG], status_code=200, summary=summary, responses=ERRORS)


def _pair(found: Params) -> str:
    """The source (ro or auto), once the pair is checked to be Romanian→English. Both are
    required and the refusals are worded as LibreTranslate words them: its clients and its
    own tests compare the strings (roen's pair is in /languages)."""
    for name in ("source", "target"):
        if not found.one(name):
            raise InputError(f"Invalid request: missing {name} parameter")
    source = str(found.one("source")).lower()
    target = str(found.one("target")).lower()
    if source not in SOURCES:
        raise InputError(f"{source} is not supported")
    if target.split("-")[0] != "en":
        raise InputError(f"{target} is not supported")
    return source


def _format(found: Params) -> str:
    given = found.one("format") or "text"
    if given.lower() not in ("text", "html"):
        raise InputError(f"{given} format is not supported")
    return given.lower()


@_post("/translate", "Translate (LibreTranslate)")
async def translate(request: Request[Any, Any, Any], services: ServicesDep) -> dict[str, Any]:
    """LibreTranslate's /translate: `q` a string or an array; `source` ro or auto, `target` en."""
    found = await params(request)
    caller = await services.access.admit(request, found)
    texts, as_list = _texts(found)
    alternatives = found.one("alternatives", "0") or "0"
    if not (alternatives.isascii() and alternatives.isdigit() and len(alternatives) <= 3):
        raise InputError("Invalid request: alternatives parameter is not a number")
    wanted = int(alternatives)
    if wanted > MAX_ALTERNATIVES:
        raise InputError(f"Invalid request: too many alternatives ({wanted} > {MAX_ALTERNATIVES})")
    source = _pair(found)
    markup = _format(found)
    options = TranslateOptions(
        markup=markup,
        terms=await found_terms(services.glossaries, caller.name, found),
        detect=source == "auto",
        alternatives=wanted if markup == "text" else 0,  # as LibreTranslate: text only
    )
    call = services.pipeline.translate(texts, options)
    results = await metered(request, services.access, sum(len(t) for t in texts), call)
    out = [r.translation for r in results]
    body: dict[str, Any] = {"translatedText": out if as_list else out[0]}
    if source == "auto":
        languages = [
            {"confidence": round(d[0].confidence * 100, 1), "language": d[0].language}
            if d
            else {"confidence": 0.0, "language": "ro"}
            for d in (r.languages for r in results)
        ]
        body["detectedLanguage"] = languages if as_list else languages[0]
    if wanted > 0:  # each text again with its sentences' n-best (none for markup)
        others = [whole_alternatives(r, wanted) for r in results]
        body["alternatives"] = others if as_list else others[0]
    request.state.chars = sum(len(t) for t in texts)
    request.state.segments = sum(len(r.segments) for r in results)
    return body


@_post("/detect", "Detect the language (LibreTranslate)")
async def detect(
    request: Request[Any, Any, Any], pipeline: PipelineDep, access: AccessDep
) -> list[dict[str, Any]]:
    found = await params(request)
    await access.admit(request, found)
    texts, _ = _texts(found)
    (best,) = await pipeline.detect(texts[:1])
    return [{"confidence": round(d.confidence * 100, 1), "language": d.language} for d in best]


@_post("/translate_file", "Translate a document (LibreTranslate)")
async def translate_file(request: Request[Any, Any, Any], services: ServicesDep) -> dict[str, Any]:
    """LibreTranslate's /translate_file: multipart `file` (any format roen reads),
    `source` ro or auto, `target` en → `translatedFileUrl`, where the English document
    waits (GET, no key needed: the name holds a random token) for 30 minutes."""
    found = await params(request)
    caller = await services.access.admit(request, found)
    _pair(found)
    filename, data = await read_upload(found, services.settings)
    options = TranslateOptions(terms=await found_terms(services.glossaries, caller.name, found))
    _, name = await metered_download(
        request,
        services.access,
        services.downloads,
        lambda on_text: services.pipeline.translate_file(filename, data, options, on_text=on_text),
        filename,
    )
    return {"translatedFileUrl": f"{_own_base(request, services.settings)}/download_file/{name}"}


def _own_base(request: Request[Any, Any, Any], settings: Settings) -> str:
    """Where this server is reached: ROEN_PUBLIC_URL, else the address the connection
    arrived at (the socket's, not the `Host` header, which any client can set), else
    nothing (a URL relative to this server)."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    server = request.scope.get("server")
    if not server or server[1] is None:
        return ""
    host, port = server
    host = f"[{host}]" if ":" in host else host
    scheme = request.scope.get("scheme", "http")
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


@get(
    "/download_file/{name:str}",
    tags=[TAG],
    summary="Download a translated document",
    responses={
        400: ERRORS[400],
        **dialect_responses(
            LibreTranslateError,
            {404: "No such document here (expired, or translated by another replica)"},
        ),
    },
)
async def download_file(
    request: Request[Any, Any, Any], name: FromPath[str], services: ServicesDep
) -> Response[Any]:
    # No key needed (the name holds a random token), but counted like any call to the store.
    await services.access.admit(request, await params(request), form=False, need_key=False)
    found = await services.downloads.get(name)
    if found is None:
        raise NotFound(
            "No such translated document: it was translated more than 30 minutes ago (or "
            "never). Translate the file again."
        )
    data, kind = found
    return download(data, kind, name.split(".", 1)[-1])


@get("/languages", tags=[TAG], summary="Languages (LibreTranslate)")
async def languages() -> list[dict[str, Any]]:
    """Romanian → English. (Discourse and libretranslatepy send a form body even on GET: it
    is not read.)"""
    return LANGUAGES


@get("/frontend/settings", tags=[TAG], summary="Frontend settings (LibreTranslate)")
async def frontend_settings(settings: SettingsDep, access: AccessDep) -> dict[str, Any]:
    required = await access.required()
    return {
        "charLimit": settings.max_chars,
        "frontendTimeout": 500,
        "apiKeys": required,
        "keyRequired": required,
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(FORMATS),
        "language": {
            "source": {"code": "ro", "name": "Romanian"},
            "target": {"code": "en", "name": "English"},
        },
    }


# LibreTranslate answers every failure with {"error": ...} and few statuses.
_STATUS = {401: 403, 413: 400, 415: 400, 422: 400}  # (404 stays: a download that is gone)


def on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """roen's errors in LibreTranslate's statuses and, where its clients compare them, its
    words."""
    status, detail, headers = status_of(exc)
    headers.pop("WWW-Authenticate", None)
    if isinstance(exc, Unauthenticated):  # LibreTranslate: 400 without a key, 403 a wrong one
        status, detail = 400, "Please contact the server operator to get an API key"
    if isinstance(exc, Forbidden):
        detail = "Invalid API key"
    if isinstance(exc, RateLimited):  # its limiter's words
        detail = f"Slowdown: {exc.limit} per 1 minute"
    if isinstance(exc, LimitExceeded) and exc.actual is not None and exc.limit is not None:
        detail = f"Invalid request: request ({exc.actual}) exceeds text limit ({exc.limit})"
    return Response({"error": detail}, status_code=_STATUS.get(status, status), headers=headers)


@get("/health", tags=[TAG], summary="Health (LibreTranslate)")
async def health() -> dict[str, str]:
    """LibreTranslate's liveness answer (roen's own: /health/live, /health/ready)."""
    return {"status": "ok"}


@get("/spec", tags=[TAG], summary="The API document (LibreTranslate's /spec)")
async def spec(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The OpenAPI document, where LibreTranslate's clients look for it."""
    return dict(request.app.openapi_schema.to_schema())


def router() -> Router:
    return Router(
        "/",
        route_handlers=[
            translate,
            translate_file,
            download_file,
            health,
            spec,
            detect,
            languages,
            frontend_settings,
        ],
        exception_handlers={RoenError: on_error, HTTPException: on_error},
    )
