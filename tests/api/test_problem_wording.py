"""Every problem a client can cause reads as advice: a human title, a detail that says what
to send instead, the field path — described from the schema, so the words stay true."""

from __future__ import annotations

import pytest

JSON = {"content-type": "application/json"}


def problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] and not body["title"].endswith("Exception"), body
    return body


@pytest.fixture
def client(make_client):
    with make_client() as c:
        yield c


def test_an_empty_body_says_it_is_empty_and_what_to_send(client):
    body = problem(client.post("/v1/translate", content=b"", headers=JSON), 400)
    assert "empty" in body["detail"] and '{"text": ' in body["detail"]
    assert "truncated" not in body["detail"]


def test_an_unknown_field_is_named_with_the_fields_the_route_takes(client):
    body = problem(client.post("/v1/translate", json={"txt": "Bună."}), 422)
    assert body["errors"] == [{"field": "txt", "message": body["detail"]}]
    assert "Did you mean `text`?" in body["detail"]
    for name in ("text", "texts", "beam_size", "include_segments"):
        assert name in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"text": "a", "texts": ["b"]}, "texts"), ({}, "text"), ({"beam_size": 2}, "text")],
)
def test_text_and_texts_is_one_or_the_other(client, body, field):
    got = problem(client.post("/v1/translate", json=body), 422)
    assert got["title"] != "Empty input"
    assert got["errors"][0]["field"] == field
    assert "exactly one of `text`" in got["detail"]
    assert ("not both" in got["detail"]) == ("texts" in body and "text" in body)


def test_a_bad_enum_lists_the_values_allowed(client):
    body = problem(client.post("/v1/digest", json={"text": "Bună.", "length": "tiny"}), 422)
    assert body["errors"][0]["field"] == "length"
    for value in ('"short"', '"medium"', '"long"', "'tiny'"):
        assert value in body["detail"]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"text": "a", "beam_size": 99}, "beam_size", "a whole number from 1 to 8"),
        ({"text": "a", "beam_size": "2"}, "beam_size", "a whole number from 1 to 8"),
        ({"text": ""}, "text", "a non-empty string"),
        ({"texts": ["a", 1]}, "texts[1]", "Send a string"),
        ({"texts": "a"}, "texts", "a list of strings"),
        ({"text": "a", "include_segments": "yes"}, "include_segments", "true or false"),
    ],
)
def test_a_wrong_value_names_its_path_and_what_to_send(client, body, field, says):
    got = problem(client.post("/v1/translate", json=body), 422)
    assert got["errors"] == [{"field": field, "message": got["detail"]}]
    assert f"`{field}`" in got["detail"] and says in got["detail"]


def test_a_body_that_is_not_an_object_says_so(client):
    body = problem(client.post("/v1/summarize", json=["Bună."]), 422)
    assert "must be a JSON object" in body["detail"] and body["errors"][0]["field"] is None


def test_a_missing_required_field_is_named(client):
    body = problem(client.post("/v1/summarize", json={"length": "short"}), 422)
    assert body["errors"][0]["field"] == "text" and "a non-empty string" in body["detail"]


def test_an_oversized_body_gives_its_size_and_the_limit(make_client):
    with make_client(max_body_bytes=1_024) as c:
        r = c.post("/v1/translate", content=b'{"text": "' + b"a" * 2_000 + b'"}', headers=JSON)
    assert problem(r, 413) == {
        "type": "about:blank",
        "title": "Request too large",
        "status": 413,
        "detail": "The request body has 2,012 bytes; this server accepts at most 1,024 bytes "
        "(ROEN_MAX_BODY_BYTES). Split the text into several requests.",
        "limit": 1_024,
        "actual": 2_012,
    }


