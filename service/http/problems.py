"""The error tree mapped to RFC 9457 problem details, in one place.

`problem_for(err)` is the one mapping from a `RoenError` to a status, title, detail and
extra members; the JSON API's exception handlers, readiness and the web form all use it.
Every error a client can cause gets a status and a sentence it can act on; anything
unexpected is a 500 with a request id and no traceback in the body.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from service import errors
from service.telemetry import timing

log = logging.getLogger("roen.http")

PROBLEM = "application/problem+json"
TOO_MANY = "Too many requests: slow down and retry later."

# The first class in an error's MRO found here decides its status.
STATUS: dict[type[errors.RoenError], int] = {
    errors.UnsupportedMediaType: 415,
    errors.NotFound: 404,
    errors.LimitExceeded: 413,
    errors.MalformedBody: 400,
    errors.InputError: 422,
    errors.RateLimited: 429,
    errors.QuotaExceeded: 429,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.ModelError: 503,
    errors.Overloaded: 503,
    errors.RequestTimeout: 504,
    errors.ClientDisconnected: 499,  # nobody reads it; the access log records it
    errors.EngineFailure: 500,
}

DESCRIPTIONS = {
    400: "Malformed JSON or not UTF-8",
    401: "API key required",
    403: "API key not accepted",
    413: "Body, characters, texts or segments over a limit (limit and actual given)",
    415: "Content-Type is not application/json",
    422: "Body does not match the schema, or there is no text",
    429: "Rate limit reached (Retry-After), or the key's monthly quota used (limit, used)",
    500: "Engine failure or bug (request_id given)",
    503: "Model loading or missing (fix given), or overloaded (Retry-After)",
    504: "The engine did not finish in time",
}
API_ERRORS = (400, 401, 403, 413, 415, 422, 429, 500, 503, 504)


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }

    def response(self) -> Response[dict[str, Any]]:
        return Response(
            self.body(), status_code=self.status, media_type=PROBLEM, headers=self.headers
        )


def problem_for(err: errors.RoenError, **extra: Any) -> Problem:
    """The one mapping: status from the error's class, members from what it carries."""
    status = next((STATUS[c] for c in type(err).__mro__ if c in STATUS), 500)
    if (timed := timing.current()) is not None:
        timed.failure = type(err).__name__  # the request's failure, by kind, for /metrics
    headers: dict[str, str] = {}
    if isinstance(err, errors.LimitExceeded) and err.limit is not None:
        extra.update(limit=err.limit, actual=err.actual)
    if isinstance(err, errors.InvalidField):
        extra["errors"] = [{"field": err.field, "message": err.detail}]
    if isinstance(err, errors.ModelMissing):
        extra["fix"] = err.command
    if isinstance(err, errors.QuotaExceeded):
        extra.update(limit=err.limit, used=err.used, resets_at=err.resets_at)
    if err.retry_after_s is not None:
        extra["retry_after"] = err.retry_after_s
        headers["Retry-After"] = str(err.retry_after_s)
    if isinstance(err, errors.RateLimited):
        headers.update(
            {
                "RateLimit-Limit": str(err.limit),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(err.retry_after_s),
            }
        )
    if isinstance(err, errors.Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="roen"'
    return Problem(status, err.title, err.detail, extra, headers)


def status_of(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """Status, detail and headers of a roen error or a framework HTTP error, for the
    compatibility dialects, which say the same things in their own shapes."""
    if isinstance(exc, errors.RateLimited):
        # the dialects' clients read the status and Retry-After, not our wording
        return 429, TOO_MANY, dict(problem_for(exc).headers)
    if isinstance(exc, errors.RoenError):
        problem = problem_for(exc)
        return problem.status, exc.detail, dict(problem.headers)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 429:
        # As the JSON API's 429: the wait in Retry-After, which the dialects' clients read.
        headers.setdefault("Retry-After", _retry_after(headers))
        return status, TOO_MANY, headers
    return status, str(getattr(exc, "detail", "")) or "Error.", headers


def _retry_after(headers: dict[str, str]) -> str:
    """Seconds until the rate limit's window resets, from the limiter's own header."""
    return headers.get("RateLimit-Reset", "60")


def dialect_responses(body: type[Any], reasons: dict[int, str]) -> dict[int, Any]:
    """OpenAPI entries for a dialect's error bodies (its own shape, not problem details):
    status → why it is given."""
    from litestar.openapi.datastructures import ResponseSpec

    return {
        code: ResponseSpec(data_container=body, description=why, generate_examples=False)
        for code, why in reasons.items()
    }


def problem_responses(*statuses: int) -> dict[int, Any]:
    """OpenAPI entries for the problem responses a route can give (documented, not guessed)."""
    from litestar.openapi.datastructures import ResponseSpec

    from service.http.schemas import Problem as ProblemBody

    return {
        code: ResponseSpec(
            data_container=ProblemBody,
            description=DESCRIPTIONS[code],
            media_type=PROBLEM,
            generate_examples=False,  # real ones are added by service.http.openapi
        )
        for code in statuses
    }


def on_roen_error(request: Request[Any, Any, Any], exc: errors.RoenError) -> Response[Any]:
    return problem_of(request, exc).response()


def problem_of(request: Request[Any, Any, Any], exc: errors.RoenError) -> Problem:
    """`problem_for`, plus what a request adds: an engine failure is logged with the request
    id, which the client gets to quote."""
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.EngineFailure):
        extra["request_id"] = request_id(request)
        log.error("engine failure %s on %s: %s", extra["request_id"], request.url.path, exc.detail)
    return problem_for(exc, **extra)


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        # Litestar says 400 for both; a body that parsed but breaks the schema is a 422.
        fields = [
            {"field": e.get("key"), "message": e.get("message")}
            for e in (exc.extra if isinstance(exc.extra, list) else [])
            if isinstance(e, dict)
        ]
        where = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or exc.detail
        return Problem(
            422,
            "Invalid request body",
            f"The body does not match the schema ({where}).",
            {"errors": fields},
        ).response()
    if exc.status_code == 400:
        return Problem(
            400, "Malformed request", f"{exc.detail}. Send a JSON object (UTF-8)."
        ).response()
    if exc.status_code == 413:
        return body_too_large(request).response()
    if isinstance(exc, NotFoundException):
        return Problem(404, "Not found", f"No resource at {request.url.path}.").response()
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        given = str(headers.get("allow") or headers.get("Allow") or "").replace(" ", "").split(",")
        allowed = ", ".join(sorted(m for m in given if m and m != "OPTIONS"))
        return Problem(
            405,
            "Method not allowed",
            f"{request.method} is not allowed on {request.url.path}; use {allowed or 'another'}.",
            {},
            {"Allow": allowed} if allowed else {},
        ).response()
    if exc.status_code == 429:
        retry = _retry_after(headers)
        return Problem(
            429,
            "Too many requests",
            "This client has used its request quota (ROEN_RATE_LIMIT_PER_MINUTE); "
            f"retry in {retry} s.",
            {"retry_after": retry},
            {**headers, "Retry-After": retry},
        ).response()
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    return Problem(exc.status_code, title, str(exc.detail), {}, headers).response()


def body_too_large(request: Request[Any, Any, Any]) -> Problem:
    """413 for a body over ROEN_MAX_BODY_BYTES, with the limit and, when the client said
    it, the size it sent."""
    limit = request.route_handler.resolve_request_max_body_size()
    sent = request.headers.get("content-length", "")
    actual = int(sent) if sent.isdigit() else None
    size = (
        f"has {actual:,} bytes; this server accepts"
        if actual is not None
        else "is larger than this server accepts:"
    )
    return Problem(
        413,
        "Request too large",
        f"The request body {size} at most {limit:,} bytes "
        "(ROEN_MAX_BODY_BYTES). Split the text into several requests.",
        {"limit": limit, "actual": actual} if actual is not None else {"limit": limit},
    )


def request_id(request: Request[Any, Any, Any]) -> str:
    """The id the request-log middleware gave this request (made here if it did not run)."""
    return str(request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    rid = request_id(request)
    log.exception("unexpected error %s on %s", rid, request.url.path)
    return Problem(
        500,
        "Internal error",
        f"Something went wrong on our side; quote request id {rid} when reporting it.",
        {"request_id": rid},
    ).response()


EXCEPTION_HANDLERS: dict[Any, Any] = {
    errors.RoenError: on_roen_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}
