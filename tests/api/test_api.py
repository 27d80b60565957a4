"""The HTTP API with fake engines injected into create_app: contracts, limits, problem details."""

from __future__ import annotations

import threading
import time

import pytest

from service.errors import ModelMissing, roen_command
from service.pipeline.engines import Builders, Engines
from service.settings import Settings
from tests.support.fakes import EchoBackend, fake_builders, fake_engines

ARTICLE = (
    "Titlu de știre\n\nPrima propoziție. A doua propoziție.\nUn rând nou.\n\nAl treilea paragraf."
)


def settings(**kw):
    return Settings(_env_file=None, **kw)


@pytest.fixture
def client(make_client):
    with make_client(max_chars=1000, max_texts=3) as c:
        yield c


def is_problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in r.text
    return body


def test_translate_text(client):
    r = client.post("/v1/translate", json={"text": ARTICLE})
    assert r.status_code == 200
    body = r.json()
    assert body["translation"] == (
        "EN(Titlu de știre)\n\n"
        "EN(Prima propoziție.) EN(A doua propoziție.)\nEN(Un rând nou.)\n\n"
        "EN(Al treilea paragraf.)"
    )
    assert body["model"] == "echo" and body["elapsed_ms"] >= 0
    assert "segments" not in body and "translations" not in body


def test_translate_texts_with_segments(client):
    r = client.post(
        "/v1/translate",
        json={"texts": ["Unu. Doi.", "Trei."], "include_segments": True, "beam_size": 2},
    )
    body = r.json()
    assert body["translations"] == ["EN(Unu.) EN(Doi.)", "EN(Trei.)"]
    assert [(s["source"], s["text_index"], s["paragraph"]) for s in body["segments"]] == [
        ("Unu.", 0, 0),
        ("Doi.", 0, 0),
        ("Trei.", 1, 0),
    ]


def test_summarize(client):
    r = client.post("/v1/summarize", json={"text": "One. Two. Three. Four.", "max_sentences": 2})
    assert r.json()["sentences"] == ["One.", "Two."]
    assert r.json()["summary"] == "One. Two."
    r = client.post(
        "/v1/summarize",
        json={"text": " ".join(f"Sentence {i}." for i in range(9)), "length": "medium"},
    )
    assert len(r.json()["sentences"]) == 5


def test_digest(client):
    r = client.post("/v1/digest", json={"text": ARTICLE, "include_segments": True})
    body = r.json()
    assert r.status_code == 200
    assert body["headline"] == "EN(Titlu de știre)"
    assert body["summary_sentences"] == [
        "EN(Prima propoziție.)",
        "EN(A doua propoziție.)",
        "EN(Un rând nou.)",
    ]
    assert body["translation"].count("\n\n") == 2
    assert len(body["segments"]) == 5


def test_models(client):
    body = client.get("/v1/models").json()
    assert body["ready"] is True
    assert {m["role"] for m in body["models"]} == {"translation", "summary"}


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ({"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}}, 400),
        ({"content": '{"text": "Bună."}'.encode(), "headers": {"content-type": "text/plain"}}, 415),
        ({"content": '{"text": "Bună."}'.encode(), "headers": {}}, 415),
        ({"json": {"text": ""}}, 422),
        ({"json": {"text": "  \n "}}, 422),
        ({"json": {}}, 422),
        ({"json": {"text": "a", "texts": ["b"]}}, 422),
        ({"json": {"texts": []}}, 422),
        ({"json": {"text": 5}}, 422),
        ({"json": {"text": "a", "beam_size": 99}}, 422),
        ({"json": {"text": "a", "surprise": 1}}, 422),
        ({"json": ["text"]}, 422),
        ({"json": {"text": "a" * 1001}}, 413),
        ({"json": {"texts": ["a"] * 4}}, 413),
        ({"json": {"texts": ["a" * 600, "b" * 600]}}, 413),
    ],
)
def test_bad_requests_get_problem_details(client, kwargs, status):
    body = is_problem(client.post("/v1/translate", **kwargs), status)
    if status == 413 and "json" in kwargs:
        assert body["limit"] < body["actual"]