def test_an_oversized_body_sent_without_its_length_still_gets_the_limit(make_client):
    """A chunked body (no Content-Length) is cut off at the limit; the 413 cannot say how
    big it was, only what the server takes."""
    chunks = iter([b'{"text": "', b"a" * 1_000, b"a" * 1_000, b'"}'])
    with make_client(max_body_bytes=1_024) as c:
        r = c.post("/v1/translate", content=chunks, headers=JSON)
    assert "content-length" not in r.request.headers
    assert problem(r, 413) == {
        "type": "about:blank",
        "title": "Request too large",
        "status": 413,
        "detail": "The request body is larger than this server accepts: at most 1,024 bytes "
        "(ROEN_MAX_BODY_BYTES). Split the text into several requests.",
        "limit": 1_024,
    }


def test_a_wrong_method_is_titled_for_people_and_names_the_right_one(client):
    r = client.get("/v1/translate")
    body = problem(r, 405)
    assert body["title"] == "Method not allowed"
    assert "use POST" in body["detail"] and r.headers["allow"] == "POST"


def test_a_schema_error_from_the_framework_is_a_422_naming_each_field():
    """Bodies are checked before Litestar decodes them; should its own validation refuse one
    anyway, the 422 has the shape of ours: each field with its message."""
    from litestar.exceptions import ValidationException

    from service.http.problems import on_http_error

    extra = [
        {"key": "text", "message": "Expected `str`"},
        {"key": "beam_size", "message": "Expected `int`"},
        "not a field",
    ]
    r = on_http_error(None, ValidationException(detail="Validation failed", extra=extra))  # type: ignore[arg-type]
    assert r.status_code == 422 and r.media_type == "application/problem+json"
    assert r.content == {
        "type": "about:blank",
        "title": "Invalid request body",
        "status": 422,
        "detail": "The body does not match the schema "
        "(text: Expected `str`; beam_size: Expected `int`).",
        "errors": [
            {"field": "text", "message": "Expected `str`"},
            {"field": "beam_size", "message": "Expected `int`"},
        ],
    }
    bare = on_http_error(None, ValidationException(detail="Validation failed"))  # type: ignore[arg-type]
    assert bare.content["errors"] == []
    assert bare.content["detail"] == "The body does not match the schema (Validation failed)."


def test_other_framework_errors_keep_their_status_phrase_detail_and_headers():
    """Whatever else Litestar raises becomes a problem with its status's phrase as title."""
    from litestar.exceptions import HTTPException

    from service.http.problems import on_http_error

    exc = HTTPException(status_code=409, detail="Already there", headers={"X-Why": "dup"})
    r = on_http_error(None, exc)  # type: ignore[arg-type]  # these branches read no request
    assert r.status_code == 409 and r.headers["X-Why"] == "dup"
    assert r.content == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "Already there",
    }
    odd = on_http_error(None, HTTPException(status_code=599, detail="?"))  # type: ignore[arg-type]
    assert odd.status_code == 599 and odd.content["title"] == "Error"


@pytest.mark.parametrize(
    ("key", "allow", "use", "header"),
    [
        ("allow", "POST, GET, OPTIONS", "GET, POST", "GET, POST"),
        ("Allow", "POST", "POST", "POST"),  # either spelling of the header
        ("allow", None, "another", None),
    ],
)
def test_a_wrong_method_names_the_methods_allowed_sorted(key, allow, use, header):
    from types import SimpleNamespace

    from litestar.exceptions import HTTPException

    from service.http.problems import on_http_error

    request = SimpleNamespace(method="PUT", url=SimpleNamespace(path="/v1/translate"))
    exc = HTTPException(status_code=405, headers={key: allow} if allow else None)
    r = on_http_error(request, exc)  # type: ignore[arg-type]
    assert r.content["detail"] == f"PUT is not allowed on /v1/translate; use {use}."
    assert {k.lower(): v for k, v in r.headers.items()}.get("allow") == header


