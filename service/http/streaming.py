"""Streamed translate and digest: one JSON line per event, as the work is done.

A client asks with `Accept: application/x-ndjson` on /v1/translate or /v1/digest (the web
form's script uses /stream). Everything that can refuse the request — the body, limits,
keys, a model not loaded, a full queue — is answered before the stream begins, as the
JSON route would (problem details with the same status). Then:

    {"type": "start", "segments": N, "model": …}  (N null for markup: told once placed)
    {"type": "segment", "index": i, "total": N, …SegmentOut}
                                                  one per segment, in document order
    {"type": "summary", …SummaryOut}              (digest only)
    {"type": "done", …}                           the body the JSON route would return
or, when something fails after the stream began:
    {"type": "error", "status": …, "title": …, "detail": …}   always the last line

A client that disconnects cancels the stream; its queued sentences leave the scheduler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

import anyio
import msgspec
from litestar import Request
from litestar.response import Stream

from service.accounts.usage import Charge
from service.errors import RoenError
from service.http.problems import problem_of, request_id
from service.pipeline.answers import SegmentOut, SummaryOut, plain
from service.pipeline.progress import Progress
from service.pipeline.types import Finished, SegmentDone
from service.telemetry import timing
from service.telemetry.timing import RequestTiming

log = logging.getLogger("roen.http")
NDJSON = "application/x-ndjson"


def wants_stream(request: Request[Any, Any, Any]) -> bool:
    """The client accepts NDJSON (and did not give it q=0)."""
    for item in request.headers.get("accept", "").lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if media == NDJSON:
            q = next((p.partition("=")[2] for p in params if p.startswith("q=")), "1")
            try:
                return float(q) > 0
            except ValueError:
                return True
    return False


def stream(
    request: Request[Any, Any, Any],
    progress: Progress,
    model: str,
    done: Callable[[Finished], Any],
    charge: Charge,
) -> Any:
    """The NDJSON response for `progress`; `done(finished)` shapes the final body; `charge`
    (the caller's characters, held) is counted before the `done` line, or given back if
    the stream ends otherwise. Typed `Any`: a handler returns it in place of its JSON body,
    whose type documents the route (Litestar sends any Response as it is)."""
    rid = request_id(request)
    timed = timing.current()  # its headers leave first: the `done` event says the timings

    async def lines() -> AsyncIterator[bytes]:
        try:
            yield _line({"type": "start", "segments": progress.total, "model": model})
            async with aclosing(progress.events()) as events:
                async for event in events:
                    if isinstance(event, Finished):  # billed: what was translated
                        await charge.commit(event.chars)
                    elif timed is not None and timed.first_output is None:
                        timed.first_output = time.monotonic()  # the time to first segment
                    for line in _lines(event, done, timed):
                        yield line
        except RoenError as err:
            problem = problem_of(request, err)
            yield _line({**problem.body(), "type": "error"})
        except Exception:
            log.exception("unexpected error %s while streaming %s", rid, request.url.path)
            detail = f"Something went wrong on our side; quote request id {rid}."
            error = {"status": 500, "title": "Internal error", "detail": detail}
            yield _line({"type": "error", **error, "request_id": rid})

    async def close() -> None:
        """However the response ends (the client left, even before its body started): the
        rows still queued leave, and a hold not counted goes back."""
        progress.cancel()
        with anyio.CancelScope(shield=True):
            await charge.release()  # a no-op once counted

    # no-store: a progress stream is never replayed; no buffering by a proxy in front (nginx)
    headers = {
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        "X-Content-Type-Options": "nosniff",
    }
    return _Ndjson(lines(), close, media_type=NDJSON, headers=headers)


class _Ndjson(Stream):
    """A Stream that keeps its media type (Litestar would give it the route's, JSON), and
    runs `close` however the response ends: a client gone before the body started never
    runs the generator, so its `finally` alone would leave the rows queued and the hold."""

    def __init__(self, content: Any, close: Callable[[], Awaitable[None]], **kwargs: Any):
        super().__init__(content, **kwargs)
        self._close = close

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        inner = super().to_asgi_response(*args, **{**kwargs, "media_type": NDJSON})
        close = self._close

        async def respond(scope: Any, receive: Any, send: Any) -> None:
            try:
                await inner(scope, receive, send)
            finally:
                await close()

        return respond


def _lines(
    event: SegmentDone | Finished, done: Callable[[Finished], Any], timed: RequestTiming | None
) -> list[bytes]:
    if isinstance(event, SegmentDone):
        segment = plain(SegmentOut.of(event.segment, event.text_index))
        return [_line({"type": "segment", "index": event.index, "total": event.total, **segment})]
    lines = []
    if event.digest is not None:
        lines.append(_line({"type": "summary", **plain(SummaryOut.of(event.digest))}))
    body = {"type": "done", **msgspec.to_builtins(done(event))}
    if timed is not None:  # x-queue-time and the rest, as the headers of a plain answer
        body["timing"] = timed.fields()
    lines.append(_line(body))
    return lines


def _line(event: dict[str, Any]) -> bytes:
    return msgspec.json.encode(event) + b"\n"
