"""A digest you can check: each summary sentence cites its segment; every segment carries the
model's confidence; alternatives from the engine's n-best; digest types and Markdown; a link
fetched under the server's policy. Through the real app, pipeline and scheduler, with the
echo fake (its confidence is 0.2 for a sentence holding "nesigur", else 0.9; its
alternatives are "ALT<k>:<best>")."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.support.fakes import fake_engines

PAGES = Path(__file__).resolve().parents[1] / "data" / "html"
ARTICLE = "Titlu de știre\n\nPrima propoziție. Sunt nesigur aici.\n\nUn rând nou. Ultimul rând."


@pytest.fixture
def client(make_client):
    with make_client() as c:
        yield c


def test_segments_carry_the_models_confidence(client):
    body = client.post("/v1/translate", json={"text": ARTICLE, "include_segments": True}).json()
    confidence = {s["source"]: s["confidence"] for s in body["segments"]}
    assert confidence["Sunt nesigur aici."] == 0.2 and confidence["Prima propoziție."] == 0.9
    assert all(s["alternatives"] == [] for s in body["segments"])  # none asked for


def test_alternatives_are_the_engines_n_best_in_batches_of_their_own(make_client):
    engines = fake_engines()
    with make_client(engines) as c:
        backend = engines.translation.engine
        backend.forget()
        body = {"text": "Bună ziua.", "alternatives": 2, "include_segments": True}
        (segment,) = c.post("/v1/translate", json=body).json()["segments"]
        assert segment["alternatives"] == ["ALT1:EN(Bună ziua.)", "ALT2:EN(Bună ziua.)"]
        plain = c.post("/v1/translate", json={"text": "Altă zi.", "include_segments": True})
        assert plain.json()["segments"][0]["alternatives"] == []
        # each batch decoded one n-best: a plain request's batch is never widened
        assert backend.hypotheses == [3, 1]
        again = c.post("/v1/translate", json=body).json()["segments"][0]
        assert again["alternatives"] == segment["alternatives"]  # the cache keeps none: decoded
        assert backend.hypotheses == [3, 1, 3]
        # an n-best's English (a wider beam) is not cached for a plain request of the same
        plain_again = c.post("/v1/translate", json={"text": "Bună ziua."}).json()
        assert plain_again["translation"] == "EN(Bună ziua.)" and backend.hypotheses[-1] == 1
        # asking for alternatives brings the segments that carry them
        bare = c.post("/v1/translate", json={"text": "Zi.", "alternatives": 1}).json()
        assert bare["segments"][0]["alternatives"] == ["ALT1:EN(Zi.)"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Da.", "alternatives": 4}, "alternatives"),
        ({"text": "<p>Da.</p>", "format": "html", "alternatives": 1}, "alternatives"),
    ],
)
def test_alternatives_out_of_bounds_are_refused(client, body, field):
    r = client.post("/v1/translate", json=body)
    assert r.status_code == 422 and field in r.text


def test_libretranslate_alternatives_are_whole_texts(client):
    r = client.post(
        "/translate",
        json={"q": "Bună ziua. Ce faci?", "source": "ro", "target": "en", "alternatives": 2},
    )
    body = r.json()
    assert body["translatedText"] == "EN(Bună ziua.) EN(Ce faci?)"
    assert body["alternatives"] == [
        "ALT1:EN(Bună ziua.) ALT1:EN(Ce faci?)",
        "ALT2:EN(Bună ziua.) ALT2:EN(Ce faci?)",
    ]
    html = client.post(
        "/translate",
        json={
            "q": "<p>Da.</p>",
            "source": "ro",
            "target": "en",
            "format": "html",
            "alternatives": 3,
        },
    )
    assert html.json()["alternatives"] == []  # as LibreTranslate: text only
    over = client.post(
        "/translate", json={"q": "Da.", "source": "ro", "target": "en", "alternatives": 4}
    )
    assert over.status_code == 400
    assert over.json() == {"error": "Invalid request: too many alternatives (4 > 3)"}


def test_each_key_point_cites_its_segment(client):
    body = client.post("/v1/digest", json={"text": ARTICLE, "include_segments": True}).json()
    segments = body["segments"]
    assert body.get("summary_type", "key-points") == "key-points"  # the default, omitted
    assert [c["segment"] for c in body["citations"]] == [1, 2, 3]
    for sentence, citation in zip(body["summary_sentences"], body["citations"], strict=True):
        segment = segments[citation["segment"]]
        assert citation["translation"] == segment["translation"] == sentence
        assert citation["source"] == segment["source"]
        assert citation["confidence"] == segment["confidence"]
    assert body["citations"][1]["confidence"] == 0.2  # the unsure sentence says so


def test_digest_types_and_markdown_footnotes(client):
    def digest(**kw):
        return client.post("/v1/digest", json={"text": ARTICLE, **kw}).json()

    assert digest(type="headline")["summary"] == "EN(Titlu de știre)"
    teaser = digest(type="teaser", length="medium")
    assert teaser["summary_sentences"] == ["EN(Prima propoziție.)", "EN(Sunt nesigur aici.)"]
    assert teaser["method"] == "lead"
    tldr = digest(type="tldr")
    assert len(tldr["summary_sentences"]) == 1 and tldr["summary_type"] == "tldr"
    markdown = digest(summary_format="markdown")["summary"]
    assert markdown == (
        "- EN(Prima propoziție.)[^1]\n- EN(Sunt nesigur aici.)[^2]\n- EN(Un rând nou.)[^3]\n\n"
        "[^1]: Prima propoziție.\n[^2]: Sunt nesigur aici.\n[^3]: Un rând nou."
    )
    assert digest(type="tldr", summary_format="markdown")["summary"] == (
        "EN(Prima propoziție.)[^1]\n\n[^1]: Prima propoziție."
    )


def test_a_streamed_digest_cites_too(client):
    import json

    r = client.post(
        "/v1/digest",
        json={"text": ARTICLE, "type": "tldr"},
        headers={"accept": "application/x-ndjson"},
    )
    lines = [json.loads(line) for line in r.text.splitlines()]
    summary = next(line for line in lines if line["type"] == "summary")
    assert summary["summary_type"] == "tldr" and summary["citations"][0]["segment"] == 1
    segments = [line for line in lines if line["type"] == "segment"]
    assert {s["confidence"] for s in segments} == {0.9, 0.2}


@pytest.fixture
def page_server() -> Iterator[str]:
    """The test pages on a loopback server (the fetch allowance names 127.0.0.0/8)."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_link_is_fetched_digested_and_its_page_described(make_client, page_server):
    with make_client(fetch_urls=True, fetch_allow_networks=["127.0.0.0/8"]) as c:
        r = c.post("/v1/digest", json={"url": page_server + "/article.html"})
        assert r.status_code == 200, r.text
        extracted = r.json()["extracted"]
        assert extracted["url"] == page_server + "/article.html"
        assert extracted["author"] == "Ana Pop" and extracted["published"] == "2026-11-26"
        assert extracted["language"] == "ro" and extracted["method"] == "trafilatura"
        assert r.json()["citations"]
        both = c.post("/v1/digest", json={"url": page_server + "/a.html", "text": "Da."})
        assert both.status_code == 422 and "exactly one" in both.json()["detail"]


def test_a_link_to_a_private_address_or_with_fetching_off_is_refused(make_client, page_server):
    with make_client(fetch_urls=True) as c:  # no allowance: loopback is refused
        r = c.post("/v1/digest", json={"url": page_server + "/article.html"})
        assert r.status_code == 422 and "loopback" in r.json()["detail"].lower()
        meta = c.post("/v1/digest", json={"url": "http://169.254.169.254/latest/meta-data/"})
        assert meta.status_code == 422
    with make_client() as c:  # off by default
        r = c.post("/v1/digest", json={"url": page_server + "/article.html"})
        assert r.status_code == 422 and "ROEN_FETCH_URLS" in r.json()["detail"]


def test_the_form_takes_the_digest_type_and_links_each_point_to_its_paragraph(client):
    page = client.post("/", data={"text": ARTICLE, "type": "teaser", "length": "medium"}).text
    assert '<option value="teaser" selected>' in page
    points = re.findall(
        r'<a class="cite" href="#para-(\d+)" data-para="\d+" data-source="([^"]+)"', page
    )
    assert points == [("1", "Prima propoziție."), ("1", "Sunt nesigur aici.")]
    assert 'id="para-1"' in page and "low_confidence" in page  # the unsure sentence's paragraph
