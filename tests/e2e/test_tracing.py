"""Traces, as an operator's collector receives them: one per request, the W3C traceparent it
arrived with as its parent, spans for admission, the queue, each batch it rode in (linked
to the batch's own span), the rebuild and a digest's summary. Checked from the SDK's
in-memory exporter, and once end to end: a real `roen serve` exporting OTLP/HTTP to a
receiver started here."""

from __future__ import annotations

import http.server
import os
import threading
import time
from typing import ClassVar

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from service.telemetry import tracing
from tests.support.fakes import SlowEcho, fake_engines
from tests.support.live_server import Server

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.enable(exporter, batch=False)
    yield exporter
    tracing.disable()


def test_one_request_is_one_trace_under_the_callers_parent(make_client, spans):
    with make_client(engines=fake_engines(backend=SlowEcho(0.02))) as client:
        r = client.post(
            "/v1/digest",
            json={"text": "Guvernul a decis. Ploile continuă."},
            headers={"traceparent": TRACEPARENT},
        )
    assert r.status_code == 200
    done = spans.get_finished_spans()
    (request,) = [s for s in done if s.name == "POST /v1/digest"]
    assert format(request.context.trace_id, "032x") == TRACE_ID
    assert format(request.parent.span_id, "016x") == PARENT_ID  # the caller's span
    assert request.attributes["roen.request_id"] == r.headers["x-request-id"]
    assert request.attributes["http.response.status_code"] == 200
    children = [s for s in done if s.parent and s.parent.span_id == request.context.span_id]
    assert {s.name for s in children} >= {"admission", "queue", "batch", "rebuild", "summary"}
    (mine,) = [s for s in children if s.name == "batch"]
    assert mine.attributes["roen.batch.rows"] == 2 and mine.attributes["roen.batch.beam"] >= 1
    (own,) = [s for s in done if s.name == "batch" and s.parent is None]  # the worker's
    assert [link.context.span_id for link in own.links] == [request.context.span_id]
    assert mine.links[0].context.span_id == own.context.span_id
    queue = next(s for s in children if s.name == "queue")
    assert queue.end_time <= mine.start_time + 1_000_000  # the wait ends as its batch starts


def test_a_batch_links_every_request_it_served(make_client, spans):
    import concurrent.futures

    with make_client(engines=fake_engines(backend=SlowEcho(0.2))) as client:

        def send(i: int) -> int:
            return client.post("/v1/translate", json={"text": f"Propoziția {i}."}).status_code

        with concurrent.futures.ThreadPoolExecutor(4) as pool:  # the first batch is running
            assert list(pool.map(send, range(4))) == [200] * 4  # while the others queue
    batches = [s for s in spans.get_finished_spans() if s.name == "batch" and s.parent is None]
    assert sum(len(b.links) for b in batches) == 4  # each request linked from its batch
    assert any(len(b.links) > 1 for b in batches)  # and batches shared across requests


def test_tracing_is_off_unless_an_endpoint_is_set():
    assert not tracing.on()
    assert not tracing.wanted({})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"})
    assert not tracing.wanted(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}
    )
    assert not tracing.wanted(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_TRACES_EXPORTER": "none"}
    )
    with tracing.span("anything") as nothing:  # off: a no-op, nothing to export
        assert nothing is None


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []  # what the collector received, request by request

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        type(self).bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow
@pytest.mark.model
def test_a_real_server_exports_its_spans_over_otlp(tiny_marian):
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    _Receiver.bodies = []
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
            "ROEN_BEAM_SIZE": "1",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.server_port}",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "roen-test",
        }
    )
    try:
        server.wait_ready(timeout=180)
        r = httpx.post(
            server.base + "/v1/translate",
            json={"text": "Guvernul a anunțat măsuri noi."},
            headers={"traceparent": TRACEPARENT},
        )
        assert r.status_code == 200
        spans: list = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            spans = []
            for body in list(_Receiver.bodies):
                request = ExportTraceServiceRequest.FromString(body)
                for resource in request.resource_spans:
                    service = {a.key: a.value.string_value for a in resource.resource.attributes}
                    assert service["service.name"] == "roen-test"
                    for scope in resource.scope_spans:
                        spans.extend(s for s in scope.spans if s.trace_id.hex() == TRACE_ID)
            if {"POST /v1/translate", "admission", "queue", "batch", "rebuild"} <= {
                s.name for s in spans
            }:
                break
            time.sleep(0.2)
        (top,) = [s for s in spans if s.name == "POST /v1/translate"]
        assert top.parent_span_id.hex() == PARENT_ID
        children = {s.name for s in spans if s.parent_span_id == top.span_id}
        assert {"admission", "queue", "batch", "rebuild"} <= children, children
    finally:
        server.stop()
        receiver.shutdown()
