"""One request's timings, carried in a context variable from the edge to the scheduler: the
request middleware opens one, the scheduler's worker adds each batch the request rode in,
and the answer's headers say where the time went (TEI's and TGI's names):

    x-queue-time       ms from the request's first row queued to its first batch starting
    x-inference-time   ms of the batches and model tasks it rode in (each batch once)
    x-total-time       ms from the request's arrival to its answer
    x-compute-characters  the characters billed

A request with no model work (a cache hit) has 0 queue and inference time."""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from service.telemetry import tracing


@dataclass
class RequestTiming:
    arrived: float = field(default_factory=time.monotonic)
    queued: float | None = None  # when its first row or task was queued
    first_batch: float | None = None  # when the first batch it rode in started
    inference_s: float = 0.0  # batches and tasks it rode in, each once
    first_output: float | None = None  # a stream's first segment sent
    trace: Any = None  # its trace context as its work was queued (tracing on)
    failure: str | None = None  # the kind of error it was answered with (its class)

    def queue(self) -> None:
        """Called (on the request's loop) as its work is queued."""
        if self.queued is None:
            self.queued = time.monotonic()
            self.trace = tracing.current_context()

    def ran(self, started: float, ended: float) -> None:
        """Called by the worker for each batch or task this request rode in."""
        if self.first_batch is None:
            self.first_batch = started
        self.inference_s += ended - started

    @property
    def queue_s(self) -> float:
        if self.queued is None or self.first_batch is None:
            return 0.0
        return max(0.0, self.first_batch - self.queued)

    def headers(self, billed: int | None) -> list[tuple[bytes, bytes]]:
        total = time.monotonic() - self.arrived
        out = [
            (b"x-queue-time", _ms(self.queue_s)),
            (b"x-inference-time", _ms(self.inference_s)),
            (b"x-total-time", _ms(total)),
        ]
        if billed is not None:
            out.append((b"x-compute-characters", str(billed).encode()))
        return out

    def fields(self) -> dict[str, float]:
        """The same, for a stream's `done` event (its headers left before the work)."""
        return {
            "queue_ms": round(self.queue_s * 1000, 1),
            "inference_ms": round(self.inference_s * 1000, 1),
            "total_ms": round((time.monotonic() - self.arrived) * 1000, 1),
        }


def _ms(seconds: float) -> bytes:
    return str(round(seconds * 1000)).encode()


_current: ContextVar[RequestTiming | None] = ContextVar("roen_request_timing", default=None)


def start() -> RequestTiming:
    """A new request's timing, current in this context (and the tasks it starts)."""
    timing = RequestTiming()
    _current.set(timing)
    return timing


def current() -> RequestTiming | None:
    return _current.get()
