"""A PDF's text layer in, a Word document in English out (service/documents/pdf.py): its
lines joined into paragraphs, a page break per page, its title; a control character in
the text layer dropped; a scan, a damaged or locked file, a decompression bomb and content
parsed again and again (a stream every page shares, a form drawn many times) are refused
with the reason. Over /v1, the LibreTranslate and DeepL document routes and the form."""

from __future__ import annotations

import io
import re
import zlib

import docx
import pytest
from docx.enum.text import WD_BREAK

from service.documents.formats import FORMATS
from tests.support.direct import assert_linear, translate_directly
from tests.support.fakes import WordMark
from tests.support.pdfs import pdf

_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
PAGES = [
    [
        "Guvernul a aprobat ieri un nou proiect de lege privind",
        "educatia si sanatatea publica.",
        "Ministrul a spus ca masurile vor intra",
        "în vigoare luna viitoare.",
    ],
    ["A doua pagina are un singur paragraf."],
]
DEEPL = {"Authorization": "DeepL-Auth-Key any"}


@pytest.fixture
def client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def send(client, data: bytes, name: str = "raport.pdf", path: str = "/v1/translate/file"):
    return client.post(path, files={"file": (name, data, "application/pdf")})


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.mark.parametrize("deflate", [False, True])
def test_a_pdf_comes_back_as_a_word_document_paragraph_by_paragraph(client, deflate):
    r = send(client, pdf(PAGES, title="Raport anual", deflate=deflate))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".docx"].media_type
    assert 'filename="raport.en.docx"' in r.headers["content-disposition"]
    out = docx.Document(io.BytesIO(r.content))
    first, second, page_break, third = (p.text for p in out.paragraphs)
    # the lines of a paragraph joined; a short line that ends a sentence ends it
    assert first.startswith("Guvernul-en") and first.endswith("publica-en.")
    assert second == "Ministrul-en a-en spus-en ca-en masurile-en vor-en intra-en în-en " + (
        "vigoare-en luna-en viitoare-en."
    )
    breaks = out.paragraphs[2].runs[0].element.findall(".//{*}br")
    assert (
        page_break == "" and breaks[0].get(docx.oxml.ns.qn("w:type")) == WD_BREAK.PAGE.name.lower()
    )
    assert third == "A-en doua-en pagina-en are-en un-en singur-en paragraf-en."
    assert out.core_properties.title == "Raport-en anual-en"
    assert not any(_UNMARKED.search(t) for t in (first, second, third))
    source_words = sorted(w for page in PAGES for line in page for w in re.findall(r"\w+", line))
    got = sorted(w.removesuffix("-en") for w in re.findall(r"\w+(?:-en)?", first + second + third))
    assert got == source_words  # every word once


def test_a_scan_has_no_text_layer_and_is_told_so(client):
    r = send(client, pdf([[""], [""]], scanned=True))
    assert r.status_code == 422, r.text
    assert "no text layer" in r.json()["detail"] and "OCR" in r.json()["detail"]


def test_a_control_character_in_the_text_layer_is_dropped(client):
    """A Word document cannot hold \x01: it goes, the words on either side stay."""
    r = send(client, pdf([["Un rând cu\x01 un semn ciudat."]], title="Raport\x01 anual"))
    assert r.status_code == 200, r.text
    out = docx.Document(io.BytesIO(r.content))
    assert [p.text for p in out.paragraphs] == ["Un-en rând-en cu-en un-en semn-en ciudat-en."]
    assert out.core_properties.title == "Raport-en anual-en"


def _unreadable(failed: str) -> str:
    return (
        f"The .pdf file cannot be read ({failed}): it is damaged or not what its name says. "
        "Save it again and send it again."
    )


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"%PDF-1.4\n", _unreadable("PdfStreamError")),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", _unreadable("PdfStreamError")),
        (b"not a pdf", _unreadable("PdfStreamError")),
        (b"", _unreadable("EmptyFileError")),
        (
            pdf([[""]]),  # a page that shows only an empty string
            "The .pdf file has no text layer: its pages are pictures (a scan?). roen "
            "translates text, not images; run it through OCR first, or send the text.",
        ),
    ],
    ids=["header only", "truncated", "not a pdf", "empty", "no text"],
)
def test_a_damaged_pdf_is_a_422_saying_why(client, data, detail):
    r = send(client, data)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == detail


def test_a_password_locked_pdf_is_refused_with_the_reason(client):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(PAGES))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    r = send(client, locked.getvalue())
    assert r.status_code == 422 and "password" in r.json()["detail"]


