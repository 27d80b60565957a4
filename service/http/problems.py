"""The error tree mapped to RFC 9457 problem details, in one place.

Every error a client can cause gets a status and a sentence it can act on; anything
unexpected is a 500 with a request id and no traceback in the body.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service import errors

log = logging.getLogger("roen.http")

PROBLEM = "application/problem+json"

# Most specific first: the first class in an error's MRO found here decides.
STATUS: dict[type[errors.RoenError], int] = {
    errors.UnsupportedMediaType: 415,
    errors.LimitExceeded: 413,
    errors.EmptyInput: 422,
    errors.InputError: 422,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.ModelError: 503,
    errors.Overloaded: 503,
    errors.RequestTimeout: 504,
    errors.EngineFailure: 500,
}


def problem_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI entries for the problem responses a route can give (documented, not guessed)."""
    from litestar.openapi.datastructures import ResponseSpec

    from service.http.schemas import Problem

    return {
        code: ResponseSpec(
            data_container=Problem, description=DESCRIPTIONS[code], media_type=PROBLEM
        )
        for code in statuses
    }


DESCRIPTIONS = {
    400: "Malformed JSON or not UTF-8",
    401: "API key required",
    403: "API key not accepted",
    413: "Body, characters, texts or segments over a limit (limit and actual given)",
    415: "Content-Type is not application/json",
    422: "Body does not match the schema, or there is no text",
    429: "Rate limit reached (Retry-After)",
    500: "Engine failure or bug (request_id given)",
    503: "Model loading or missing (fix given), or overloaded (Retry-After)",
    504: "The engine did not finish in time",
}
API_ERRORS = (400, 401, 403, 413, 415, 422, 429, 500, 503, 504)


def status_for(err: errors.RoenError) -> int:
    for cls in type(err).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def on_roen_error(request: Request[Any, Any, Any], exc: errors.RoenError) -> Response[Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.LimitExceeded) and exc.limit is not None:
        extra.update(limit=exc.limit, actual=exc.actual)
    if isinstance(exc, errors.Overloaded):
        extra["retry_after"] = exc.retry_after_s
    elif isinstance(exc, errors.ModelNotReady):
        extra["retry_after"] = 5
    if isinstance(exc, errors.ModelMissing):
        extra["fix"] = exc.command
    if isinstance(exc, errors.Unauthenticated):
        response = problem(401, exc.title, exc.detail)
        response.headers["WWW-Authenticate"] = 'Bearer realm="roen"'
        return response
    if isinstance(exc, errors.EngineFailure):
        extra["request_id"] = request_id(request)
        log.error("engine failure %s on %s: %s", extra["request_id"], request.url.path, exc.detail)
    return problem(status_for(exc), exc.title, exc.detail, **extra)


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        # Litestar says 400 for both; a body that parsed but breaks the schema is a 422.
        fields = [
            {"field": e.get("key"), "message": e.get("message")}
            for e in (exc.extra if isinstance(exc.extra, list) else [])
            if isinstance(e, dict)
        ]
        where = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or exc.detail
        return problem(
            422,
            "Invalid request body",
            f"The body does not match the schema ({where}).",
            errors=fields,
        )
    if exc.status_code == 400:
        return problem(400, "Malformed request", f"{exc.detail}. Send a JSON object (UTF-8).")
    if exc.status_code == 413:
        return problem(
            413,
            "Request too large",
            "The request body is larger than this server accepts (ROEN_MAX_BODY_BYTES).",
        )
    if isinstance(exc, NotFoundException):
        return problem(404, "Not found", f"No resource at {request.url.path}.")
    if exc.status_code == 429:
        headers = dict(getattr(exc, "headers", None) or {})
        retry = headers.get("RateLimit-Reset", "60")
        response = problem(
            429,
            "Too many requests",
            "This client has used its request quota (ROEN_RATE_LIMIT_PER_MINUTE); "
            f"retry in {retry} s.",
            retry_after=retry,
        )
        response.headers.update(headers)
        return response
    headers = getattr(exc, "headers", None) or {}
    response = problem(exc.status_code, type(exc).__name__, str(exc.detail))
    response.headers.update(headers)
    return response


def request_id(request: Request[Any, Any, Any]) -> str:
    """The id the request-log middleware gave this request (made here if it did not run)."""
    return str(request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    rid = request_id(request)
    log.exception("unexpected error %s on %s", rid, request.url.path)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal error",
        f"Something went wrong on our side; quote request id {rid} when reporting it.",
        request_id=rid,
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    errors.RoenError: on_roen_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}
