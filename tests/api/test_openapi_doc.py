"""/docs tells the truth: limits as this server enforces them, examples that are real."""

from __future__ import annotations

import json
import re

from service.http.bodies import check_json
from service.http.schemas import DigestRequest, SummarizeRequest, TranslateRequest
from service.settings import Settings

RANDOM = re.compile(r"^[A-Za-z]{20}$")  # what generated examples look like ("tQkOPQsswkMypzVvHsoV")


def document(make_client, **settings) -> dict:
    with make_client(**settings) as c:
        return c.get("/docs/openapi.json").json()


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_limits_in_the_document_are_the_servers(make_client):
    doc = document(make_client, max_texts=7, max_chars=1234)
    schemas = doc["components"]["schemas"]
    assert schemas["TranslateRequest"]["properties"]["texts"]["maxItems"] == 7
    for name in ("TranslateRequest", "DigestRequest", "SummarizeRequest"):
        assert schemas[name]["properties"]["text"]["maxLength"] == 1234


def test_no_generated_examples_anywhere(make_client):
    doc = document(make_client)
    for path, item in doc["paths"].items():
        for op in item.values():
            for response in op.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    assert "examples" not in media.get("schema", {}), path
    found = [s for s in strings(doc) if RANDOM.match(s)]
    assert not found, found[:5]


def test_request_examples_are_romanian_and_valid_for_their_route(make_client):
    doc = document(make_client)
    schemas = {
        "/v1/translate": TranslateRequest,
        "/v1/digest": DigestRequest,
        "/v1/summarize": SummarizeRequest,
    }
    for path, schema in schemas.items():
        media = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert media["examples"], path
        for example in media["examples"].values():
            check_json(json.dumps(example["value"]).encode(), schema)  # raises if invalid
    translate = doc["paths"]["/v1/translate"]["post"]["requestBody"]["content"]
    assert "ă" in json.dumps(translate, ensure_ascii=False)  # Romanian, with its letters


def test_answer_and_problem_examples_have_the_documented_shape(make_client):
    doc = document(make_client)
    for path in ("/v1/translate", "/v1/digest", "/v1/summarize"):
        responses = doc["paths"][path]["post"]["responses"]
        answer = next(iter(responses["200"]["content"]["application/json"]["examples"].values()))
        schema = responses["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        required = doc["components"]["schemas"][schema].get("required", [])
        assert set(required) <= set(answer["value"]), (path, required)
        for code in ("400", "413", "422", "503"):
            media = responses[code]["content"]["application/problem+json"]
            example = next(iter(media["examples"].values()))["value"]
            assert example["status"] == int(code) and example["title"] and example["detail"]
    problems = doc["paths"]["/v1/digest"]["post"]["responses"]
    media = problems["413"]["content"]["application/problem+json"]
    too_large = next(iter(media["examples"].values()))
    assert too_large["value"]["limit"] == 100_000  # made by the limit check, with the setting


def test_every_api_error_is_documented_as_a_problem_with_its_meaning(make_client):
    """Each status the API can answer is in the document under its own sentence, as
    application/problem+json with the problem schema, for every JSON route."""
    from service.http.problems import API_ERRORS, DESCRIPTIONS

    doc = document(make_client)
    for path in ("/v1/translate", "/v1/digest", "/v1/summarize"):
        responses = doc["paths"][path]["post"]["responses"]
        for code in API_ERRORS:
            response = responses[str(code)]
            assert response["description"] == DESCRIPTIONS[code], (path, code)
            (media,) = response["content"]
            schema = response["content"][media]["schema"]["$ref"].split("/")[-1]
            assert media == "application/problem+json" and schema == "Problem"


def test_a_json_body_is_decoded_once(monkeypatch):
    """/v1's body is decoded once, strictly, into its schema: the guard that refuses a bad
    one and the handler's `data` share it (Litestar's own decoder is never reached)."""
    import litestar.connection.request as litestar_request
    from litestar.testing import TestClient

    from service.http import bodies
    from service.http.app import create_app
    from tests.support.fakes import fake_engines

    def refuse(*args, **kwargs):
        raise AssertionError("Litestar decoded the body a second time")

    monkeypatch.setattr(litestar_request, "decode_json", refuse)
    decoded = []
    real = bodies.msgspec.json.decode
    monkeypatch.setattr(
        bodies.msgspec.json,
        "decode",
        lambda *a, **k: decoded.append(k.get("type")) or real(*a, **k),
    )
    with TestClient(create_app(Settings(_env_file=None), engines=fake_engines())) as client:
        decoded.clear()  # the OpenAPI document's examples were checked as the app was built
        r = client.post("/v1/translate", json={"text": "Bună ziua."})
        assert r.status_code == 200 and r.json()["translation"]
        assert decoded == [TranslateRequest]
        decoded.clear()
        r = client.post("/v1/digest", json={"text": "Bună ziua.", "length": "tiny"})
        assert r.status_code == 422 and "length" in r.json()["detail"]
        assert decoded == [DigestRequest, None]  # a refused body is read again, untyped
