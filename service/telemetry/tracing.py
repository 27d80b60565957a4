"""OpenTelemetry traces, configured by the standard OTEL_* variables and off unless an OTLP
endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; not when
OTEL_SDK_DISABLED=true). Off, every call here is one test of a module variable: no cost.

One trace per request (a W3C `traceparent` it arrived with is its parent):

    HTTP POST /v1/translate            the request (route, status, request id)
    ├── admission                      limits, the sentence cache, tokenising
    ├── queue                          its first sentence queued → its first batch
    ├── batch                          each batch it rode in (rows, tokens, beam), linked
    │                                  to the batch's own span
    ├── rebuild                        the translation put back around its text
    └── summary                        a digest's summary

and one `batch` span per batch run by the worker, linking every request it served. The
provider is roen's own (never the global one), so tests can read spans from memory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

_tracer: Any = None  # an opentelemetry Tracer while tracing is on
_provider: Any = None
_TIME_NS = 1_000_000_000


def wanted(env: Mapping[str, str] | None = None) -> bool:
    """Whether the environment asks for traces (an OTLP endpoint, the SDK not disabled)."""
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "none":
        return False
    return bool(
        env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def enable(exporter: Any = None, *, batch: bool = True) -> None:
    """Tracing on: spans to `exporter` (default: OTLP over HTTP, configured by OTEL_*), the
    resource from OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (service.name roen)."""
    global _tracer, _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "roen")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(
        BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    )
    _provider, _tracer = provider, provider.get_tracer("roen")


def disable() -> None:
    """Tracing off; what was recorded is exported first."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def on() -> bool:
    return _tracer is not None


@contextmanager
def _request_span(
    name: str, headers: Iterable[tuple[bytes, bytes]], attributes: dict[str, Any]
) -> Iterator[Any]:
    from opentelemetry.propagate import extract
    from opentelemetry.trace import SpanKind

    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}
    with _tracer.start_as_current_span(
        name, context=extract(carrier), kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        yield span


def request_span(name: str, headers: Iterable[tuple[bytes, bytes]], **attributes: Any) -> Any:
    """The request's span, current for its handler (a context manager yielding the span,
    or None when tracing is off); `headers` as ASGI gives them, decoded only when on."""
    if _tracer is None:
        return nullcontext(None)
    return _request_span(name, headers, attributes)


def span(name: str, **attributes: Any) -> Any:
    """A child of the current span (admission, rebuild, summary)."""
    if _tracer is None:
        return nullcontext(None)
    return _tracer.start_as_current_span(name, attributes=attributes)


def current_context() -> Any:
    """The current trace context, to hand to the scheduler's worker (None when off)."""
    if _tracer is None:
        return None
    from opentelemetry import context

    return context.get_current()


def batch(
    started: float, ended: float, rows: int, tokens: int, beam: int, parents: list[Any]
) -> None:
    """A batch the worker ran (monotonic seconds), linking the requests it served, and a
    `batch` span under each of them with the same times."""
    if _tracer is None:
        return
    from opentelemetry import trace

    offset = _wall_offset()
    start, end = int((started + offset) * _TIME_NS), int((ended + offset) * _TIME_NS)
    attributes = {"roen.batch.rows": rows, "roen.batch.tokens": tokens, "roen.batch.beam": beam}
    links = [trace.Link(trace.get_current_span(p).get_span_context()) for p in parents]
    own = _tracer.start_span("batch", start_time=start, links=links, attributes=attributes)
    own.end(end_time=end)
    for parent in parents:
        child = _tracer.start_span(
            "batch",
            context=parent,
            start_time=start,
            links=[trace.Link(own.get_span_context())],
            attributes=attributes,
        )
        child.end(end_time=end)


def waited(parent: Any, queued: float, started: float) -> None:
    """The `queue` span of a request: from its first sentence queued to its first batch."""
    if _tracer is None or parent is None:
        return
    offset = _wall_offset()
    span_ = _tracer.start_span(
        "queue", context=parent, start_time=int((queued + offset) * _TIME_NS)
    )
    span_.end(end_time=int((started + offset) * _TIME_NS))


def _wall_offset() -> float:
    """Monotonic seconds to wall-clock seconds (spans carry wall-clock times)."""
    import time

    return time.time() - time.monotonic()
