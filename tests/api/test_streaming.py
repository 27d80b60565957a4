"""Streamed translate and digest: segments in document order as they are done, refusals
before the stream begins, a final error event when something fails after, and a client
that leaves takes its queued sentences with it."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from service.errors import Overloaded
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import Finished, SegmentDone, SummaryOptions, TranslateOptions
from service.runtime.scheduler import Scheduler
from service.settings import Settings
from tests.support.fakes import EchoBackend, SlowEcho, fake_engines

NDJSON = {"accept": "application/x-ndjson"}
ARTICLE = (
    "Titlu scurt\n"
    "\n"
    "Prima propoziție a articolului este aici. A doua.\n"
    "\n"
    "Al doilea paragraf are o propoziție mult mai lungă decât celelalte din articol. Gata."
)


def lines(response) -> list[dict]:
    return [json.loads(line) for line in response.text.splitlines()]


# --- the scheduler -----------------------------------------------------------------------
def test_a_streamed_job_is_taken_in_document_order_and_reports_each_row():
    backend = EchoBackend()
    s = Scheduler(max_batch=2, batch_wait_ms=0)
    s.attach(backend)
    s.start()
    texts = ["O propoziție destul de lungă pentru a fi ultima.", "Scurtă.", "Mijlocie aici."]
    seen: list[tuple[int, str]] = []

    async def main():
        ticket = s.submit(
            backend.encode(texts), beam_size=1, on_row=lambda i, e: seen.append((i, e))
        )
        return await ticket.result()

    try:
        out = asyncio.run(main())
    finally:
        s.close()
    assert [o.text for o in out] == [f"EN({t})" for t in texts]
    assert backend.batches == [texts[:2], texts[2:]]  # in order, not shortest first
    assert [(i, o.text) for i, o in seen] == [
        (i, f"EN({t})") for i, t in enumerate(texts)
    ]  # every row, before the end


def test_submit_refuses_a_full_queue_at_once():
    backend = EchoBackend()
    s = Scheduler(capacity=2)
    s.attach(backend)

    async def main():
        s.start()
        with pytest.raises(Overloaded):
            s.submit(backend.encode(["a", "b", "c"]), beam_size=1, on_row=lambda i, e: None)

    try:
        asyncio.run(main())
    finally:
        s.close()


# --- the pipeline ------------------------------------------------------------------------
def run_stream(pipeline: Pipeline, texts, summary=None) -> list:
    async def main():
        progress = await pipeline.stream(texts, TranslateOptions(), summary)
        return [event async for event in progress.events()]

    return asyncio.run(main())


def test_stream_gives_every_segment_in_order_then_the_same_result_as_the_plain_call():
    backend = EchoBackend()
    settings = Settings(_env_file=None, max_batch_size=2)
    pipeline = Pipeline.from_settings(settings, fake_engines(settings, backend))
    pipeline.engines.start()
    try:
        events = run_stream(pipeline, [ARTICLE], SummaryOptions(2))
        plain = pipeline.run(pipeline.digest(ARTICLE, TranslateOptions(), SummaryOptions(2)))
    finally:
        pipeline.engines.close()
    *segments, finished = events
    assert all(isinstance(e, SegmentDone) for e in segments)
    assert [e.index for e in segments] == list(range(len(segments)))
    assert {e.total for e in segments} == {len(segments)}
    assert isinstance(finished, Finished) and finished.digest is not None
    assert [e.segment for e in segments] == finished.digest.translation.segments
    assert finished.digest == plain  # the stream is the same call, shown as it goes


def test_stream_across_several_texts_numbers_them():
    settings = Settings(_env_file=None)
    pipeline = Pipeline.from_settings(settings, fake_engines(settings))
    pipeline.engines.start()
    try:
        events = run_stream(pipeline, ["Unu. Doi.", "Trei."])
    finally:
        pipeline.engines.close()
    assert [(e.text_index, e.segment.source) for e in events[:-1]] == [
        (0, "Unu."),
        (0, "Doi."),
        (1, "Trei."),
    ]
    assert [r.translation for r in events[-1].results] == ["EN(Unu.) EN(Doi.)", "EN(Trei.)"]


# --- over HTTP ---------------------------------------------------------------------------
def test_digest_stream_over_http(make_client):
    with make_client() as c:
        r = c.post("/v1/digest", json={"text": ARTICLE}, headers=NDJSON)
        plain = c.post("/v1/digest", json={"text": ARTICLE}).json()
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-ndjson"
    events = lines(r)
    kinds = [e["type"] for e in events]
    assert kinds == ["start"] + ["segment"] * events[0]["segments"] + ["summary", "done"]
    assert [e["source"] for e in events if e["type"] == "segment"][:2] == [
        "Titlu scurt",
        "Prima propoziție a articolului este aici.",
    ]
    done = events[-1]
    for key in ("headline", "summary", "summary_sentences", "translation", "method"):
        assert done[key] == plain[key]
    assert events[-2]["headline"] == plain["headline"]


def test_translate_stream_with_texts_ends_with_the_json_routes_body(make_client):
    with make_client() as c:
        r = c.post("/v1/translate", json={"texts": ["Unu. Doi.", "Trei."]}, headers=NDJSON)
    events = lines(r)
    assert [e["text_index"] for e in events if e["type"] == "segment"] == [0, 0, 1]
    assert events[-1]["type"] == "done"
    assert events[-1]["translations"] == ["EN(Unu.) EN(Doi.)", "EN(Trei.)"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "a" * 101}, 413),  # over ROEN_MAX_CHARS
        ({"text": "Bună", "length": "tiny"}, 422),
        ({"text": "\x00"}, 422),
    ],
)
def test_a_refused_stream_is_a_problem_response_not_a_stream(make_client, body, status):
    with make_client(max_chars=100) as c:
        r = c.post("/v1/digest", json=body, headers=NDJSON)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"


def test_a_full_queue_is_refused_before_the_stream_with_retry_after(make_client):
    gate = threading.Event()

    class Stuck(EchoBackend):
        def respond(self, texts):
            gate.wait(10)
            return super().respond(texts)

    settings = Settings(_env_file=None, queue_capacity=2, max_segments=2, max_batch_size=1)
    stuck = Stuck()
    engines = fake_engines(settings, stuck)
    with make_client(engines, queue_capacity=2, max_segments=2, max_batch_size=1) as c:
        stuck.forget()
        first = threading.Thread(
            target=c.post, args=("/v1/translate",), kwargs={"json": {"text": "Unu. Doi."}}
        )
        first.start()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(stuck.batches) == 0:
            time.sleep(0.01)  # the first request's batch is running; one row still queued
        r = c.post("/v1/translate", json={"text": "Trei. Patru."}, headers=NDJSON)
        gate.set()
        first.join()
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1


def test_a_failure_after_the_stream_began_is_its_last_line(make_client):
    settings = Settings(_env_file=None, max_batch_size=1)
    engines = fake_engines(settings, SlowEcho(delay=0.0, fail_on="explodează"))
    with make_client(engines, max_batch_size=1) as c:
        r = c.post(
            "/v1/translate",
            json={"text": "Prima merge. Aici explodează. A treia."},
            headers=NDJSON,
        )
    events = lines(r)
    assert r.status_code == 200
    assert [e["type"] for e in events] == ["start", "segment", "error"]
    assert events[-1]["status"] == 500 and events[-1]["title"]
    assert "explodează" not in json.dumps(events[-1])  # no source text in the error


def test_a_stream_past_its_deadline_ends_with_a_timeout_event(make_client):
    settings = Settings(_env_file=None, max_batch_size=1, request_timeout_s=0.3)
    engines = fake_engines(settings, SlowEcho(delay=0.2))
    with make_client(engines, max_batch_size=1, request_timeout_s=0.3) as c:
        r = c.post(
            "/v1/translate", json={"text": " ".join(f"P{i}." for i in range(8))}, headers=NDJSON
        )
    events = lines(r)
    assert events[-1]["type"] == "error" and events[-1]["status"] == 504
    assert 0 < sum(e["type"] == "segment" for e in events) < 8


def test_stream_needs_the_key_like_the_json_route(make_client, tmp_path):
    with make_client(api_keys="sekret") as c:
        r = c.post("/v1/translate", json={"text": "Bună."}, headers=NDJSON)
        ok = c.post(
            "/v1/translate",
            json={"text": "Bună."},
            headers={**NDJSON, "authorization": "Bearer sekret"},
        )
    assert r.status_code == 401
    assert ok.status_code == 200 and lines(ok)[-1]["type"] == "done"


def test_the_forms_stream_route_takes_the_forms_fields(make_client):
    with make_client() as c:
        r = c.post("/stream", data={"text": ARTICLE, "length": "short"}, headers=NDJSON)
        bad = c.post("/stream", data={"text": ""}, headers=NDJSON)
    events = lines(r)
    assert events[0]["type"] == "start" and events[-1]["type"] == "done"
    assert events[-1]["rows"][0][0] == "Titlu scurt"  # the page's rows, paragraph by paragraph
    assert len(events[-1]["rows"]) == 3
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_a_slow_reader_still_gets_every_segment_and_the_end():
    """Rows that finish while a segment is being sent (a slow client) are sent next, and a
    job settled meanwhile is not mistaken for a failure."""
    settings = Settings(_env_file=None, max_batch_size=1)
    pipeline = Pipeline.from_settings(settings, fake_engines(settings, SlowEcho(delay=0.01)))
    pipeline.engines.start()

    async def main():
        progress = await pipeline.stream([" ".join(f"P{i}." for i in range(6))])
        seen = []
        async for event in progress.events():
            seen.append(event)
            await asyncio.sleep(0.1)  # the reader is slower than the model
        return seen

    try:
        events = asyncio.run(main())
    finally:
        pipeline.engines.close()
    assert [type(e).__name__ for e in events] == ["SegmentDone"] * 6 + ["Finished"]


def test_a_stream_abandoned_before_its_first_event_drops_its_rows():
    settings = Settings(_env_file=None, max_batch_size=1)
    pipeline = Pipeline.from_settings(settings, fake_engines(settings, SlowEcho(delay=0.05)))
    pipeline.engines.start()

    async def main():
        progress = await pipeline.stream([" ".join(f"P{i}." for i in range(20))])
        assert pipeline.stats().scheduler.queued_rows > 0
        progress.cancel()  # what the HTTP stream's `finally` does when the client left
        return pipeline.stats().scheduler

    try:
        stats = asyncio.run(main())
    finally:
        pipeline.engines.close()
    assert stats.queued_rows == 0 and stats.cancelled_rows >= 19


def test_an_engine_failure_in_a_stream_carries_the_request_id(make_client, caplog):
    settings = Settings(_env_file=None, max_batch_size=1)
    engines = fake_engines(settings, SlowEcho(delay=0.0, fail_on="explodează"))
    with make_client(engines, max_batch_size=1) as c:
        r = c.post("/v1/translate", json={"text": "Bine. Aici explodează."}, headers=NDJSON)
    error = lines(r)[-1]
    assert error["type"] == "error" and error["status"] == 500
    assert error["request_id"] == r.headers["x-request-id"]
    assert error["request_id"] in caplog.text  # the operator finds it in the log


@pytest.mark.parametrize(
    ("accept", "streams"),
    [
        ("application/x-ndjson", True),
        ("application/json, application/x-ndjson;q=0.5", True),
        ("application/json, application/x-ndjson;q=0", False),
        ("application/json", False),
        ("*/*", False),
    ],
)
def test_accept_chooses_the_stream(make_client, accept, streams):
    with make_client() as c:
        r = c.post("/v1/translate", json={"text": "Bună."}, headers={"accept": accept})
    assert (r.headers["content-type"] == "application/x-ndjson") == streams
    if streams:
        assert r.headers["x-content-type-options"] == "nosniff"
