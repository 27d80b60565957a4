"""A web page → its digest: the article's title and text taken from the page (not its
navigation, ads, scripts or footer), then digested; the response says what was taken."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.text.page import extract, looks_like_page

PAGES = Path(__file__).parent.parent / "data" / "html"
ARTICLE = (PAGES / "article.html").read_text()


def test_a_news_page_gives_its_headline_and_its_article_only():
    found = extract(ARTICLE)
    assert found.method == "trafilatura"
    assert found.title == "Guvernul a aprobat bugetul pe 2026"  # the h1, not "… | Știri Naționale"
    paragraphs = found.text.split("\n\n")
    assert paragraphs[0] == found.title
    assert paragraphs[1].startswith("Guvernul a aprobat joi proiectul de buget")
    # a quotation inside a sentence leaves the sentence whole
    assert (
        "Ministrul Finanțelor a declarat că cheltuielile cu investițiile vor crește, iar "
        "salariile din sectorul public vor fi înghețate până în vară." in paragraphs
    )
    assert (
        "Formula pentru calcul este total = venituri - cheltuieli și rămâne neschimbată."
        in paragraphs
    )
    for chrome in (
        "Acasă",
        "Politică",
        "Publicitate",
        "drepturile rezervate",
        "dataLayer",
        "display",
    ):
        assert chrome not in found.text


def test_a_fragment_is_all_article_with_its_never_translated_words():
    found = extract((PAGES / "mastodon.html").read_text())
    assert found.method == "blocks" and found.title is None
    assert (
        found.text.split("\n\n")[0]
        == "Azi la @ana am discutat despre #buget și despre noul proiect."
    )


@pytest.mark.parametrize(
    ("text", "page"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        ("  \n<!-- saved --><html lang=ro><p>x</p>", True),
        ("<p>Doar un paragraf.</p>", False),
        ("Un text despre <html> și pagini.", False),
    ],
)
def test_what_counts_as_a_page(text, page):
    assert looks_like_page(text) is page


def test_og_title_then_the_title_element_when_there_is_no_h1():
    page = (
        "<html><head><title>Titlu | Site</title>"
        '<meta property="og:title" content="Titlul &amp; ziarului"></head>'
        "<body><p>Un paragraf cu destul text pentru a fi articolul paginii de azi.</p>"
        "</body></html>"
    )
    assert extract(page).title == "Titlul & ziarului"
    assert extract(page.replace("og:title", "og:x")).title == "Titlu | Site"


@pytest.fixture
def client(make_client):
    with make_client(rate_limit_per_minute=0) as c:
        yield c


def test_v1_digest_of_a_page_says_what_it_extracted(client):
    r = client.post(
        "/v1/digest", json={"text": ARTICLE, "format": "html", "include_segments": True}
    )
    assert r.status_code == 200, r.text
    out = r.json()
    extracted = out["extracted"]
    assert (
        extracted["method"] == "trafilatura"
        and extracted["title"] == "Guvernul a aprobat bugetul pe 2026"
    )
    assert extracted["characters"] == len(extracted["text"]) and "Acasă" not in extracted["text"]
    assert out["headline"] == "EN(Guvernul a aprobat bugetul pe 2026)"
    assert out["segments"][1]["source"].startswith("Guvernul a aprobat joi")
    assert "<p" not in out["translation"] and "href" not in out["translation"]  # text, not markup
    plain = client.post("/v1/digest", json={"text": "Titlu.\n\nUn paragraf."}).json()
    assert "extracted" not in plain


def test_a_page_larger_than_the_character_limit_is_digested_by_its_article(make_client):
    """ROEN_MAX_CHARS bounds what is translated: a page's scripts and markup do not count."""
    page = ARTICLE.replace("</head>", "<script>" + "x" * 5_000 + "</script></head>")
    with make_client(rate_limit_per_minute=0, max_chars=3_000) as c:
        r = c.post("/v1/digest", json={"text": page, "format": "html"})
        assert r.status_code == 200, r.text
        r = c.post("/v1/digest", json={"text": page})
        assert r.status_code == 413


def test_a_streamed_page_digest_extracts_first(client):
    r = client.post(
        "/v1/digest",
        json={"text": ARTICLE, "format": "html"},
        headers={"accept": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert lines[1]["source"] == "Guvernul a aprobat bugetul pe 2026"
    assert lines[-1]["type"] == "done" and lines[-1]["extracted"]["method"] == "trafilatura"


def test_a_page_with_no_text_is_refused_with_a_reason(client):
    r = client.post(
        "/v1/digest",
        json={"text": "<html><body><script>x()</script></body></html>", "format": "html"},
    )
    assert r.status_code == 422 and "no text" in r.json()["detail"]


def test_the_form_digests_an_uploaded_page_and_shows_what_it_read(client):
    r = client.post(
        "/", data={"text": ""}, files={"file": ("pagina.html", ARTICLE.encode(), "text/html")}
    )
    assert r.status_code == 200, r.text
    assert "EN(Guvernul a aprobat bugetul pe 2026)" in r.text  # the headline
    assert "Publicitate" not in r.text and "dataLayer" not in r.text
    pasted = client.post("/", data={"text": ARTICLE})
    assert "EN(Guvernul a aprobat bugetul pe 2026)" in pasted.text


def test_a_page_digest_keeps_the_beam_it_was_asked_for(make_client):
    from tests.support.fakes import EchoBackend

    backend = EchoBackend()
    with make_client(backend=backend, rate_limit_per_minute=0) as c:
        r = c.post("/v1/digest", json={"text": ARTICLE, "format": "html", "beam_size": 3})
    assert r.status_code == 200 and set(backend.beams) == {3}
