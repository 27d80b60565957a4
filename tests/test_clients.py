"""The real client libraries, pointed at a running `roen serve` (tiny checkpoint): the
official `deepl` Python client with `server_url`, and `libretranslatepy`."""

from __future__ import annotations

import os

import pytest

from tests.live_server import Server

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def server(tiny_marian, tmp_path_factory):
    cache = os.environ["ROEN_MODEL_CACHE"]  # where tiny_marian was converted
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": cache,
            "ROEN_BEAM_SIZE": "1",
            "ROEN_API_KEYS": "client-key",
        }
    )
    server.wait_ready(timeout=180)
    yield server
    server.stop()


def test_deepl_client(server):
    import deepl

    translator = deepl.Translator("client-key", server_url=server.base + "/")
    one = translator.translate_text("Guvernul a anunțat măsuri noi.", target_lang="EN-GB")
    assert one.text and one.detected_source_lang == "RO" and one.billed_characters == 30
    many = translator.translate_text(
        ["Bună ziua.", "Ploile au provocat inundații."], source_lang="RO", target_lang="EN-US"
    )
    assert len(many) == 2 and all(r.text for r in many)
    html = translator.translate_text(
        "<p>Bună <b>ziua</b>.</p>", target_lang="EN-GB", tag_handling="html"
    )
    assert html.text.startswith("<p>") and "<b>" in html.text and html.text.endswith("</p>")
    assert [x.code for x in translator.get_source_languages()] == ["RO"]
    assert {x.code for x in translator.get_target_languages()} == {"EN-GB", "EN-US"}
    usage = translator.get_usage()
    assert usage.character.count >= 30 and not usage.any_limit_reached
    with pytest.raises(deepl.AuthorizationException):
        deepl.Translator("wrong-key", server_url=server.base + "/").translate_text(
            "Bună.", target_lang="EN-GB"
        )


def test_libretranslatepy_client(server):
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(server.base + "/", api_key="client-key")
    assert lt.translate("Guvernul a anunțat măsuri noi.", "ro", "en")
    detected = lt.detect("Guvernul a anunțat astăzi un nou pachet de măsuri.")
    assert detected[0]["language"] == "ro" and detected[0]["confidence"] > 50
    languages = lt.languages()
    assert any(x["code"] == "ro" and "en" in x["targets"] for x in languages)
    with pytest.raises(Exception) as err:  # urllib raises HTTPError (403) for a bad key
        LibreTranslateAPI(server.base + "/", api_key="wrong").translate("Bună.", "ro", "en")
    assert "403" in str(err.value)