def test_a_stream_that_inflates_beyond_the_cap_is_a_413_at_once(make_client):
    """A 16 MB content stream of zeros compresses to 16 KB: refused while it inflates."""
    bomb = pdf(PAGES, deflate=True)
    huge = zlib.compress(b"0 " * (8 << 20))
    start = bomb.index(b"stream\n", bomb.index(b"/Filter /FlateDecode")) + len(b"stream\n")
    end = bomb.index(b"\nendstream", start)
    length = bomb.rindex(b"/Length ", 0, start)
    old = bomb[length : bomb.index(b" ", length + 8)]
    bomb = (
        bomb[:length]
        + b"/Length %d" % len(huge)
        + bomb[length + len(old) : start]
        + huge
        + bomb[end:]
    )
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        r = send(c, bomb)
    assert r.status_code == 413, r.text
    assert "ROEN_MAX_DOCUMENT_UNPACKED_BYTES" in r.json()["detail"]


@pytest.mark.parametrize(
    "build",
    [
        # n pages showing one content stream of 160 KB
        lambda n: pdf([["Pagina."]] * n, padding=40_000, shared=True, deflate=True),
        # one page drawing a form of 160 KB n times
        lambda n: pdf([["Pagina."]], padding=40_000, draws=n, deflate=True),
    ],
    ids=["pages sharing a stream", "a form drawn again"],
)
def test_content_parsed_again_counts_again_against_the_cap(make_client, build):
    """pypdf parses a stream wherever it is used: five uses of 160 KB fit in 1 MiB, ten
    do not, however small the file (a few kilobytes)."""
    assert len(build(10)) < 10_000
    with make_client(
        backend=WordMark(), rate_limit_per_minute=0, max_document_unpacked_bytes=1 << 20
    ) as c:
        fits, over = send(c, build(5)), send(c, build(10))
    assert fits.status_code == 200, fits.text
    assert " ".join(_paragraphs(fits.content)).count("Pagina-en.") == 5  # each use read
    assert over.status_code == 413, over.text
    assert "ROEN_MAX_DOCUMENT_UNPACKED_BYTES" in over.json()["detail"]


def test_pages_beyond_the_parts_cap_are_refused(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0, max_document_parts=5) as c:
        r = send(c, pdf([["Pagina."]] * 6))
    assert r.status_code == 413 and "ROEN_MAX_DOCUMENT_PARTS" in r.json()["detail"]


def test_libretranslate_gives_a_pdf_back_as_docx(client):
    r = client.post(
        "/translate_file",
        files={"file": ("raport.pdf", pdf(PAGES), "application/pdf")},
        data={"source": "ro", "target": "en"},
    )
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.endswith(".raport_en.docx")
    got = client.get(url.removeprefix("http://testserver.local"))
    assert got.headers["content-type"] == FORMATS[".docx"].media_type
    assert (
        _paragraphs(got.content)[-1] == "A-en doua-en pagina-en are-en un-en singur-en paragraf-en."
    )


def test_deepl_asks_for_docx_as_the_output_of_a_pdf(client):
    files = {"file": ("raport.pdf", pdf(PAGES), "application/pdf")}

    def upload(**form: str):
        data = {"target_lang": "EN", **form}
        return client.post("/v2/document", files=files, data=data, headers=DEEPL)

    plain = upload()
    assert plain.status_code == 400 and "output_format=docx" in plain.json()["message"]
    wrong = upload(output_format="pdf")
    assert wrong.status_code == 400 and "docx" in wrong.json()["message"]
    made = upload(output_format="docx")
    assert made.status_code == 200, made.text
    doc, key = made.json()["document_id"], made.json()["document_key"]
    got = client.post(f"/v2/document/{doc}/result", json={"document_key": key}, headers=DEEPL)
    assert got.status_code == 200 and "Guvernul-en" in _paragraphs(got.content)[0]


def test_the_form_gives_a_pdf_back_as_docx(client):
    r = client.post("/document", files={"file": ("raport.pdf", pdf(PAGES), "application/pdf")})
    assert r.status_code == 200, r.text
    assert 'filename="raport.en.docx"' in r.headers["content-disposition"]


_LINE = "Un rand de text care continua"


@pytest.mark.parametrize(
    "build",
    [
        lambda n: pdf([["Un rand de text care se termina aici."] * 40] * n),  # pages
        lambda n: pdf([[_LINE] * (n * 25)]),  # one page's lines, 1,000 and 2,000
        lambda n: pdf([["Pagina."] * 20] * n, shared=True),  # pages sharing one stream
        # One paragraph of 20,000 and 40,000 lines, none ending a sentence, shown by one
        # operator (pypdf copies the page's text so far at each operator, so only here are
        # the lines many and that copying cheap): the paragraph is joined once, not line
        # by line (that was quadratic).
        lambda n: pdf([["\n".join([_LINE] * (n * 500))]]),
    ],
    ids=["pages", "lines", "shared stream", "one paragraph"],
)
def test_doubling_pages_or_lines_at_most_doubles_the_work(build):
    assert_linear(lambda data: translate_directly(".pdf", data), build(40), build(80))
