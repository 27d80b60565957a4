"""The web form without a browser: plain form POST, upload, escaping, headers."""

import re

import pytest

from tests.support.fakes import EchoBackend, fake_engines


@pytest.fixture
def client(make_client):
    return make_client


def test_form_page_has_labels_and_security_headers(client):
    with client() as c:
        r = c.get("/")
    assert r.status_code == 200
    assert '<label for="text">' in r.text and 'id="text"' in r.text
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self' covers it
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text and "style=" not in r.text  # nothing inline for CSP to block
    assert "http://" not in r.text and "https://" not in r.text  # no CDN


def test_plain_post_renders_digest_and_side_by_side(client):
    with client() as c:
        r = c.post(
            "/", data={"text": "Titlu\n\nPrima. A doua.\n\nA treia.", "length": "short"}, files={}
        )
    assert r.status_code == 200
    assert '<h2 id="headline" tabindex="-1">EN(Titlu)</h2>' in r.text
    assert len(re.findall(r"<tr id=\"para-\d\"><td", r.text)) == 3  # one row a paragraph
    assert "EN(Prima.) EN(A doua.)" in r.text


def test_upload_file(client):
    with client() as c:
        r = c.post(
            "/",
            data={"text": "", "length": "short"},
            files={"file": ("a.txt", "Ştiri.\n\nAlta.".encode(), "text/plain")},
        )
    assert r.status_code == 200 and "EN(Știri.)" in r.text


def test_upload_not_utf8_is_explained(client):
    with client() as c:
        r = c.post("/", data={"text": ""}, files={"file": ("a.txt", b"\xff\xfe\xfa", "text/plain")})
    assert r.status_code == 422 and "UTF-8" in r.text


def test_everything_echoed_is_escaped(client):
    evil = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    with client() as c:
        r = c.post("/", data={"text": evil})
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_empty_and_too_long_are_shown_not_500(client):
    with client(max_chars=100) as c:
        assert c.post("/", data={"text": "  "}).status_code == 422
        r = c.post("/", data={"text": "a" * 101})
        assert r.status_code == 413 and "ROEN_MAX_CHARS" in r.text


def test_paragraph_with_a_warning_gets_a_marker(client):
    class Copier(EchoBackend):  # "translates" by copying: every segment is untranslated
        def respond(self, texts):
            return list(texts)

    with client(fake_engines(backend=Copier())) as c:
        r = c.post(
            "/", data={"text": "Titlu\n\nGuvernul a anunțat astăzi un nou pachet de măsuri."}
        )
    assert r.status_code == 200
    assert r.text.count('class="warn"') == 1 and "untranslated" in r.text


def test_the_glossary_box_keeps_its_terms_and_marks_them_on_both_sides(client):
    with client() as c:
        r = c.post(
            "/",
            data={"text": "Decizia Guvernului a venit.", "glossary": "Guvernul = Government\n"},
        )
        assert r.status_code == 200, r.text
        assert '<td lang="ro">Decizia <mark class="term">Guvernului</mark> a venit.</td>' in r.text
        assert 'EN(Decizia <mark class="term">Government</mark> a venit.)' in r.text
        assert "Guvernul = Government" in r.text  # the box keeps what was typed
        bad = c.post("/", data={"text": "Guvernul.", "glossary": "Guvernul\n"})
        assert bad.status_code == 422 and "Line 1 of the glossary" in bad.text


def test_a_document_uploaded_on_the_form_keeps_its_glossary(client):
    with client() as c:
        r = c.post(
            "/document",
            files={"file": ("a.txt", b"Guvernul a decis.", "text/plain")},
            data={"glossary": "Guvernul = Government"},
        )
    assert r.status_code == 200 and r.text == "EN(Government a decis.)"
