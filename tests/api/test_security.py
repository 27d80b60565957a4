"""Limits, API keys, rate limits, CORS, request ids and logs, hostile input — with fakes."""

from __future__ import annotations

import json
import logging
import random
import threading

import pytest

from service.settings import Settings
from tests.support.fakes import CharEcho, EchoBackend, SlowEcho, fake_engines


@pytest.fixture
def app(make_client):
    return make_client


def post(c, text="Bună ziua.", **headers):
    return c.post("/v1/translate", json={"text": text}, headers=headers)


# --- API keys ---------------------------------------------------------------------------
def test_keys_required_on_api_only(app):
    with app(api_keys="k1-secret, k2-secret") as c:
        r = post(c)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"].startswith("application/problem+json")
        assert post(c, Authorization="Bearer wrong").status_code == 403
        assert post(c, Authorization="Basic k1-secret").status_code == 401
        assert post(c, Authorization="Bearer k2-secret").status_code == 200
        assert c.get("/health/ready").status_code == 200
        assert c.get("/").status_code == 200  # the form stays open by default
        assert c.get("/v1/models").status_code == 401


def test_keys_file_and_the_forms_routes_take_a_key(app, tmp_path):
    f = tmp_path / "keys"
    f.write_text("# team A\nfile-key-1\n\nfile-key-2  # rotated 2026-11\n")
    with app(api_keys_file=f) as c:
        assert post(c, Authorization="Bearer file-key-2").status_code == 200
        page = c.get("/")
        assert page.status_code == 200 and 'name="api_key"' in page.text  # a key field
        doc = {"file": ("a.txt", "Bună.".encode())}
        refused = c.post("/document", files=doc)
        assert refused.status_code == 401 and "API key" in refused.text
        assert c.post("/document", files=doc, data={"api_key": "wrong"}).status_code == 403
        assert c.post("/document", files=doc, data={"api_key": "file-key-1"}).status_code == 200
        assert c.post("/stream", data={"text": "Bună ziua."}).status_code == 401
        ok = c.post("/stream", data={"text": "Bună ziua.", "api_key": "file-key-1"})
        assert ok.status_code == 200
        assert c.post("/", data={"text": "Bună ziua."}).status_code == 401


def test_an_open_form_is_held_to_its_own_lower_limit_per_address(app):
    with app(api_keys="k", open_form=True, form_rate_limit_per_minute=2) as c:
        assert 'name="api_key"' not in c.get("/").text
        doc = {"file": ("a.txt", "Bună.".encode())}
        assert [c.post("/document", files=doc).status_code for _ in range(3)] == [200, 200, 429]
        assert c.get("/").status_code == 200  # the page itself is not counted
        assert post(c, Authorization="Bearer k").status_code == 200  # the API is not either
        assert post(c).status_code == 401  # and it still needs its key


# Routes that need no key, on purpose: probes, metrics (ROEN_METRICS_TOKEN guards them), /info
# (what a replica serves, for operators and probes, as TGI's), the docs and their assets, the
# form's page (its posts take one), LibreTranslate's discovery routes (its clients read them
# before they have a key) and a download (its name is a random token).
OPEN = {
    "/health/live",
    "/health/ready",
    "/metrics",
    "/info",
    "/favicon.ico",
    "/",
    "/languages",
    "/frontend/settings",
    "/download_file/{name}",
    "/health",
    "/spec",
}


def test_a_keyed_server_answers_no_route_that_does_work_without_a_key(app):
    with app(api_keys="the-key") as c:
        checked = []
        for route in c.app.routes:
            path = route.path_format if hasattr(route, "path_format") else route.path
            if path.startswith(("/static", "/docs", "/schema")):
                continue
            for method in sorted(getattr(route, "methods", ())):
                if method in ("HEAD", "OPTIONS") or (path in OPEN and method == "GET"):
                    continue
                url = path.replace("{name}", "x.txt")
                r = c.request(method, url, data={"text": "Bună.", "q": "Bună."})
                # (LibreTranslate asks for a key with a 400, as it does)
                assert r.status_code in (400, 401, 403), (method, path, r.status_code)
                assert "translatedText" not in r.text and "translations" not in r.text
                checked.append((method, path))
        assert ("POST", "/document") in checked and ("POST", "/stream") in checked
        assert ("POST", "/translate_file") in checked and ("POST", "/v2/translate") in checked


