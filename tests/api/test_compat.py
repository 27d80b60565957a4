"""The LibreTranslate and DeepL dialects, replaying what Mastodon, Discourse and Weblate send
(request shapes from their source) and asserting on exactly the fields those apps read."""

from __future__ import annotations

import pytest

from tests.support.fakes import EchoBackend

FORM = {"content-type": "application/x-www-form-urlencoded"}
POST_HTML = '<p>Guvernul a anunțat măsuri noi. <span translate="no">:flag_ro:</span></p>'


@pytest.fixture
def client(make_client):
    with make_client(rate_limit_per_minute=0) as c:
        yield c


# --- Mastodon -------------------------------------------------------------------------------
def test_mastodon_libretranslate(client):
    """app/lib/translation_service/libre_translate.rb: JSON, q always an array, format html,
    api_key null when unset; reads translatedText[i] and detectedLanguage[i].language."""
    languages = client.get("/languages", headers={"content-type": "application/json"}).json()
    assert "en" in next(entry for entry in languages if entry["code"] == "ro")["targets"]
    body = {
        "q": [POST_HTML, "Avertisment: conținut sensibil"],
        "source": "auto",
        "target": "en",
        "format": "html",
        "api_key": None,
    }
    r = client.post("/translate", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["translatedText"][0] == (
        '<p>EN(Guvernul a anunțat măsuri noi. <span translate="no">:flag_ro:</span>)</p>'
    )  # the custom emoji comes back untouched, where the sentence's translation has it
    assert out["translatedText"][1] == "EN(Avertisment: conținut sensibil)"
    assert [d["language"] for d in out["detectedLanguage"]] == ["ro", "ro"]
    one = client.post("/translate", json={**body, "q": ["Bună ziua."], "source": "ro"}).json()
    assert one["translatedText"] == ["EN(Bună ziua.)"]  # an array of one stays an array
    assert "detectedLanguage" not in one


def test_mastodon_deepl(client):
    """app/lib/translation_service/deepl.rb: form-encoded, repeated text=, source_lang upper
    case or a bare key with no value, target_lang lower case, tag_handling=html."""
    r = client.post(
        "/v2/translate",
        content=b"text=Bun%C4%83+ziua.&text=Noapte+bun%C4%83.&source_lang=RO&target_lang=en&tag_handling=html",
        headers=FORM,
    )
    assert r.status_code == 200, r.text
    translations = r.json()["translations"]
    assert [t["text"] for t in translations] == ["EN(Bună ziua.)", "EN(Noapte bună.)"]
    assert translations[0]["detected_source_language"].lower() == "ro"
    r = client.post(
        "/v2/translate",
        content=b"text=Bun%C4%83+ziua.&source_lang&target_lang=en&tag_handling=html",
        headers=FORM,
    )
    assert r.status_code == 200 and r.json()["translations"][0]["detected_source_language"] == "RO"
    targets = client.get("/v2/languages?type=target").json()
    assert {t["language"] for t in targets} >= {"EN-GB", "EN-US"}


# --- Discourse ------------------------------------------------------------------------------
def test_discourse_libretranslate(client):
    """discourse-translator's libre_translate.rb: form-encoded /detect, /languages (codes
    only), then /translate with format=html; anything but exactly 200 is an error."""
    r = client.post(
        "/detect", content=b"q=Guvernul+a+anun%C8%9Bat+m%C4%83suri+noi.&api_key=", headers=FORM
    )
    assert r.status_code == 200 and r.json()[0]["language"] == "ro"
    assert 0 <= r.json()[0]["confidence"] <= 100
    codes = {entry["code"] for entry in client.get("/languages").json()}
    assert {"ro", "en"} <= codes
    r = client.post(
        "/translate",
        content=b"q=%3Cp%3EBun%C4%83+ziua.%3C%2Fp%3E&source=ro&target=en&format=html&api_key=",
        headers=FORM,
    )
    assert r.status_code == 200 and r.json()["translatedText"] == "<p>EN(Bună ziua.)</p>"


# --- Weblate --------------------------------------------------------------------------------
def test_weblate_libretranslate(client):
    """weblate/machinery/libretranslate.py: JSON, no format, api_key "" — reads translatedText
    as a list as long as q; placeholders must survive."""
    r = client.post(
        "/translate",
        json={"api_key": "", "q": ["Salut [X5X] lume.", "Două."], "source": "ro", "target": "en"},
    )
    assert r.status_code == 200
    assert r.json()["translatedText"] == ["EN(Salut [X5X] lume.)", "EN(Două.)"]


def test_weblate_deepl(client):
    """weblate/machinery/deepl.py: JSON arrays, formality "default " (with its space), XML tag
    handling with ignore_tags ["x"] and <x id=".."></x> placeholders; /v3/languages."""
    body = {
        "text": ['Salut <x id="1"></x> lume.'],
        "source_lang": "RO",
        "target_lang": "EN",
        "formality": "default ",
        "tag_handling": "xml",
        "ignore_tags": ["x"],
    }
    r = client.post("/v2/translate", json=body, headers={"Authorization": "DeepL-Auth-Key k"})
    assert r.status_code == 200, r.text
    assert r.json()["translations"][0]["text"] == 'EN(Salut) <x id="1"></x> EN(lume.)'
    langs = client.get("/v3/languages?resource=translate_text").json()
    assert any(x["lang"] == "RO" and x["usable_as_source"] for x in langs)
    assert any(x["lang"].startswith("EN") and x["usable_as_target"] for x in langs)
    glossary = client.get("/v3/languages?resource=glossary").json()  # glossaries on: ro → en
    assert {(x["lang"], x["usable_as_source"], x["usable_as_target"]) for x in glossary} == {
        ("ro", True, False),
        ("en", False, True),
    }


# --- markup, errors, keys ---------------------------------------------------------------------
def test_markup_is_never_mangled(client):
    html = (
        '<p class="x" title="Titlu">Text &lt;b&gt; liber &amp; clar.</p>'
        "<script>var a = 'nu traduce';</script><pre>cod() </pre>"
    )
    r = client.post(
        "/translate", json={"q": html, "source": "ro", "target": "en", "format": "html"}
    )
    out = r.json()["translatedText"]
    assert out.startswith('<p class="x" title="Titlu">EN(Text &lt;b&gt; liber &amp; clar.)</p>')
    assert "<script>var a = 'nu traduce';</script><pre>cod() </pre>" in out  # untouched


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"q": "Bună.", "source": "fr", "target": "en"}, "fr is not supported"),
        ({"q": "Bună.", "source": "ro", "target": "de"}, "de is not supported"),
        ({"source": "ro", "target": "en"}, "missing q"),
        ({"q": ["a", 5], "source": "ro", "target": "en"}, "list of strings"),
        ({"q": "Bună.", "source": "ro", "target": "en", "alternatives": "x"}, "not a number"),
    ],
)
def test_libretranslate_errors(client, body, words):
    r = client.post("/translate", json=body)
    assert r.status_code == 400 and words in r.json()["error"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"text": ["a"], "target_lang": "DE"}, 400, "Romanian→English"),
        ({"text": ["a"], "target_lang": "EN", "source_lang": "FR"}, 400, "source_lang"),
        ({"text": ["a"], "target_lang": "EN-GB", "glossary_id": "g1"}, 400, "requires the source"),
        (
            {"text": ["a"], "target_lang": "EN-GB", "source_lang": "RO", "glossary_id": "g1"},
            400,
            "Value for 'glossary_id' not supported",
        ),
        (
            {
                "text": ["a"],
                "target_lang": "EN-GB",
                "source_lang": "RO",
                "glossary_id": "00000000-0000-4000-8000-000000000000",
            },
            400,
            "Glossary not found",
        ),
        ({"text": ["a"] * 51, "target_lang": "EN-US"}, 413, "Too many texts"),
        ({"target_lang": "EN"}, 400, "text"),
    ],
)
def test_deepl_errors(client, body, status, words):
    r = client.post("/v2/translate", json=body)
    assert r.status_code == status and words in r.json()["message"]


