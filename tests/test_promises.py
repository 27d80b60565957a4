"""README promises that had no test of their own: each assertion here is one a mutant of the
code it names would fail."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from service.settings import Settings
from tests.fakes import EchoBackend, fake_engines

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def test_security_headers_have_exactly_their_documented_values(make_client):
    with make_client() as c:
        headers = c.get("/").headers
    assert headers["content-security-policy"] == CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "given", ["", "a" * 65, "spaces are not ok", "semi;colon", "a<b>", "../etc"]
)
def test_an_invalid_request_id_is_replaced_not_echoed(make_client, given):
    with make_client() as c:
        r = c.get("/health/live", headers={"X-Request-ID": given})
    assert r.headers["x-request-id"] != given and len(r.headers["x-request-id"]) == 32


def test_the_access_log_names_the_key_by_its_hash(make_client, caplog):
    from service.http.access import key_id

    caplog.set_level(logging.INFO, logger="roen.access")
    with make_client(api_keys="the-key") as c:
        c.post("/v1/translate", json={"text": "Bună."}, headers={"Authorization": "Bearer the-key"})
    (line,) = [
        r for r in caplog.records if getattr(r, "fields", {}).get("route") == "/v1/translate"
    ]
    assert line.fields["key_id"] == key_id("the-key") and len(key_id("the-key")) == 12
    assert "the-key" not in json.dumps(line.fields)


def test_docs_and_metrics_stay_open_when_keys_are_set(make_client):
    with make_client(api_keys="k") as c:
        assert c.get("/metrics").status_code == 200
        assert c.get("/docs/openapi.json").status_code == 200
        assert c.get("/health/ready").status_code == 200
        assert c.post("/v1/translate", json={"text": "Bună."}).status_code == 401


@pytest.mark.parametrize(("length", "n"), [("short", 3), ("medium", 5), ("long", 8)])
def test_summary_lengths(make_client, length, n):
    with make_client() as c:
        text = " ".join(f"Sentence number {i}." for i in range(20))
        body = c.post("/v1/summarize", json={"text": text, "length": length}).json()
    assert len(body["sentences"]) == n


def test_a_full_queue_is_503_with_a_retry_after(make_client):
    class Slow(EchoBackend):
        def respond(self, texts):
            time.sleep(0.5)
            return super().respond(texts)

    config = {"queue_capacity": 10, "max_segments": 10, "max_batch_size": 1}
    engines = fake_engines(Settings(_env_file=None, **config), Slow())
    with make_client(engines, **config) as c:
        first: dict = {}
        big = " ".join(f"Propoziția {i}." for i in range(10))
        worker = threading.Thread(
            target=lambda: first.update(r=c.post("/v1/translate", json={"text": big}))
        )
        worker.start()
        time.sleep(0.3)  # the first request fills the queue
        r = c.post("/v1/translate", json={"text": "Una. Două."})
        worker.join(15)
    assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
    assert r.json()["retry_after"] == int(r.headers["retry-after"])
    assert "ROEN_QUEUE_CAPACITY" in r.json()["detail"]
    assert first["r"].status_code == 200  # the one admitted is served


def test_the_warning_marker_sits_on_the_paragraph_that_earned_it(make_client):
    class CopiesTheSecond(EchoBackend):  # only the second paragraph comes back untranslated
        def respond(self, texts):
            return [t if "anunțat" in t else f"EN({t})" for t in texts]

    with make_client(backend=CopiesTheSecond()) as c:
        page = c.post(
            "/",
            data={"text": "Titlu\n\nGuvernul a anunțat astăzi un nou pachet de măsuri.\n\nFinal."},
        ).text
    rows = page.split("<tr><td")[1:]
    assert len(rows) == 3
    assert ['class="warn"' in row for row in rows] == [False, True, False]


def test_batch_token_and_cache_metrics_move(make_client):
    with make_client() as c:
        c.post("/v1/translate", json={"text": "Unu doi trei. Patru cinci."})
        c.post("/v1/translate", json={"text": "Unu doi trei."})  # a cache hit
        text = c.get("/metrics").text

    def value(name: str) -> float:
        line = next(x for x in text.splitlines() if x.startswith(name + " "))
        return float(line.split()[1])

    assert value("roen_batches_total") >= 1 and value("roen_batch_rows_total") == 2
    assert value("roen_generated_tokens_total") > 0
    assert value("roen_cache_hits_total") == 1 and value("roen_cache_misses_total") == 2
    assert value("roen_cancelled_sentences_total") == 0


def test_the_scheduler_event_loops_do_not_leak_between_calls():
    """The CLI calls the pipeline with asyncio.run again and again on one scheduler."""
    from service.pipeline.pipeline import Pipeline

    pipeline = Pipeline(fake_engines())
    for i in range(3):
        out = pipeline.run(pipeline.translate([f"Propoziția {i}."]))
        assert out[0].translation == f"EN(Propoziția {i}.)"
    pipeline.engines.close()
