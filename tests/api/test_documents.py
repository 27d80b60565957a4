"""Documents in, the same documents in English out — checked word by word with the fake that
marks every word (`casă` → `casă-en`): .txt, .html, .md, .docx, .srt, over /v1, the
LibreTranslate dialect and the web form; refusals are 415 / 422 / 413, never a 500."""

from __future__ import annotations

import asyncio
import io
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.documents.formats import FORMATS
from service.errors import Overloaded
from service.http.downloads import Downloads
from service.store.memory import MemoryStore
from tests.support.documents import sample_docx
from tests.support.fakes import WordMark
from tests.support.html import assert_kept

PAGES = Path(__file__).parent.parent / "data" / "html"
_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")


@pytest.fixture
def client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def send(client, name: str, data: bytes, path: str = "/v1/translate/file", **fields):
    return client.post(path, files={"file": (name, data, "application/octet-stream")}, data=fields)


# --- each format ---------------------------------------------------------------------------
def test_txt_keeps_its_paragraphs(client):
    r = send(client, "știre.txt", "\ufeffTitlu\n\nPrima frază. A doua.\n".encode())
    assert r.status_code == 200, r.text
    assert r.content.decode() == "Titlu-en\n\nPrima-en frază-en. A-en doua-en.\n"
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"_tire.en.txt\"; filename*=UTF-8''%C8%99tire.en.txt"
    )


def test_html_comes_back_with_every_tag(client):
    source = (PAGES / "article.html").read_text()
    r = send(client, "pagina.html", source.encode())
    assert r.status_code == 200, r.text
    assert_kept(source, r.content.decode())


MARKDOWN = """---
title: Notă
---
# Titlul **mare**

Un paragraf cu [un link](https://ex.ro/a?b=1 "Titlu") și `cod inline` și *accent*
continuat pe rândul doi.

- Primul element
- Al doilea cu **bold**
  1. Sub element

> Un citat & altceva.

```python
print("nu traduce")
```

    cod indentat

| Nume | Valoare |
|------|---------|
| Casă | cinci lei |

![Poză](img.png) Text după imagine, <https://ex.ro>.
"""


def test_markdown_keeps_headings_lists_links_and_code(client):
    r = send(client, "note.md", MARKDOWN.encode())
    assert r.status_code == 200, r.text
    out = r.content.decode()
    assert out == (
        "---\ntitle: Notă\n---\n"
        "# Titlul-en **mare-en**\n\n"
        # a soft-wrapped paragraph keeps its two lines
        'Un-en paragraf-en cu-en [un-en link-en](https://ex.ro/a?b=1 "Titlu")\n'
        "și-en `cod inline` și-en *accent-en* continuat-en pe-en rândul-en doi-en.\n\n"
        "- Primul-en element-en\n- Al-en doilea-en cu-en **bold-en**\n  1. Sub-en element-en\n\n"
        "> Un-en citat-en & altceva-en.\n\n"
        '```python\nprint("nu traduce")\n```\n\n    cod indentat\n\n'
        "| Nume-en | Valoare-en |\n|------|---------|\n| Casă-en | cinci-en lei-en |\n\n"
        "![Poză](img.png) Text-en după-en imagine-en, <https://ex.ro>.\n"
    )


SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\nBună ziua, <i>dragii</i> mei\r\nprieteni.\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000 X1:10\r\nTom & Jerry.\r\n\r\n"
    "3\r\n00:01:00.5 --> 00:01:02.25\r\n♪\r\n"
)


def test_srt_keeps_every_cue_its_timing_and_its_lines(client):
    r = send(client, "film.srt", SRT.encode())
    assert r.status_code == 200, r.text
    out = r.content.decode()
    cues = out.split("\r\n\r\n")
    assert len(cues) == 3
    for cue, source in zip(cues, SRT.split("\r\n\r\n"), strict=True):
        assert cue.split("\r\n")[:2] == source.split("\r\n")[:2]  # number and timing, byte for byte
    assert cues[0].split("\r\n")[2:] == ["Bună-en ziua-en, <i>dragii-en</i>", "mei-en prieteni-en."]
    assert cues[1].split("\r\n")[2] == "Tom-en & Jerry-en."  # subtitle text, not HTML: & stays &
    assert cues[2].split("\r\n")[2] == "♪"