def test_keys_in_each_dialect(make_client):
    with make_client(api_keys="k1", rate_limit_per_minute=0) as c:
        # LibreTranslate: no key is a 400 asking for one, a wrong one a 403
        assert (
            c.post("/translate", json={"q": "Bună.", "source": "ro", "target": "en"}).status_code
            == 400
        )
        assert (
            "error"
            in c.post(
                "/translate", json={"q": "x", "source": "ro", "target": "en", "api_key": "nope"}
            ).json()
        )
        assert (
            c.post(
                "/translate", json={"q": "Bună.", "source": "ro", "target": "en", "api_key": "k1"}
            ).status_code
            == 200
        )
        assert (
            c.post(
                "/translate?api_key=k1", content=b"q=Bun%C4%83.&source=ro&target=en", headers=FORM
            ).status_code
            == 200
        )
        r = c.post(
            "/v2/translate",
            json={"text": ["Bună."], "target_lang": "EN"},
            headers={"Authorization": "DeepL-Auth-Key nope"},
        )
        assert r.status_code == 403 and "message" in r.json()
        r = c.post(
            "/v2/translate",
            json={"text": ["Bună."], "target_lang": "EN"},
            headers={"Authorization": "DeepL-Auth-Key k1"},
        )
        assert r.status_code == 200
        assert c.get("/languages").status_code == 200  # discovery stays open, as in LibreTranslate