def test_body_size_limit_before_parsing(make_client):
    with make_client(max_body_bytes=2048) as c:
        is_problem(c.post("/v1/translate", json={"text": "x" * 5000}), 413)


def test_unknown_route_and_method(client):
    is_problem(client.get("/v1/nope"), 404)
    is_problem(client.get("/v1/translate"), 405)


def test_engine_crash_is_500_with_request_id(make_client):
    class Broken(EchoBackend):
        def respond(self, texts):
            if "Bună." in texts:
                raise RuntimeError("boom")
            return super().respond(texts)

    with make_client(backend=Broken()) as c:
        body = is_problem(c.post("/v1/translate", json={"text": "Bună."}), 500)
        assert len(body["request_id"]) == 32 and "boom" not in body["detail"]
        assert c.get("/health/live").status_code == 200
        assert c.post("/v1/translate", json={"text": "Altceva."}).status_code == 200


def test_timeout_is_504_and_the_request_leaves_the_queue(make_client):
    class Slow(EchoBackend):
        def respond(self, texts):
            time.sleep(1.0)
            return super().respond(texts)

    backend = Slow()
    limits = {"request_timeout_s": 0.3, "max_batch_size": 1}  # one sentence per batch
    engines = fake_engines(settings(**limits), backend)
    with make_client(engines, **limits) as c:
        started = time.perf_counter()
        body = is_problem(c.post("/v1/translate", json={"text": "Bună. Ce faci? Bine."}), 504)
        assert "ROEN_REQUEST_TIMEOUT_S" in body["detail"]
        assert time.perf_counter() - started < 0.9  # answered at the deadline, not after the batch
        time.sleep(1.2)  # the running batch ends; nothing of that request runs after it
        assert len(backend.batches) == 1
        stats = engines.scheduler.stats()
        assert stats.queued_rows == 0 and stats.cancelled_rows == 2


class Gate:
    """A builder that blocks until released: a model still loading."""

    def __init__(self, build) -> None:
        self.build = build
        self.released = threading.Event()

    def __call__(self, settings):
        self.released.wait(10)
        return self.build(settings)


def test_ready_while_loading_then_ready(make_client):
    fakes = fake_builders()
    translation = Gate(fakes.translation)
    engines = Engines(settings(), Builders(translation, fakes.summary))
    with make_client(engines) as c:
        assert c.get("/health/live").status_code == 200
        body = is_problem(c.get("/health/ready"), 503)
        assert "loading" in body["detail"]
        r = c.post("/v1/translate", json={"text": "Bună."})
        assert is_problem(r, 503) and r.headers["retry-after"] == "5"
        translation.released.set()
        for _ in range(100):
            if c.get("/health/ready").status_code == 200:
                break
            time.sleep(0.05)
        assert c.get("/health/ready").status_code == 200
        assert c.post("/v1/translate", json={"text": "Bună."}).json()["translation"] == "EN(Bună.)"


def test_a_failed_translation_model_is_reported_while_the_summariser_still_loads(make_client):
    err = ModelMissing("Helsinki-NLP/opus-mt-roa-en", "/cache")

    def missing(settings):
        raise err

    summary = Gate(fake_builders().summary)
    engines = Engines(settings(), Builders(missing, summary))
    with make_client(engines) as c:
        for _ in range(100):  # the translation role settles first
            if not engines.translation.loading:
                break
            time.sleep(0.02)
        body = is_problem(c.post("/v1/translate", json={"text": "Bună."}), 503)
        assert body["fix"] == err.command and "retry-after" not in {
            k.lower() for k in c.post("/v1/translate", json={"text": "Bună."}).headers
        }
        r = c.post("/v1/summarize", json={"text": "A. B."})  # the summariser: still loading
        assert is_problem(r, 503) and "loading" in r.json()["detail"]
        summary.released.set()


