"""Every byte a client can send, against the real ASGI app (fake engines): bodies, content
types, charsets, form parts and paths. Classes of input are generated, not listed, so the
next probe of a kind already seen also fails to break it: no 5xx, ever."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from service.http.app import create_app
from service.settings import Settings
from tests.support.fakes import fake_engines

ROUTES = ["/v1/translate", "/v1/summarize", "/v1/digest", "/"]
BAD_UTF8 = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80", b"\xf8\x88\x80\x80\x80"]


@pytest.fixture(scope="module")
def client():
    config = Settings(_env_file=None, rate_limit_per_minute=0, max_chars=2000)
    with TestClient(create_app(config, fake_engines(config))) as c:
        yield c


def no_5xx(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        assert response.json()["detail"]  # a sentence a person can act on


def json_with(raw: bytes, where: str) -> bytes:
    """`raw` bytes spliced into a string value, into a key, or between tokens."""
    if where == "value":
        return b'{"text": "Bun' + raw + b'a ziua."}'
    if where == "key":
        return b'{"te' + raw + b'xt": "Bun\xc4\x83."}'
    return b'{"text": "Bun\xc4\x83."' + raw + b"}"


# --- classes found from outside, generated ----------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(ROUTES[:3]),
    raw=st.one_of(st.sampled_from(BAD_UTF8), st.binary(min_size=1, max_size=8)),
    where=st.sampled_from(["value", "key", "between"]),
)
def test_bytes_inside_json(client, route, raw, where):
    r = client.post(
        route, content=json_with(raw, where), headers={"content-type": "application/json"}
    )
    no_5xx(r)


@pytest.mark.parametrize("raw", BAD_UTF8[:3], ids=["ff", "overlong", "surrogate"])
def test_invalid_utf8_in_a_string_is_a_400_that_says_so(client, raw):
    r = client.post(
        "/v1/translate",
        content=json_with(raw, "value"),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(depth=st.integers(33, 5000), opener=st.sampled_from([b"[", b'{"a":']))
def test_deep_nesting_is_a_400(client, depth, opener):
    body = b'{"text": ' + opener * depth + b"1"
    r = client.post("/v1/translate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text


def test_nesting_message_and_lone_surrogate_message(client):
    r = client.post(
        "/v1/translate",
        content=b"[" * 1000 + b"]" * 1000,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400 and "nested" in r.json()["detail"]
    r = client.post(
        "/v1/translate",
        content=b'{"text": "a \\ud800 b"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code in (400, 422) and "surrogate" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Bună.", "beam_size": "2"}, "beam_size"),  # a string is not a number
        ({"text": "Bună.", "include_segments": 1}, "include_segments"),
        ({"texts": ["a", 5]}, "texts[1]"),
    ],
)
def test_types_are_strict_and_the_field_is_named(client, body, field):
    r = client.post("/v1/translate", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(ROUTES),
    ctype=st.one_of(
        st.sampled_from(
            [
                "application/json",
                "application/json; charset=latin-1",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=B",
                "multipart/form-data",
                "text/plain",
                "",
            ]
        ),
        st.text(string.printable, max_size=40),
    ),
    body=st.binary(max_size=600),
)
def test_any_body_with_any_content_type(client, route, ctype, body):
    headers = {"content-type": ctype} if ctype else {}
    no_5xx(client.post(route, content=body, headers=headers))


def multipart(parts: list[tuple[str, bytes, str | None, str | None]]) -> bytes:
    out = b""
    for name, value, charset, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        ctype = f"text/plain; charset={charset}" if charset else "text/plain"
        out += (
            f"--B\r\nContent-Disposition: {disposition}\r\nContent-Type: {ctype}\r\n\r\n".encode()
        )
        out += value + b"\r\n"
    return out + b"--B--\r\n"


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    value=st.one_of(st.binary(max_size=40), st.sampled_from(BAD_UTF8)),
    charset=st.sampled_from([None, "utf-8", "latin-1", "nope", "utf-16", ""]),
    as_file=st.booleans(),
    name=st.sampled_from(["text", "file", "length", "x"]),
)
def test_form_parts_of_any_bytes_and_charset(client, value, charset, as_file, name):
    body = multipart([(name, value, charset, "a.txt" if as_file else None)])
    r = client.post("/", content=body, headers={"content-type": "multipart/form-data; boundary=B"})
    no_5xx(r)
    assert r.headers["content-type"].startswith("text/html")  # the form answers with its page


def test_form_field_not_utf8_and_unknown_charset_are_pages_saying_so(client):
    for charset in ("utf-8", "nope"):
        body = multipart([("text", b"Bun\xff ziua.", charset, None)])
        r = client.post(
            "/", content=body, headers={"content-type": "multipart/form-data; boundary=B"}
        )
        assert r.status_code in (400, 422) and "UTF-8" in r.text, r.text[:300]
    r = client.post(
        "/",
        content=b"text=Bun%FF+ziua.",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and "UTF-8" in r.text  # not a silent U+FFFD


def test_text_sent_as_a_file_part_is_its_content_not_its_headers(client):
    body = multipart([("text", "Bună ziua.".encode(), None, "t.txt")])
    r = client.post("/", content=body, headers={"content-type": "multipart/form-data; boundary=B"})
    assert r.status_code == 200 and "EN(Bună ziua.)" in r.text
    assert "Content-Disposition" not in r.text


def test_an_upload_over_the_body_limit_gets_the_page(make_client):
    with make_client(max_body_bytes=4096, max_upload_bytes=4096) as c:
        r = c.post("/", data={"text": ""}, files={"file": ("a.txt", b"a" * 10_000, "text/plain")})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "ROEN_MAX_BODY_BYTES" in r.text


RAW_NAMES = ["%00", "a%00b", "x" * 300, "..%2f..%2fetc%2fpasswd", "%ff%fe", "swagger/%00"]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.one_of(st.text(min_size=1, max_size=400), st.sampled_from(RAW_NAMES)))
def test_static_paths(client, name):
    from urllib.parse import quote

    path = "/static/" + (name if name in RAW_NAMES else quote(name))
    r = client.get(path)
    no_5xx(r)
    assert r.status_code in (200, 404)


@pytest.mark.parametrize("name", ["%00", "x" * 300])
def test_static_oddities_are_404_with_a_request_id(client, name):
    r = client.get("/static/" + name)
    assert r.status_code == 404 and len(r.headers["x-request-id"]) == 32


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300))
def test_any_unicode_text_in_valid_json(client, text):
    r = client.post(
        "/v1/translate",
        content=json.dumps({"text": text}).encode(),
        headers={"content-type": "application/json"},
    )
    no_5xx(r)
