"""The real client libraries, pointed at a running `roen serve` (tiny checkpoint): the
official `deepl` Python client with `server_url`, and `libretranslatepy`."""

from __future__ import annotations

import io
import os

import pytest

from tests.support.live_server import Server

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


def test_documents_and_html_through_a_real_server(server):
    """As curl or any HTTP library sends them: multipart uploads, the LibreTranslate URL
    followed, HTML and a page digest — over a socket, on the tiny checkpoint."""
    from pathlib import Path

    import docx
    import httpx

    from tests.support.documents import sample_docx
    from tests.support.html import assert_structure_kept

    key = {"Authorization": "Bearer client-key"}
    word = sample_docx()
    r = httpx.post(
        server.base + "/v1/translate/file", files={"file": ("raport.docx", word)}, headers=key
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="raport.en.docx"')
    english = docx.Document(io.BytesIO(r.content))
    assert len(english.paragraphs) == len(docx.Document(io.BytesIO(word)).paragraphs)
    lt = httpx.post(
        server.base + "/translate_file",
        files={"file": ("raport.docx", word)},
        data={"source": "ro", "target": "en", "api_key": "client-key"},
    )
    assert lt.status_code == 200, lt.text
    got = httpx.get(lt.json()["translatedFileUrl"])  # no key: the URL is the secret
    assert got.status_code == 200 and got.content[:2] == b"PK"
    page = (Path(__file__).parent.parent / "data" / "html" / "mastodon.html").read_text()
    out = httpx.post(
        server.base + "/v1/translate", json={"text": page, "format": "html"}, headers=key
    )
    assert out.status_code == 200 and assert_structure_kept(page, out.json()["translation"]) is None
    article = (Path(__file__).parent.parent / "data" / "html" / "article.html").read_text()
    digest = httpx.post(
        server.base + "/v1/digest", json={"text": article, "format": "html"}, headers=key
    ).json()
    assert digest["extracted"]["title"] == "Guvernul a aprobat bugetul pe 2026"


def test_deepl_client_glossaries_and_kept_terms_on_a_random_model(server):
    """The official client's glossary calls, v2 and v3, then translations with them on the
    tiny random checkpoint: whatever gibberish it writes, each term's English is there once
    per occurrence, verbatim, and the emoji and link are there byte for byte."""
    import deepl
    from deepl.api_data import MultilingualGlossaryDictionaryEntries

    translator = deepl.DeepLClient("client-key", server_url=server.base + "/")
    pairs = translator.get_glossary_languages()
    assert [(p.source_lang, p.target_lang) for p in pairs] == [("ro", "en")]  # as DeepL writes
    entries = {"Guvernul": "Government", "Curtea Supremă": "Supreme Court"}
    made = translator.create_glossary("news", "RO", "EN", entries)
    assert made.entry_count == 2 and made.ready
    assert translator.get_glossary(made.glossary_id).name == "news"
    assert made.glossary_id in [g.glossary_id for g in translator.list_glossaries()]
    assert translator.get_glossary_entries(made) == entries
    text = "Guvernul a atacat decizia Curții Supreme, spune guvernul 🎉 https://gov.ro/x."
    out = translator.translate_text(text, source_lang="RO", target_lang="EN-GB", glossary=made)
    assert out.text.count("Government") == 2 and out.text.count("Supreme Court") == 1, out.text
    assert "🎉" in out.text and "https://gov.ro/x" in out.text
    translator.delete_glossary(made)
    with pytest.raises(deepl.GlossaryNotFoundException):
        translator.get_glossary(made.glossary_id)

    dictionary = MultilingualGlossaryDictionaryEntries("RO", "EN", {"Senatul": "Senate"})
    multi = translator.create_multilingual_glossary("news v3", [dictionary])
    assert multi.dictionaries[0].entry_count == 1
    translator.update_multilingual_glossary_dictionary(
        multi, MultilingualGlossaryDictionaryEntries("RO", "EN", {"PSD": "PSD"})
    )
    read = translator.get_multilingual_glossary_entries(multi, "RO", "EN")
    tsv = read.dictionaries[0].entries  # the client hands v3 entries back as TSV
    assert deepl.util.convert_tsv_to_dict(tsv) == {"Senatul": "Senate", "PSD": "PSD"}
    out = translator.translate_text(
        "Senatului i-a scris PSD-ul.", source_lang="RO", target_lang="EN-US", glossary=multi
    )
    assert out.text.count("Senate") == 1 and out.text.count("PSD") == 1, out.text
    translator.delete_multilingual_glossary(multi)
    assert translator.list_multilingual_glossaries() == []


def test_deepl_client_translates_a_document(server, tmp_path):
    """translate_document: upload, status until done, download — the official client's
    own loop; the English document keeps its format (a .docx stays one)."""

    import deepl
    import docx

    translator = deepl.Translator("client-key", server_url=server.base + "/")
    word = docx.Document()
    word.add_paragraph("Raportul anual a fost publicat astăzi.")
    source = tmp_path / "raport.docx"
    word.save(source)
    target = tmp_path / "raport.en.docx"
    status = translator.translate_document_from_filepath(
        source, target, source_lang="RO", target_lang="EN-GB"
    )
    assert status.done and status.billed_characters == len("Raportul anual a fost publicat astăzi.")
    english = docx.Document(io.BytesIO(target.read_bytes()))
    assert [p.text for p in english.paragraphs] != ["Raportul anual a fost publicat astăzi."]
    assert len(english.paragraphs) == 1
    with pytest.raises(deepl.DeepLException):  # a format roen does not take: refused at upload
        translator.translate_document(
            io.BytesIO(b"MZ"), io.BytesIO(), filename="a.exe", target_lang="EN-GB"
        )


@pytest.mark.parametrize("suffix", [".pptx", ".xlsx", ".odt", ".epub", ".xlf", ".pdf"])
def test_deepl_client_translates_every_new_format(server, tmp_path, suffix):
    """The official client's translate_document_from_filepath, for each format beyond the
    first five: the English comes back in the same format (a PDF as .docx, asked for with
    output_format, which the client sends when the output path says .docx), and it differs
    from the source."""
    import zipfile

    import deepl

    from service.documents.formats import FORMATS
    from tests.support.samples import SAMPLES

    translator = deepl.Translator("client-key", server_url=server.base + "/")
    source = tmp_path / f"raport{suffix}"
    source.write_bytes(SAMPLES[suffix]())
    gives = FORMATS[suffix].output.suffix
    target = tmp_path / f"raport.en{gives}"
    # a .pdf to a .docx path: the client itself sends output_format=docx
    status = translator.translate_document_from_filepath(
        source, target, source_lang="RO", target_lang="EN-GB"
    )
    assert status.done and status.billed_characters > 0
    english = target.read_bytes()
    assert english and english != source.read_bytes()
    if gives != ".xlf":
        assert zipfile.is_zipfile(io.BytesIO(english))  # a package again, whole
    if suffix == ".pdf":  # to a .pdf path: refused, saying what to ask for
        with pytest.raises(deepl.DeepLException, match="output_format=docx"):
            translator.translate_document_from_filepath(
                source, tmp_path / "raport.en.pdf", source_lang="RO", target_lang="EN-GB"
            )
