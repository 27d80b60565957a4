"""The LibreTranslate dialect, for the pair ro→en: what Mastodon, Discourse, Weblate, the
`libretranslatepy` client and browser extensions speak. Implemented from the API's
documentation and the requests those clients send (not from LibreTranslate's code).

    POST /translate          q (string, or a JSON array), source ro|auto, target en,
                             format text|html, alternatives, api_key (body, form or query)
    POST /detect             q → [{"confidence": 0–100, "language"}], best first
    GET  /languages          [{"code", "name", "targets"}]
    GET  /frontend/settings  the keys LibreTranslate's own web page reads

Bodies may be JSON, urlencoded or multipart; errors are {"error": "..."} with 400 (a bad
request of any kind), 403 (key), 429 (slow down), 503 (model not ready). Same pipeline,
limits, keys, rate limits, metrics and logs as /v1.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec

from service.errors import InputError, RoenError, Unauthenticated
from service.http.access import ApiKeyGuard, presented_key
from service.http.bodies import Params, params
from service.http.calls import until_disconnect
from service.http.deps import AccessDep, PipelineDep, SettingsDep
from service.http.problems import status_of
from service.http.schemas import LibreTranslateError
from service.pipeline.language import Detected
from service.pipeline.types import TranslateOptions, TranslationResult

TAG = "libretranslate"
ERRORS = {
    code: ResponseSpec(data_container=LibreTranslateError, description=why, generate_examples=False)
    for code, why in {
        400: "Missing or invalid field, unsupported language, malformed body, over a limit",
        403: "API key missing or not accepted",
        429: "Slow down (Retry-After)",
        500: "Engine failure",
        503: "Model loading or missing; queue full (Retry-After)",
        504: "Did not finish in time",
    }.items()
}
LANGUAGES = [
    {"code": "ro", "name": "Romanian", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]
SOURCES = {"ro", "auto", "mo"}  # "mo": Moldovan, which is Romanian


def _check_key(request: Request[Any, Any, Any], found: Params, access: ApiKeyGuard) -> None:
    if access.required:
        access.check(found.one("api_key") or presented_key(request.headers) or None)


def _texts(found: Params) -> tuple[list[str], bool]:
    """The texts, and whether they came as a list (then the answer is a list too)."""
    values = found.all("q")
    if not values:
        raise InputError("Invalid request: missing q parameter.")
    if not all(isinstance(v, str) for v in values):
        raise InputError("Invalid request: q must be a string or a list of strings.")
    return [str(v) for v in values], "q" in found.lists


@post(
    "/translate",
    tags=[TAG],
    status_code=200,
    summary="Translate (LibreTranslate)",
    responses=ERRORS,
)
async def translate(
    request: Request[Any, Any, Any], pipeline: PipelineDep, access: AccessDep
) -> dict[str, Any]:
    """LibreTranslate's /translate: `q` a string or an array; `source` ro or auto, `target` en."""
    found = await params(request)
    _check_key(request, found, access)
    texts, as_list = _texts(found)
    source = (found.one("source", "auto") or "auto").lower()
    target = (found.one("target", "en") or "en").lower()
    if source not in SOURCES:
        raise InputError(
            f"{source} is not supported: roen translates Romanian→English only (source ro or auto)."
        )
    if target.split("-")[0] != "en":
        raise InputError(
            f"{target} is not supported: roen translates Romanian→English only (target en)."
        )
    markup = "html" if (found.one("format", "text") or "text").lower() == "html" else "text"
    alternatives = found.one("alternatives", "0") or "0"
    if not (alternatives.isascii() and alternatives.isdigit() and len(alternatives) <= 3):
        raise InputError("Invalid request: alternatives must be a whole number (0–999).")

    async def work() -> tuple[list[TranslationResult], list[list[Detected]]]:
        results = await pipeline.translate(texts, TranslateOptions(markup=markup))
        if source != "auto":
            return results, []
        return results, await pipeline.detect(texts, markup=markup, checked=True)

    results, detected = await until_disconnect(request, work())
    out = [r.translation for r in results]
    body: dict[str, Any] = {"translatedText": out if as_list else out[0]}
    if source == "auto":
        languages = [
            {"confidence": round(d[0].confidence * 100, 1), "language": d[0].language}
            if d
            else {"confidence": 0.0, "language": "ro"}
            for d in detected
        ]
        body["detectedLanguage"] = languages if as_list else languages[0]
    if int(alternatives) > 0:  # roen gives one translation per text: none to offer
        body["alternatives"] = [[] for _ in texts] if as_list else []
    request.state.chars = sum(len(t) for t in texts)
    request.state.segments = sum(len(r.segments) for r in results)
    return body


@post(
    "/detect",
    tags=[TAG],
    status_code=200,
    summary="Detect the language (LibreTranslate)",
    responses=ERRORS,
)
async def detect(
    request: Request[Any, Any, Any], pipeline: PipelineDep, access: AccessDep
) -> list[dict[str, Any]]:
    found = await params(request)
    _check_key(request, found, access)
    texts, _ = _texts(found)
    (best,) = await pipeline.detect(texts[:1])
    return [{"confidence": round(d.confidence * 100, 1), "language": d.language} for d in best]


@get("/languages", tags=[TAG], summary="Languages (LibreTranslate)")
async def languages() -> list[dict[str, Any]]:
    """Romanian → English. (Discourse and libretranslatepy send a form body even on GET: it
    is not read.)"""
    return LANGUAGES


@get("/frontend/settings", tags=[TAG], summary="Frontend settings (LibreTranslate)")
async def frontend_settings(settings: SettingsDep, access: AccessDep) -> dict[str, Any]:
    required = access.required
    return {
        "charLimit": settings.max_chars,
        "frontendTimeout": 500,
        "apiKeys": required,
        "keyRequired": required,
        "suggestions": False,
        "filesTranslation": False,
        "supportedFilesFormat": [],
        "language": {
            "source": {"code": "ro", "name": "Romanian"},
            "target": {"code": "en", "name": "English"},
        },
    }


# LibreTranslate answers every failure with {"error": ...} and few statuses.
_STATUS = {401: 403, 413: 400, 415: 400, 422: 400}


def on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status, detail, headers = status_of(exc)
    headers.pop("WWW-Authenticate", None)
    if isinstance(exc, Unauthenticated):
        detail = "Please provide a valid API key (api_key)."
    return Response({"error": detail}, status_code=_STATUS.get(status, status), headers=headers)


def router() -> Router:
    return Router(
        "/",
        route_handlers=[translate, detect, languages, frontend_settings],
        exception_handlers={RoenError: on_error, HTTPException: on_error},
    )