def test_keys_never_logged(app, caplog):
    caplog.set_level(logging.INFO, logger="roen")
    with app(api_keys="super-secret-key") as c:
        post(c, Authorization="Bearer super-secret-key")
        post(c, Authorization="Bearer wrong-secret-key")
    assert "super-secret-key" not in caplog.text and "wrong-secret-key" not in caplog.text


# --- rate limits ------------------------------------------------------------------------
def test_a_libretranslate_key_in_the_body_is_counted_by_key_not_by_address(app):
    body = {"q": "Bună.", "source": "ro", "target": "en"}
    with app(api_keys="key-a,key-b", rate_limit_per_minute=2) as c:  # one address for all
        a = [c.post("/translate", json={**body, "api_key": "key-a"}).status_code for _ in range(3)]
        b = [c.post("/translate", data={**body, "api_key": "key-b"}).status_code for _ in range(2)]
    assert a == [200, 200, 429] and b == [200, 200]


def test_rate_limit_per_key_with_headers(app):
    with app(api_keys="a,b", rate_limit_per_minute=3) as c:
        for _ in range(3):
            r = post(c, Authorization="Bearer a")
            assert r.status_code == 200 and r.headers["ratelimit-limit"] == "3"
        r = post(c, Authorization="Bearer a")
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) > 0 and "ratelimit-reset" in r.headers
        wait = r.headers["ratelimit-reset"]
        assert r.headers["retry-after"] == wait
        assert r.json() == {
            "type": "about:blank",
            "title": "Too many requests",
            "status": 429,
            "detail": "This client has used its request quota (ROEN_RATE_LIMIT_PER_MINUTE); "
            f"retry in {wait} s.",
            "retry_after": int(wait),
        }
        assert post(c, Authorization="Bearer b").status_code == 200  # its own bucket
        for _ in range(5):
            assert c.get("/health/live").status_code == 200  # never limited


# --- CORS ---------------------------------------------------------------------------------
def test_cors_off_by_default_and_allow_list(app):
    preflight = {"Origin": "https://news.example", "Access-Control-Request-Method": "POST"}
    with app() as c:
        r = c.options("/v1/translate", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    with app(cors_origins="https://news.example") as c:
        r = c.options("/v1/translate", headers=preflight)
        assert r.headers["access-control-allow-origin"] == "https://news.example"
        r = c.options("/v1/translate", headers={**preflight, "Origin": "https://evil.example"})
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"


# --- hostile and odd input ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"text": "Bun\\u0000 ziua."}', 422),
        ('{"text": "Escape \\u001b[31m rosu."}', 422),
        ('{"text": "C1 \\u0085 aici."}', 422),
        ('{"text": "Lone \\ud800 surrogate."}', 400),  # the JSON parser refuses it already
    ],
)
def test_control_characters_and_surrogates_are_refused_clearly(app, body, status):
    with app() as c:
        r = c.post(
            "/v1/translate", content=body.encode(), headers={"content-type": "application/json"}
        )
    assert r.status_code == status
    detail = r.json()["detail"]
    assert (
        ("U+" in detail)
        if status == 422
        else ("surrogate" in detail.lower() or "malformed" in detail)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Zero\u200bwidth și\u200dalți.",
        "Bidi \u202eabc\u202c și \u2067x\u2069.",
        "Emoji 🙂🇷🇴 în text.",
        "<script>alert(1)</script> <b>HTML</b> &amp; entități.",
        "Mixed: Москва, 東京, مرحبا și București.",
        "x" * 20_000,
    ],
)
def test_odd_text_is_translated_with_the_oddity_kept(app, text):
    with app() as c:
        r = c.post("/v1/translate", json={"text": text, "include_segments": True})
    assert r.status_code == 200
    body = r.json()
    assert "".join(s["source"] for s in body["segments"]).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Bun\u0000 ziua.", "U+0000 at position 3"),
        ("Bună ziua. " * 30 + "Apoi\u001b.", "U+001B at position 334"),
        ("Linia\u0085 nouă.", "U+0085 at position 5"),
    ],
)
def test_a_control_character_is_named_with_its_position(app, text, named):
    """The README promises the 422 says which character and where, so a client can find it."""
    with app() as c:
        r = post(c, text)
    assert r.status_code == 422 and named in r.json()["detail"], r.json()["detail"]