def test_each_request_limit_says_what_was_sent_and_what_to_do(make_client):
    with make_client(max_chars=20, max_texts=2) as c:
        ok = c.post("/v1/translate", json={"texts": ["Unu.", "Doi."]})
        assert ok.status_code == 200, ok.text  # exactly the limit is allowed
        body = problem(c.post("/v1/translate", json={"texts": ["a.", "b.", "c."]}), 413)
        assert body["detail"] == "3 texts in one request; the limit is 2 (ROEN_MAX_TEXTS)."
        body = problem(c.post("/v1/translate", json={"text": "Bună ziua. " * 3}), 413)
        assert body["detail"] == (
            "The request holds 33 characters; this server accepts at most 20 per request "
            "(ROEN_MAX_CHARS). Split the text into several requests."
        )
        body = problem(c.post("/v1/translate", json={"texts": [" ", "\n"]}), 422)
        assert body["detail"] == "There is no text to process: send non-empty `text`."


def test_a_control_character_is_refused_by_name(client):
    raw = b'{"text": "Da\\u0007."}'
    body = problem(client.post("/v1/translate", content=raw, headers=JSON), 422)
    assert body["detail"] == (
        "The text contains the control character U+0007 at position 2; "
        "remove it and send the text again."
    )


def test_a_lone_surrogate_is_refused_where_json_lets_it_through():
    """The HTTP edge refuses a lone surrogate escape as malformed JSON (400); a `roen batch`
    record read with json.loads still carries one, and the limits name it."""
    from service.errors import InputError
    from service.pipeline.limits import Limits

    with pytest.raises(InputError) as caught:
        Limits().check(["Nu \ud800."])
    assert "U+D800 at position 3" in caught.value.detail


def test_the_remaining_framework_errors_read_as_advice():
    from types import SimpleNamespace

    from litestar.exceptions import HTTPException, NotFoundException

    from service.http.problems import on_http_error

    request = SimpleNamespace(method="GET", url=SimpleNamespace(path="/v1/nowhere"))
    bad = on_http_error(request, HTTPException(status_code=400, detail="Invalid multipart"))  # type: ignore[arg-type]
    assert bad.status_code == 400
    assert bad.content == {
        "type": "about:blank",
        "title": "Malformed request",
        "status": 400,
        "detail": "Invalid multipart. Send a JSON object (UTF-8).",
    }
    missing = on_http_error(request, NotFoundException())  # type: ignore[arg-type]
    assert missing.status_code == 404
    assert (missing.content["title"], missing.content["detail"]) == (
        "Not found",
        "No resource at /v1/nowhere.",
    )


@pytest.mark.parametrize(("reset", "retry"), [({"RateLimit-Reset": "17"}, "17"), ({}, "60")])
def test_a_429_says_when_to_retry_in_every_dialect(reset, retry):
    """The wait is the limiter's own RateLimit-Reset (a minute when it gives none), in the
    JSON API's problem and in what the LibreTranslate and DeepL dialects are handed."""
    from litestar.exceptions import HTTPException

    from service.http.problems import on_http_error, status_of

    exc = HTTPException(status_code=429, headers=dict(reset))
    r = on_http_error(None, exc)  # type: ignore[arg-type]
    assert r.headers["Retry-After"] == retry and r.content["retry_after"] == retry
    assert r.content["detail"].endswith(f"retry in {retry} s.")
    status, detail, headers = status_of(HTTPException(status_code=429, headers=dict(reset)))
    assert (status, detail) == (429, "Too many requests: slow down and retry later.")
    assert headers == {**reset, "Retry-After": retry}


def test_what_the_dialects_are_handed_for_other_errors():
    from litestar.exceptions import HTTPException

    from service.errors import Overloaded, RoenError
    from service.http.problems import problem_for, status_of

    assert status_of(Overloaded("Full.", retry_after_s=7)) == (503, "Full.", {"Retry-After": "7"})
    assert status_of(HTTPException(status_code=409, detail="Taken")) == (409, "Taken", {})
    blank = HTTPException(status_code=409)
    blank.detail = ""
    assert status_of(blank) == (409, "Error.", {})
    # A roen error of no more specific kind is the server's fault: 500.
    assert problem_for(RoenError("Something unforeseen.")).status == 500
