"""Streamed translate and digest: one JSON line per event, as the work is done.

A client asks with `Accept: application/x-ndjson` on /v1/translate or /v1/digest (the web
form's script uses /stream). Everything that can refuse the request — the body, limits,
keys, a model not loaded, a full queue — is answered before the stream begins, as the
JSON route would (problem details with the same status). Then:

    {"type": "start", "segments": N, "model": …}
    {"type": "segment", "index": i, "text_index": t, "paragraph": p, "source": …,
     "translation": …, "warnings": […]}          one per segment, in document order
    {"type": "summary", "headline": …, "summary": …, "summary_sentences": […], "method": …}
                                                  (digest only)
    {"type": "done", …}                           the body the JSON route would return
or, when something fails after the stream began:
    {"type": "error", "status": …, "title": …, "detail": …}   always the last line

A client that disconnects cancels the stream; its queued sentences leave the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Stream

from service.errors import RoenError
from service.http.problems import problem_for, request_id
from service.pipeline.pipeline import Progress
from service.pipeline.types import Finished, SegmentDone

log = logging.getLogger("roen.http")
NDJSON = "application/x-ndjson"


def wants_stream(request: Request[Any, Any, Any]) -> bool:
    return NDJSON in request.headers.get("accept", "").lower()


def stream(
    request: Request[Any, Any, Any],
    progress: Progress,
    model: str,
    done: Callable[[Finished], Any],
) -> Any:
    """The NDJSON response for `progress`; `done(finished)` shapes the final body. Typed
    `Any`: a handler returns it in place of its JSON body, whose type documents the route
    (Litestar sends any Response as it is)."""
    rid = request_id(request)

    async def lines() -> AsyncIterator[bytes]:
        yield _line({"type": "start", "segments": progress.total, "model": model})
        try:
            async for event in progress.events():
                if isinstance(event, SegmentDone):
                    seg = event.segment
                    yield _line(
                        {
                            "type": "segment",
                            "index": event.index,
                            "total": event.total,
                            "text_index": event.text_index,
                            "paragraph": seg.paragraph,
                            "source": seg.source,
                            "translation": seg.translation,
                            "warnings": list(seg.warnings),
                        }
                    )
                    continue
                if event.digest is not None:
                    digest = event.digest
                    yield _line(
                        {
                            "type": "summary",
                            "headline": digest.headline,
                            "summary": digest.summary.summary,
                            "summary_sentences": digest.summary.sentences,
                            "method": digest.summary.method,
                        }
                    )
                yield _line({"type": "done", **msgspec.to_builtins(done(event))})
        except RoenError as err:
            problem = problem_for(err)
            yield _line(
                {
                    "type": "error",
                    "status": problem.status,
                    "title": problem.title,
                    "detail": problem.detail,
                    **problem.extra,
                }
            )
        except Exception:
            log.exception("unexpected error %s while streaming %s", rid, request.url.path)
            yield _line(
                {
                    "type": "error",
                    "status": 500,
                    "title": "Internal error",
                    "request_id": rid,
                    "detail": f"Something went wrong on our side; quote request id {rid}.",
                }
            )

    # no-store: a progress stream is never replayed; no buffering by a proxy in front (nginx)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return _Ndjson(lines(), media_type=NDJSON, headers=headers)


class _Ndjson(Stream):
    """A Stream that keeps its media type: Litestar would give it the route's (JSON)."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        return super().to_asgi_response(*args, **{**kwargs, "media_type": NDJSON})


def _line(event: dict[str, Any]) -> bytes:
    return msgspec.json.encode(event) + b"\n"