SLOW_DOWN = "Too many requests: slow down and retry later."


def test_rate_limit_speaks_each_dialect(make_client):
    """Each dialect's own 429 body, with the Retry-After its clients back off by."""
    with make_client(rate_limit_per_minute=1) as c:
        c.post("/translate", json={"q": "a", "source": "ro", "target": "en"})
        libre = c.post("/translate", json={"q": "a", "source": "ro", "target": "en"})
        deepl = c.post("/v2/translate", data={"text": "a", "target_lang": "EN"}, headers=FORM)
    # LibreTranslate's own words (its limiter's), DeepL's plain "Too many requests"
    for r, field, said in (
        (libre, "error", "Slowdown: 1 per 1 minute"),
        (deepl, "message", SLOW_DOWN),
    ):
        assert r.status_code == 429 and r.json() == {field: said}
        assert r.headers["retry-after"] == r.headers["ratelimit-reset"]
        assert int(r.headers["retry-after"]) >= 1


def test_not_romanian_is_detected_and_warned(make_client):
    backend = EchoBackend()
    with make_client(backend=backend) as c:
        r = c.post("/detect", json={"q": "The government announced new measures today."})
        assert r.json()[0]["language"] == "en"
        body = c.post(
            "/v1/translate",
            json={"text": "The government announced new measures today.", "include_segments": True},
        ).json()
        assert body["warnings"] == [["not_romanian"]]
        assert "not_romanian" in body["segments"][0]["warnings"]
        body = c.post(
            "/v1/translate", json={"text": "Guvernul a anunțat astăzi măsuri noi."}
        ).json()
        assert "warnings" not in body


def test_double_slashes_from_naive_url_joins(client):
    r = client.post(
        "http://testserver//translate", json={"q": "Bună.", "source": "ro", "target": "en"}
    )
    assert r.status_code == 200


def test_the_dialects_have_their_own_tags_in_openapi(client):
    doc = client.get("/docs/openapi.json").json()
    assert doc["paths"]["/translate"]["post"]["tags"] == ["libretranslate"]
    assert doc["paths"]["/v2/translate"]["post"]["tags"] == ["deepl"]
    assert "/detect" in doc["paths"] and "/v2/usage" in doc["paths"]