def test_a_20000_character_word_is_split_into_pieces_that_fit_and_nothing_is_lost(app):
    """Through the API, with a fake whose tokens are characters: the word is far over the
    segment's token budget, so it is cut into pieces that each fit and are all translated."""
    backend = CharEcho()
    settings = Settings(_env_file=None)
    # 20,000 letters with no space to cut at and no repeats (equal pieces are translated once)
    word = "".join(random.Random(7).choices("aăâbcdefghiîjlmnoprsștțuvz", k=20_000))
    with app(fake_engines(settings, backend)) as c:
        r = c.post("/v1/translate", json={"text": word, "include_segments": True})
    assert r.status_code == 200
    (segment,) = r.json()["segments"]
    assert segment["source"] == word and "split" in segment["warnings"]
    rows = [text for batch in backend.batches for text in batch]
    assert len(rows) >= len(word) / settings.max_segment_tokens
    assert all(len(t) + 1 <= settings.max_segment_tokens for t in rows)  # + end of sentence
    pieces = segment["translation"].split(" ")
    assert len(pieces) == len(rows) and all(p.startswith("EN(") for p in pieces)
    assert "".join(p[3:-1] for p in pieces) == word  # every piece, in order


def test_requests_arriving_together_share_a_batch(app):
    """The API runs through the service's scheduler: sentences of different requests that
    wait while a batch runs go to the engine together, not one request at a time."""
    backend = SlowEcho(delay=0.3)
    with app(fake_engines(Settings(_env_file=None), backend)) as c:
        threads = [
            threading.Thread(target=post, args=(c, f"Cererea {i} sosește.")) for i in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert sorted(t for batch in backend.batches for t in batch) == sorted(
        f"Cererea {i} sosește." for i in range(6)
    )
    assert max(len(batch) for batch in backend.batches) >= 2, backend.batches


def test_segment_limit_is_413(app):
    with app(max_segments=5) as c:
        r = post(c, " ".join(f"Propoziția {i}." for i in range(6)))
    assert (
        r.status_code == 413
        and r.json()["limit"] == 5
        and "ROEN_MAX_SEGMENTS" in r.json()["detail"]
    )


def test_form_upload_limit_is_413(app):
    with app(max_upload_bytes=100) as c:
        r = c.post("/", data={"text": ""}, files={"file": ("a.txt", b"a" * 200, "text/plain")})
    assert r.status_code == 413 and "ROEN_MAX_UPLOAD_BYTES" in r.text


# --- request ids and structured logs ---------------------------------------------------------
def test_request_id_echoed_and_one_json_log_line_without_text(app, caplog):
    caplog.set_level(logging.INFO, logger="roen.access")
    with app() as c:
        r = post(c, "Un text secret de doi.", **{"X-Request-ID": "abc-123"})
        assert r.headers["x-request-id"] == "abc-123"
        assert len(post(c).headers["x-request-id"]) == 32  # made when not given
    (line,) = [r for r in caplog.records if getattr(r, "fields", {}).get("request_id") == "abc-123"]
    assert line.fields["route"] == "/v1/translate" and line.fields["status"] == 200
    assert line.fields["chars"] == len("Un text secret de doi.") and line.fields["segments"] == 1
    assert "secret" not in json.dumps(line.fields)

    from service.logs import JsonFormatter

    assert json.loads(JsonFormatter().format(line))["request_id"] == "abc-123"


def test_log_text_only_when_asked(app, caplog):
    caplog.set_level(logging.INFO, logger="roen.access")
    with app(log_text=True) as c:
        post(c, "Textul de depanare.")
    assert any(
        "Textul de depanare." in json.dumps(r.fields)
        for r in caplog.records
        if hasattr(r, "fields")
    )


# --- a failing batch fails only its requests -------------------------------------------------
def test_engine_fault_mid_batch_fails_only_affected_requests(app, caplog):
    class Poisoned(EchoBackend):
        def respond(self, texts):
            if any("OTRAVĂ" in t for t in texts):
                raise RuntimeError("CUDA error: device-side assert")  # whatever a real engine says
            return super().respond(texts)

    engines = fake_engines(Settings(_env_file=None), Poisoned())
    results: dict[str, object] = {}
    with app(engines) as c:

        def call(name, text):
            results[name] = post(c, text)

        threads = [threading.Thread(target=call, args=(f"ok{i}", f"Bine {i}.")) for i in range(3)]
        threads.append(threading.Thread(target=call, args=("bad", "Aici e OTRAVĂ.")))
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        bad = results["bad"]
        assert bad.status_code == 500 and bad.json()["request_id"] == bad.headers["x-request-id"]
        assert "CUDA" not in bad.text  # no internals leak
        # ...they are in the log, under the id the client was given
        logged = [r.getMessage() for r in caplog.records if r.name == "roen.http"]
        rid = bad.json()["request_id"]
        assert f"engine failure {rid} on /v1/translate: {bad.json()['detail']}" in logged
        # the worker survived: later requests succeed
        assert post(c, "După.").status_code == 200


def test_a_bug_is_a_500_with_the_request_id_and_no_internals(app, caplog):
    """An exception no handler expects (here the tokenizer raising) becomes the documented
    500: a title, the request id to quote, the traceback in the log and not in the body."""

    class Buggy(EchoBackend):
        def encode(self, texts):
            if any("BUG" in t for t in texts):
                raise KeyError("secret internal state")
            return super().encode(texts)

    caplog.set_level(logging.ERROR, logger="roen.http")
    with app(fake_engines(Settings(_env_file=None), Buggy())) as c:
        r = post(c, "Aici e un BUG.")
        after = post(c, "După.")
    rid = r.headers["x-request-id"]
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": f"Something went wrong on our side; quote request id {rid} when reporting it.",
        "request_id": rid,
    }
    (record,) = [rec for rec in caplog.records if rec.getMessage().startswith("unexpected error")]
    assert rid in record.getMessage() and "/v1/translate" in record.getMessage()
    assert record.exc_info and "secret internal state" not in r.text
    assert after.status_code == 200