@pytest.mark.parametrize("reverse", [False, True])
def test_docx_keeps_each_runs_formatting_links_tables_and_headers(make_client, reverse):
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, "raport.docx", sample_docx())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".docx"].media_type
    out = docx.Document(io.BytesIO(r.content))
    heading, body, empty = out.paragraphs
    assert heading.style.name == "Heading 1" and empty.text == ""
    runs = {run.text.strip(" ,."): run.bold for run in body.runs}
    expected_bold = "roșie-en casă-en" if reverse else "casă-en roșie-en"
    assert runs[expected_bold] is True  # the bold run holds the words of the bold run
    (link,) = body.hyperlinks
    assert link.url == "https://ex.ro/detalii"
    assert link.text.strip() == ("noastră-en pagina-en" if reverse else "pagina-en noastră-en")
    cells = out.tables[0].rows[0].cells
    assert cells[1].paragraphs[0].runs[0].italic is True
    assert out.sections[0].header.paragraphs[0].text.count("-en") == 3
    every = [heading.text, body.text, cells[0].text, cells[1].text]
    assert not any(_UNMARKED.search(t) for t in every), every  # every word translated
    assert _words(body.text) == _words("O casă roșie și mare, vezi pagina noastră.")


def _words(text: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", text))


# --- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        ("a.exe", b"MZ", 415, ".txt, .html, .htm, .md, .docx, .srt, .pptx"),
        ("fara_extensie", b"text", 415, "no extension"),
        ("a.docx", b"PK\x03\x04 not a zip", 422, "damaged or not what its name says"),
        ("a.docx", b"", 422, "damaged"),
        ("a.txt", b"\xff\xfe\x00t", 422, "not UTF-8"),
        ("a.srt", b"1\nnu e timp\ntext\n", 422, "no timing line"),
        ("a.md", "Bună \x00 ziua".encode(), 422, "U+0000"),
    ],
)
def test_what_cannot_be_translated_is_refused_with_a_reason(client, name, data, status, words):
    r = send(client, name, data)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]


def test_a_zip_that_is_not_a_word_document_is_a_422(client):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    r = send(client, "a.docx", out.getvalue())
    assert r.status_code == 422, r.text


def test_a_document_is_held_to_the_request_limits(make_client):
    text = "Propoziție scurtă. " * 40
    with make_client(rate_limit_per_minute=0, max_chars=500) as c:
        r = send(c, "a.txt", text.encode())
        assert r.status_code == 413 and "ROEN_MAX_CHARS" in r.json()["detail"]
    with make_client(rate_limit_per_minute=0, max_segments=10) as c:
        r = send(c, "a.md", ("# Titlu\n\n" + text).encode())
        assert r.status_code == 413 and "ROEN_MAX_SEGMENTS" in r.json()["detail"]
    with make_client(rate_limit_per_minute=0, max_upload_bytes=100) as c:
        r = send(c, "a.txt", text.encode())
        assert r.status_code == 413 and "ROEN_MAX_UPLOAD_BYTES" in r.json()["detail"]


def test_markup_does_not_count_against_the_character_limit(make_client):
    """What counts is the text a document holds: a Word file's XML or a page's tags do not."""
    page = "<p>" + '<span class="x-long-class-name">Da.</span> ' * 30 + "</p>"
    with make_client(rate_limit_per_minute=0, max_chars=200) as c:
        assert send(c, "a.html", page.encode()).status_code == 200


def test_a_request_with_no_file_is_told_how_to_send_one(client):
    r = client.post("/v1/translate/file", data={"text": "Bună"})
    assert r.status_code == 422 and "file field named `file`" in r.json()["detail"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(list(FORMATS)), st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
)
def test_no_bytes_in_any_format_give_a_server_error(client, suffix, data):
    r = send(client, "x" + suffix, data)
    assert r.status_code in (200, 413, 422), (suffix, r.status_code, r.text)