def test_validation_happens_before_any_work(client):
    for bad in ("²", "9" * 5000, "-1"):
        r = client.post(
            "/translate", json={"q": "Bună.", "source": "ro", "target": "en", "alternatives": bad}
        )
        assert r.status_code == 400 and "alternatives" in r.json()["error"]
    r = client.post(
        "/translate",
        json={"q": "<p>a &#12; b</p>", "source": "ro", "target": "en", "format": "html"},
    )
    assert (
        r.status_code == 400 and "U+000C" in r.json()["error"]
    )  # an entity is no way around the check
    r = client.post("/translate?q=%ff&source=ro&target=en")
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]  # the query string is strict too


def test_detection_near_the_character_limit_does_not_turn_a_success_into_a_413(make_client):
    with make_client(max_chars=100, rate_limit_per_minute=0) as c:
        texts = ["Bună ziua! " * 4 + "Salut la toți", "Ce mai faceți? " * 2 + "Bine, mulțumi"]
        assert sum(len(t) for t in texts) == 100  # at the limit: joined, they would be 101
        r = c.post("/v2/translate", json={"text": texts, "target_lang": "EN"})
        assert r.status_code == 200, r.text


def test_a_body_over_the_limit_is_refused_in_each_dialect(make_client):
    """The framework's own refusal (the body is cut off before it is parsed) still speaks
    the dialect: LibreTranslate's 400 with `error`, DeepL's 413 with `message`."""
    with make_client(max_body_bytes=1_024, rate_limit_per_minute=0) as c:
        libre = c.post("/translate", json={"q": "a" * 3_000, "source": "ro", "target": "en"})
        deepl = c.post("/v2/translate", json={"text": ["a" * 3_000], "target_lang": "EN"})
    assert libre.status_code == 400 and libre.json() == {"error": "Request Entity Too Large"}
    assert deepl.status_code == 413 and deepl.json() == {"message": "Request Entity Too Large"}


# --- LibreTranslate's contract, as its own tests and clients check it --------------------
LT = {"q": "Bună ziua.", "source": "ro", "target": "en"}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"source": "ro", "target": "en"}, "Invalid request: missing q parameter"),
        ({"q": "Bună.", "target": "en"}, "Invalid request: missing source parameter"),
        ({"q": "Bună.", "source": "ro"}, "Invalid request: missing target parameter"),
        ({**LT, "source": "zz"}, "zz is not supported"),
        ({**LT, "target": "de"}, "de is not supported"),
        ({**LT, "format": "markdown"}, "markdown format is not supported"),
        ({**LT, "alternatives": "x"}, "Invalid request: alternatives parameter is not a number"),
    ],
)
def test_libretranslate_refusals_in_its_own_words(client, body, error):
    for send in ({"json": body}, {"data": body}):
        r = client.post("/translate", **send)
        assert r.status_code == 400 and r.json() == {"error": error}, (send, r.text)


def test_libretranslate_health_spec_and_wrong_methods(client):
    assert client.get("/health").json() == {"status": "ok"}
    spec = client.get("/spec")
    assert spec.status_code == 200 and "/translate" in spec.json()["paths"]
    for path in ("/health", "/spec"):
        assert client.post(path).status_code == 405
    assert client.get("/translate").status_code == 405


def test_libretranslate_keys_and_limits_in_its_own_words(make_client):
    with make_client(api_keys="k", max_chars=20) as c:
        assert c.post("/translate", json=LT).json() == {
            "error": "Please contact the server operator to get an API key"
        }
        assert c.post("/translate", json=LT).status_code == 400
        wrong = c.post("/translate", json={**LT, "api_key": "nope"})
        assert wrong.status_code == 403 and wrong.json() == {"error": "Invalid API key"}
        long = c.post("/translate", json={**LT, "q": "a" * 25, "api_key": "k"})
        assert long.status_code == 400
        assert long.json() == {"error": "Invalid request: request (25) exceeds text limit (20)"}