def test_a_storm_of_one_warning_is_logged_once_per_interval_with_a_count():
    from service.http.serve import OncePerInterval

    quiet = OncePerInterval(seconds=60)

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, None)

    first = record("socket.accept() out of system resource")
    assert quiet.filter(first)
    assert not any(
        quiet.filter(record("socket.accept() out of system resource")) for _ in range(999)
    )
    assert quiet.filter(record("another message"))
    quiet.seconds = 0  # the interval has passed: the next one says how many were held back
    again = record("socket.accept() out of system resource")
    assert quiet.filter(again) and "999 more" in again.getMessage()


def test_the_memory_store_is_bounded():
    import asyncio

    from service.store.memory import MemoryStore

    store = MemoryStore(max_entries=100)

    async def flood() -> int:
        for i in range(5000):  # made-up clients, each its own rate window
            await store.hit(f"rate:client-{i}", 60)
        return len(await store.scan("rate:"))

    assert asyncio.run(flood()) == 100


def test_limits_that_contradict_each_other_are_refused_at_start_up():
    with pytest.raises(ValueError, match="ROEN_QUEUE_CAPACITY"):
        Settings(_env_file=None, queue_capacity=100, max_segments=5000)


def test_summaries_have_their_own_sentence_limit(app):
    with app(max_summary_sentences=10) as c:
        r = c.post("/v1/summarize", json={"text": " ".join(f"Sentence {i}." for i in range(11))})
        assert r.status_code == 413 and r.json()["limit"] == 10 and r.json()["actual"] == 11
        assert r.json()["detail"] == (
            "The text holds 11 sentences; this server summarises at most 10 per request "
            "(ROEN_MAX_SUMMARY_SENTENCES)."
        )
        exactly = c.post("/v1/summarize", json={"text": " ".join(f"S {i}." for i in range(10))})
        assert exactly.status_code == 200  # the limit itself is allowed
        r = c.post("/v1/digest", json={"text": " ".join(f"Propoziția {i}." for i in range(11))})
        assert r.status_code == 413  # refused before translating, not after


def test_a_made_up_key_does_not_buy_a_fresh_rate_limit_bucket(app):
    with app(rate_limit_per_minute=2) as c:
        codes = [post(c, Authorization=f"Bearer invented-{i}").status_code for i in range(4)]
    assert codes == [200, 200, 429, 429]
