"""Where time goes, as an operator reads it: timing headers on every answer that translates
(TEI's names), the timings on a stream's `done` event, and the stage metrics at /metrics
after known work — counts and bucket placements, with a fake engine of a known pace."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.fakes import SlowEcho, fake_engines

TIMING = ("x-queue-time", "x-inference-time", "x-total-time", "x-compute-characters")


def metric(text: str, name: str, **labels: str) -> float:
    """A sample's value from the Prometheus text, by name and labels."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = (
        rf"^{re.escape(name)}(?:\{{{re.escape(want)}\}})? (\S+)$"
        if want
        else rf"^{re.escape(name)} (\S+)$"
    )
    found = re.search(pattern, text, re.M)
    assert found, f"{name} {labels} not in /metrics"
    return float(found.group(1))


@pytest.fixture
def slow(make_client):
    backend = SlowEcho(delay=0.05)  # 50 ms a batch: the inference time to find
    with make_client(engines=fake_engines(backend=backend), max_chars=200) as client:
        yield client


def test_every_answer_that_translates_says_where_its_time_went(slow):
    texts = [f"Guvernul a decis {i}. Ploile continuă." for i in range(5)]  # none cached
    answers = [
        slow.post("/v1/translate", json={"text": texts[0]}),
        slow.post("/v1/digest", json={"text": texts[1]}),
        slow.post("/translate", json={"q": texts[2], "source": "ro", "target": "en"}),
        slow.post(
            "/v2/translate", json={"text": [texts[3]], "target_lang": "EN-GB", "source_lang": "RO"}
        ),
        slow.post("/v1/translate/file", files={"file": ("a.txt", texts[4].encode(), "text/plain")}),
    ]
    for r, text in zip(answers, texts, strict=True):
        assert r.status_code == 200, r.text
        assert all(h in r.headers for h in TIMING), (r.request.url, dict(r.headers))
        assert int(r.headers["x-compute-characters"]) == len(text)
        assert int(r.headers["x-inference-time"]) >= 50, r.request.url  # a 50 ms batch at least
        assert int(r.headers["x-total-time"]) >= int(r.headers["x-inference-time"])
    for path in ("/health/live", "/v1/models", "/metrics"):
        assert "x-total-time" not in slow.get(path).headers  # no translation: no timings


def test_a_stream_says_its_timings_on_its_done_event(slow):
    lines = slow.post(
        "/v1/translate",
        json={"text": "Guvernul a decis. Ploile continuă."},
        headers={"Accept": "application/x-ndjson"},
    ).text.splitlines()
    done = json.loads(lines[-1])
    assert done["type"] == "done"
    assert done["timing"]["inference_ms"] >= 50 and done["timing"]["total_ms"] >= 50
    assert set(done["timing"]) == {"queue_ms", "inference_ms", "total_ms"}


def test_stage_metrics_count_the_work_done(slow):
    before = slow.get("/metrics").text
    batches = metric(before, "roen_batches_total")
    for text in ("Unu.", "Doi. Trei.", "Patru."):
        assert slow.post("/v1/translate", json={"text": text}).status_code == 200
    slow.post("/v1/translate", json={"text": "Cinci.", "beam_size": 2})
    assert slow.post("/v1/translate", json={"text": "x" * 201}).status_code == 413
    slow.post("/v1/translate", json={"text": "Șase."}, headers={"Accept": "application/x-ndjson"})
    after = slow.get("/metrics").text
    ran = metric(after, "roen_batches_total") - batches
    counted = metric(after, "roen_batch_size_rows_count") - metric(
        before, "roen_batch_size_rows_count"
    )
    assert ran == counted >= 5  # every batch observed once
    assert metric(after, "roen_batch_seconds_count", beam="2") >= 1  # by beam width
    assert metric(after, "roen_batch_seconds_bucket", beam="2", le="0.025") == 0  # ≥ 50 ms each
    assert metric(after, "roen_queue_wait_seconds_count") >= 5  # each translated request once
    # request sizes: "Doi. Trei." is 10 characters and 2 segments
    assert metric(after, "roen_request_characters_bucket", le="100.0") >= 5
    assert metric(after, "roen_request_segments_bucket", le="1.0") >= 4
    assert metric(after, "roen_request_segments_bucket", le="2.0") >= 5
    assert metric(after, "roen_failures_total", kind="LimitExceeded") == 1
    assert metric(after, "roen_first_segment_seconds_count") == 1
    assert metric(after, "roen_queue_sentences") == 0  # the gauge an autoscaler reads


def test_info_says_what_this_replica_serves(make_client):
    with make_client(replica_id="roen-7", max_chars=5000) as client:
        info = client.get("/info").json()
    assert info["replica"] == "roen-7" and info["ready"] is True and info["version"]
    assert [m["role"] for m in info["models"]] == ["translation", "summary"]
    assert info["limits"]["max_chars"] == 5000 and info["store"] == "memory"
    assert info["features"]["glossaries"] is True and ".docx" in info["features"]["documents"]


def test_metrics_behind_a_token_when_one_is_set(make_client):
    with make_client(metrics_token="s3cret") as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and "roen_queue_sentences" in ok.text
    with make_client() as client:
        assert client.get("/metrics").status_code == 200  # open without one
