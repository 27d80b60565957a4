"""README promises that had no test of their own: each assertion here is one a mutant of the
code it names would fail."""

from __future__ import annotations

import json
import logging
import re
import threading
import time

import pytest

from service.settings import Settings
from tests.support.fakes import EchoBackend, fake_engines

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


EN = {"target_lang": "EN-GB"}


@pytest.mark.parametrize(
    ("method", "path", "send"),
    [
        ("POST", "/v1/translate", {"json": {"text": "Bună."}, "auth": "Bearer"}),
        (
            "POST",
            "/v1/translate/file",
            {"files": {"file": ("a.txt", "Bună.".encode())}, "auth": "Bearer"},
        ),
        ("POST", "/translate", {"data": {"q": "Bună.", "source": "ro", "target": "en"}}),
        ("POST", "/translate", {"json": {"q": "Bună.", "source": "ro", "target": "en"}}),
        (
            "POST",
            "/translate_file",
            {
                "files": {"file": ("a.txt", "Bună.".encode())},
                "data": {"source": "ro", "target": "en"},
            },
        ),
        ("POST", "/detect", {"data": {"q": "Bună ziua."}}),
        ("POST", "/v2/translate", {"data": {"text": "Bună.", **EN}, "auth": "DeepL-Auth-Key"}),
        ("POST", "/v2/translate", {"data": {"text": "Bună.", "auth_key": "the-key", **EN}}),
        ("GET", "/v2/usage", {"auth": "DeepL-Auth-Key"}),
        ("POST", "/stream", {"data": {"text": "Bună ziua."}}),
        ("POST", "/", {"data": {"text": "Bună ziua."}}),
        ("POST", "/document", {"files": {"file": ("a.txt", "Bună.".encode())}}),
    ],
)
def test_every_route_logs_the_callers_key_by_its_hash(make_client, caplog, method, path, send):
    """Wherever the dialect puts the key — a header, a body field, a form field — the
    access log names it the same way, and never in clear."""
    from service.accounts.keys import key_id

    caplog.set_level(logging.INFO, logger="roen.access")
    send = dict(send)
    scheme = send.pop("auth", None)
    headers = {"Authorization": f"{scheme} the-key"} if scheme else {}
    if scheme is None and "auth_key" not in send.get("data", {}):
        if "json" in send:
            send["json"] = {**send["json"], "api_key": "the-key"}
        else:
            send["data"] = {**send.get("data", {}), "api_key": "the-key"}
    with make_client(api_keys="the-key") as c:
        r = c.request(method, path, headers=headers, **send)
        assert r.status_code == 200, r.text
    (line,) = [r for r in caplog.records if getattr(r, "fields", {}).get("route") == path]
    assert line.fields["key_id"] == key_id("the-key") and len(key_id("the-key")) == 12
    assert "the-key" not in json.dumps(line.fields)


def test_metrics_name_each_route_by_its_template(make_client):
    with make_client() as c:
        c.post("/v1/translate/file", files={"file": ("a.txt", "Bună.".encode())})
        c.post("/document", files={"file": ("a.txt", "Bună.".encode())})
        c.post("/stream", data={"text": "Bună ziua."})
        for token in ("a", "b", "c"):  # many names, one label
            c.get(f"/download_file/{token}.x_en.txt")
        text = c.get("/metrics").text
    for route, status in [
        ("/v1/translate/file", 200),
        ("/document", 200),
        ("/stream", 200),
        ("/download_file/{name}", 404),
    ]:
        assert f'roen_requests_total{{route="{route}",status="{status}"}}' in text, route
    assert 'route="other"' not in text and "/download_file/a" not in text


def test_the_download_url_never_comes_from_the_host_header(make_client):
    doc = {"file": ("a.txt", "Bună.".encode())}
    pair = {"source": "ro", "target": "en"}
    with make_client() as c:
        url = c.post(
            "/translate_file", files=doc, data=pair, headers={"Host": "evil.example"}
        ).json()
        assert "evil.example" not in url["translatedFileUrl"]
    with make_client(public_url="https://mt.example.org/") as c:
        url = c.post(
            "/translate_file", files=doc, data=pair, headers={"Host": "evil.example"}
        ).json()
        assert url["translatedFileUrl"].startswith("https://mt.example.org/download_file/")


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
    rows = re.split(r"<tr id=\"para-\d+\"><td", page)[1:]
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
