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
    body = problem(r, 413)
    assert body["limit"] == 1_024 and body["actual"] == 2_012
    assert "2,012" in body["detail"] and "ROEN_MAX_BODY_BYTES" in body["detail"]


def test_a_wrong_method_is_titled_for_people_and_names_the_right_one(client):
    r = client.get("/v1/translate")
    body = problem(r, 405)
    assert body["title"] == "Method not allowed"
    assert "use POST" in body["detail"] and r.headers["allow"] == "POST"
