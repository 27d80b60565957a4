"""Request ids and one structured access-log line per request.

The id comes from a valid `X-Request-ID` header or is made here; it is echoed in the
response header, in 500 problem bodies and in the log line. The line carries route, status,
milliseconds, and what the handler recorded (characters, segments, the caller's key id) —
never the text itself unless ROEN_LOG_TEXT is on.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.telemetry import timing, tracing
from service.telemetry.timing import RequestTiming

log = logging.getLogger("roen.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SLASHES = re.compile(r"/{2,}")


class Observer(Protocol):
    def observe(self, route: str, status: int, seconds: float) -> None: ...

    def finished(self, timing: RequestTiming, state: dict[str, Any], status: int) -> None: ...


def request_middleware(observer: Observer) -> Callable[[ASGIApp], ASGIApp]:
    """Request id, timing headers, access-log line, and the request's metrics."""
    return lambda app: _wrap(app, observer)


def _wrap(app: ASGIApp, observer: Observer) -> ASGIApp:
    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if "//" in scope["path"]:  # clients that join "https://host/" + "/translate"
            scope["path"] = _SLASHES.sub("/", scope["path"])
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        timed = timing.start()  # the scheduler adds the batches this request rides in
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    *_rate_headers(state.get("rate"), status),
                    *_timing_headers(timed, state),
                ]
            await send(message)

        name = f"{scope.get('method')} {scope.get('path')}"
        try:
            # the headers are decoded (for a traceparent) only when tracing is on
            with tracing.request_span(
                name, scope["headers"], **{"roen.request_id": request_id}
            ) as span:
                try:
                    await app(scope, receive, send_with_id)
                finally:
                    if span is not None:  # tracing on: the route and status, once known
                        template = str(scope.get("path_template") or scope.get("path"))
                        span.update_name(f"{scope.get('method')} {template}")
                        span.set_attribute("http.route", template)
                        span.set_attribute("http.response.status_code", status)
        finally:
            seconds = time.perf_counter() - started
            observer.observe(str(scope.get("path_template") or "other"), status, seconds)
            observer.finished(timed, state, status)
            fields = {
                "request_id": request_id,
                "method": scope.get("method"),
                "route": scope.get("path"),
                "status": status,
                "ms": round(seconds * 1000, 1),
            }
            fields.update(
                {
                    k: state[k]
                    for k in ("chars", "segments", "billed", "key_id", "text")
                    if k in state
                }
            )
            log.info("request", extra={"fields": fields})

    return handle


def _timing_headers(timed: RequestTiming, state: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """x-queue-time, x-inference-time, x-total-time, x-compute-characters, on an answer
    that did translation or digest work (model work queued, or characters billed)."""
    if timed.queued is None and "billed" not in state:
        return []
    return timed.headers(state.get("billed"))


def _rate_headers(rate: Any, status: int) -> list[tuple[bytes, bytes]]:
    """RateLimit-Limit / -Remaining / -Reset (IETF draft), for an admitted request."""
    if rate is None or status == 429:  # a refusal carries its own Retry-After
        return []
    return [
        (b"ratelimit-limit", str(rate.limit).encode()),
        (b"ratelimit-remaining", str(rate.remaining).encode()),
        (b"ratelimit-reset", str(rate.reset_s).encode()),
    ]