# --- LibreTranslate and the form -----------------------------------------------------------
def test_libretranslate_translate_file_then_download(client):
    settings_ = client.get("/frontend/settings").json()
    assert settings_["filesTranslation"] is True and ".docx" in settings_["supportedFilesFormat"]
    r = client.post(
        "/translate_file",
        files={"file": ("știre.txt", "Bună ziua.".encode(), "text/plain")},
        data={"source": "ro", "target": "en"},
    )
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.startswith("http://testserver.local/download_file/") and url.endswith(
        "._tire_en.txt"
    )
    got = client.get(url.removeprefix("http://testserver.local"))
    assert got.status_code == 200 and got.content == "Bună-en ziua-en.".encode()
    assert got.headers["content-disposition"].startswith('attachment; filename="_tire_en.txt"')
    missing = client.get("/download_file/nope._tire_en.txt")
    assert missing.status_code == 404 and "30 minutes" in missing.json()["error"]
    wrong = client.post(
        "/translate_file",
        files={"file": ("a.exe", b"MZ", "application/octet-stream")},
        data={"source": "ro", "target": "en"},
    )
    assert wrong.status_code == 400 and ".docx" in wrong.json()["error"]
    pair = client.post(
        "/translate_file",
        files={"file": ("a.txt", b"x", "text/plain")},
        data={"source": "en", "target": "ro"},
    )
    assert pair.status_code == 400 and pair.json() == {"error": "en is not supported"}


def test_downloads_expire_and_their_bytes_are_bounded():
    now = [0.0]
    downloads = Downloads(MemoryStore(clock=lambda: now[0]), ttl_s=10, max_bytes=10)
    kind = FORMATS[".txt"]

    async def run() -> None:
        a = await downloads.put(b"aaaa", kind, "a.txt")
        b = await downloads.put(b"bbbb", kind, "b.txt")
        assert await downloads.get(a) and await downloads.get(b)
        with pytest.raises(Overloaded) as full:  # 12 bytes in this window: over its 10
            await downloads.put(b"cccc", kind, "c.txt")
        assert full.value.retry_after_s and full.value.retry_after_s <= 10
        now[0] = 11  # the window and its files are gone
        assert await downloads.get(a) is None and await downloads.get(b) is None
        c = await downloads.put(b"cccc", kind, "c.txt")
        assert await downloads.get(c) == (b"cccc", kind)
        assert a.split(".", 1)[1] == "a_en.txt"

    asyncio.run(run())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", "Bună ziua.".encode()),
        ("a.html", b"<p>Bun\xc4\x83 <b>ziua</b>.</p>"),
        ("a.md", b"# Titlu\n\n- element"),
        ("a.srt", b"1\n00:00:01,000 --> 00:00:02,000\nBun\xc4\x83.\n"),
        ("a.docx", None),
    ],
)
def test_the_form_translates_each_document_type_and_gives_it_back(client, name, data):
    data = data if data is not None else sample_docx()
    r = send(client, name, data, path="/document")
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="a.en.')
    if name != "a.docx":
        assert "-en" in r.content.decode()
    else:
        assert "casă-en" in docx.Document(io.BytesIO(r.content)).paragraphs[1].text


def test_the_form_shows_a_refused_document_on_the_page(client):
    for path in ("/document", "/"):
        r = send(client, "a.exe", b"MZ", path=path)
        assert r.status_code == 415 and "text/html" in r.headers["content-type"]
        assert "cannot translate a .exe file" in r.text
    page = client.get("/").text
    assert page.count('type="file"') == 1 and ".docx" in page  # one file choice
    assert 'name="source" value="text"' in page and 'name="source" value="file"' in page


def test_the_forms_one_file_choice_digests_text_and_gives_documents_back(client):
    """A .txt or .html file is digested like pasted text; a .docx (.md, .srt) comes back in
    English as a download, and so does any file with `as_document`; the text box is used
    only when it is the choice."""
    docx_file = {"file": ("a.docx", sample_docx())}
    r = client.post("/", files=docx_file, data={"source": "file"})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert "casă-en" in docx.Document(io.BytesIO(r.content)).paragraphs[1].text
    txt = {"file": ("a.txt", "Bună ziua.".encode())}
    digested = client.post("/", files=txt, data={"source": "file", "text": "Altceva."})
    assert "text/html" in digested.headers["content-type"] and "ziua-en" in digested.text
    assert "Altceva" not in digested.text.split('id="result"')[1]
    back = client.post("/", files=txt, data={"source": "file", "as_document": "1"})
    assert back.headers["content-disposition"].startswith('attachment; filename="a.en.txt"')
    typed = client.post("/", files=txt, data={"source": "text", "text": "Altceva."})
    assert "Altceva-en" in typed.text and "ziua-en" not in typed.text
    streamed = client.post("/stream", files=docx_file, data={"source": "file"})
    assert streamed.status_code == 422 and "posted to /" in streamed.json()["detail"]