def test_missing_model_names_model_and_command(make_client):
    def missing(settings):
        raise ModelMissing("Helsinki-NLP/opus-mt-roa-en", "/cache")

    engines = Engines(settings(), Builders(missing, fake_builders().summary))
    engines.load()
    with make_client(engines) as c:
        body = is_problem(c.get("/health/ready"), 503)
        assert (
            "Helsinki-NLP/opus-mt-roa-en" in body["detail"]
            and "roen models download" in body["detail"]
        )
        body = is_problem(c.post("/v1/translate", json={"text": "Bună."}), 503)
        assert body["fix"] == roen_command("models download")
        # the summariser still works; the form still renders, with a banner
        assert c.post("/v1/summarize", json={"text": "A. B."}).status_code == 200
        page = c.get("/")
        # the command as code, not with its backticks showing
        assert page.status_code == 200 and f"<code>{body['fix']}</code>" in page.text
        assert "`" not in page.text.split('class="banner"')[1].split("</p>")[0]


def test_openapi_generated_from_types(client):
    doc = client.get("/docs/openapi.json").json()
    assert {"/v1/translate", "/v1/summarize", "/v1/digest", "/v1/models", "/health/ready"} <= set(
        doc["paths"]
    )
    schemas = doc["components"]["schemas"]
    assert (
        "TranslateRequest" in schemas and "beam_size" in schemas["TranslateRequest"]["properties"]
    )


def test_metrics_count_requests_and_engine_work(client):
    client.post("/v1/translate", json={"text": "Bună ziua. Ce faci?"})
    client.post("/v1/translate", json={"text": ""})
    text = client.get("/metrics").text
    assert 'roen_requests_total{route="/v1/translate",status="200"} 1.0' in text
    assert 'roen_requests_total{route="/v1/translate",status="422"} 1.0' in text
    assert "roen_request_seconds_bucket" in text and "roen_ready 1.0" in text
    assert "roen_queue_sentences 0.0" in text


def test_a_loader_that_cannot_even_import_reports_why(make_client):
    def broken_install(settings):
        raise RuntimeError("Unable to find torch_shm_manager")  # what a half-installed torch says

    engines = Engines(settings(), Builders(broken_install, broken_install))
    engines.load()
    assert not engines.loading and not engines.ready
    with make_client(engines) as c:
        body = is_problem(c.get("/health/ready"), 503)
        assert "torch_shm_manager" in body["detail"]


def test_interactive_docs_need_no_internet(client):
    page = client.get("/docs/swagger")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert client.get(f"/static/swagger/{asset}").status_code == 200


def test_a_model_that_loads_but_cannot_translate_is_reported(make_client):
    class Broken(EchoBackend):
        def respond(self, texts):
            raise RuntimeError("illegal instruction in the int8 kernel")

    engines = Engines(settings(), fake_builders(Broken()))
    engines.load()
    assert engines.translation.engine is None and engines.summary.engine is not None
    with make_client(engines) as c:
        body = is_problem(c.get("/health/ready"), 503)
        assert "illegal instruction" in body["detail"]


def test_each_sentence_is_tokenised_once_and_a_cache_hit_not_at_all(make_client):
    backend = EchoBackend()
    with make_client(backend=backend) as c:
        text = "Prima propoziție. A doua propoziție.\n\nPrima propoziție. Ultima."
        assert c.post("/v1/translate", json={"text": text}).status_code == 200
        assert sorted(backend.encoded) == ["A doua propoziție.", "Prima propoziție.", "Ultima."]
        backend.forget()
        assert c.post("/v1/translate", json={"text": "Ultima. Nouă."}).status_code == 200
        assert backend.encoded == ["Nouă."]  # "Ultima." came from the sentence cache
        assert backend.batches == [["Nouă."]]