# --- hostile documents: bounded work, no 500 --------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Salut \ue002 lume",  # the private-use characters the converter marks with
        "\ue0007\ue001 și \ue0037\ue001",
        "a\n" + " " * 20_000 + "x",  # whitespace runs that made patterns backtrack
        "# a" + " " * 20_000 + "x",
        "<http:" * 10_000,
        "**a" * 5_000 + "`" * 30,
    ],
)
def test_hostile_markdown_is_translated_in_bounded_time(client, text):
    started = time.perf_counter()
    r = send(client, "a.md", text.encode())
    assert r.status_code == 200, r.text
    assert time.perf_counter() - started < 5  # a hang guard, not a speed figure
    if "\ue002" in text:
        assert "\ue002" in r.content.decode()  # kept as it was


def test_markdown_reference_definitions_and_inline_html_are_kept(client):
    source = 'Vezi [aici][ref] și <b>asta</b> &amp; alta.\n\n[ref]: http://ex.ro/a_b "Titlu"\n'
    out = send(client, "a.md", source.encode()).content.decode()
    assert out.endswith('\n\n[ref]: http://ex.ro/a_b "Titlu"\n')
    assert "<b>" in out and "</b>" in out and "&amp;" in out and "asta-en" in out


def test_srt_dialogue_lines_are_translated_one_by_one(client):
    source = "1\n00:00:01,000 --> 00:00:02,000\n- Vii mâine?\n- Da, sigur.\n"
    out = send(client, "a.srt", source.encode()).content.decode()
    assert out.split("\n")[2:4] == ["- Vii-en mâine-en?", "- Da-en, sigur-en."]


def test_a_document_with_nothing_to_translate_comes_back_as_it_was(client):
    for name, data in (("a.md", b"![logo](x.png)\n"), ("a.html", b"<p><img src=x></p>")):
        r = send(client, name, data)
        assert r.status_code == 200 and r.content == data


def test_a_docx_that_unpacks_to_too_much_is_refused_before_parsing(client):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:p/>" * 12_000_000)  # 72 MB, a few hundred KB zipped
    r = send(client, "a.docx", out.getvalue())
    assert r.status_code == 413 and "unpacks to" in r.json()["detail"]


def test_docx_tabs_line_breaks_and_page_breaks_survive(client):
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("Nume:\tIon Popescu")
    p.add_run().add_break(WD_BREAK.LINE)
    p.add_run("Oraș: București")
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Pagina a doua.")
    buffer = io.BytesIO()
    d.save(buffer)
    r = send(client, "a.docx", buffer.getvalue())
    assert r.status_code == 200, r.text
    out = docx.Document(io.BytesIO(r.content))
    assert out.paragraphs[0].text == "Nume-en:\tIon-en Popescu-en\nOraș-en: București-en"
    xml = list(out.element.body.iterchildren(qn("w:p")))[1].xml  # the page break's paragraph
    assert 'w:type="page"' in xml
    assert out.paragraphs[2].text == "Pagina-en a-en doua-en."


@pytest.mark.parametrize("name", ["a\r\nSet-Cookie: x=1.txt", 'a"b\\c\x7f.txt'])
def test_a_file_name_cannot_break_the_download_header(client, name):
    r = send(client, name, "Bună.".encode())
    assert r.status_code == 200, r.text
    disposition = r.headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "set-cookie" not in r.headers
    shown = re.match(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)$', disposition)
    assert shown and shown.group(1).endswith(".en.txt") and shown.group(1).isprintable()
    assert "\\" not in shown.group(1)


def test_beam_size_must_be_a_plain_number(client):
    for beams in ("²", "0", "9", "x"):
        r = send(client, "a.txt", "Bună.".encode(), beam_size=beams)
        assert r.status_code == 422 and "beam_size" in r.json()["detail"], beams
    assert send(client, "a.txt", "Bună.".encode(), beam_size="2").status_code == 200


def test_markdown_soft_wraps_keep_their_line_count_and_indents(client):
    source = "- Un element de listă\n  continuat pe două\n  rânduri aici.\n\nGata.\n"
    out = send(client, "a.md", source.encode()).content.decode().split("\n")
    assert len(out) == len(source.split("\n"))
    assert out[0].startswith("- ") and out[1].startswith("  ") and out[2].startswith("  ")
    assert " ".join(line.strip(" -") for line in out[:3]) == (
        "Un-en element-en de-en listă-en continuat-en pe-en două-en rânduri-en aici-en."
    )
