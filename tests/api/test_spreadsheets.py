"""Excel workbooks through the API: every cell's text and comment in English, each rich-text
run's formatting on the words that translate it, and nothing else touched — formulas,
numbers, cached results, sheet names, table headers, pictures. Damaged and hostile files
are refused with a reason; the work grows linearly in each dimension."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from lxml import etree
from openpyxl.cell.rich_text import CellRichText

from service.documents.formats import FORMATS
from tests.support import spreadsheets as sheets
from tests.support.direct import assert_linear, translate_directly
from tests.support.documents import refused_at_once, sample_docx
from tests.support.fakes import WordMark

_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XLSX = FORMATS[".xlsx"].media_type


def send(client, data: bytes, name: str = "vanzari.xlsx"):
    return client.post(
        "/v1/translate/file", files={"file": (name, data, "application/octet-stream")}
    )


def _words(text: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", text))


def _runs(value: object) -> dict[str, str]:
    """A rich cell's runs: their text (trimmed of spaces and stops) → b, i or u, or ''."""
    assert isinstance(value, CellRichText), value
    out = {}
    for block in value:
        if isinstance(block, str):
            out[block.strip(" .")] = ""
        else:
            font = block.font
            out[block.text.strip(" .")] = (
                "b" if font.b else "i" if font.i else "u" if font.u else ""
            )
    return out


@pytest.mark.parametrize("reverse", [False, True])
def test_xlsx_keeps_run_formatting_formulas_numbers_and_cached_values(make_client, reverse):
    source = sheets.sample_xlsx()
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, source)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(r.content), rich_text=True)
    assert book.sheetnames == ["Vânzări", "Note"]  # formulas name them: kept
    first, second = book["Vânzări"], book["Note"]

    def turn(*words: str) -> str:
        return " ".join(reversed(words) if reverse else words)

    assert first["A1"].value == turn("Casa-en", "mare-en", "are-en", "o-en", "grădină-en") + "."
    assert first["A6"].value == first["A1"].value  # the same shared string
    rich = _runs(first["A2"].value)
    assert rich[turn("Casă-en", "roșie-en")] == "b"
    assert rich[turn("grădina-en", "verde-en")] == "i"
    assert rich["și-en"] == ""
    blocks = [b for b in first["A2"].value if not isinstance(b, str)]
    assert blocks[0].font.b is (not reverse)  # the runs moved with their words
    inline = _runs(first["A4"].value)
    assert inline["Prețul-en"] == "u"
    assert first["A3"].value == turn("Un-en", "text-en", "direct-en", "în-en", "celulă-en") + "."
    # numbers, formulas and numeric-looking text untouched
    assert first["B1"].value == 12.5
    assert first["C1"].value == "=B1*2"
    assert (first["D1"].value, first["E1"].value) == ("2024", "12,5")
    assert first["B2"].value == '=CONCATENATE("Zi ","bună")'
    assert second["B1"].value == "='Vânzări'!B1+1"
    assert first["A5"].value == "Nume"  # a table's column name
    # edge spaces and a line break inside a cell
    assert second["A1"].value == " " + turn("Spațiu-en", "la-en", "margine-en") + " "
    assert second["A2"].value == turn("Linia-en", "unu-en") + "\n" + turn("Linia-en", "doi-en")
    comment = first["A1"].comment.text
    assert comment.startswith("Ion-en:\n")
    assert _words(comment) == _words("Ion: Verifică suma aceasta.")

    with zipfile.ZipFile(io.BytesIO(r.content)) as out, zipfile.ZipFile(io.BytesIO(source)) as src:
        assert out.namelist() == src.namelist()
        for name in ("xl/tables/table1.xml", "xl/media/image1.png", "xl/workbook.xml"):
            assert out.read(name) == src.read(name), name
        sheet = etree.fromstring(out.read("xl/worksheets/sheet1.xml"))
        cached = sheet.find(f".//{_MAIN}c[@r='B2']/{_MAIN}v").text
        assert cached == "Zi bună"  # a formula's cached text: Excel computes it again
        threaded = etree.fromstring(out.read("xl/threadedComments/threadedComment1.xml"))
        said = threaded[0][0].text  # a threaded comment's text
        assert "&" in said and _words(said) == _words("Tom & Ana au scris aici.")
        assert not _UNMARKED.search(said), said
        strings = etree.fromstring(out.read("xl/sharedStrings.xml"))
        edged = strings[4].find(f"{_MAIN}t")
        assert edged.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    every = [
        c.value if isinstance(c.value, str) else str(c.value)
        for ws in book
        for row in ws.iter_rows()
        for c in row
        if c.value is not None and c.data_type != "f" and c.coordinate != "A5"
    ]
    assert not any(_UNMARKED.search(t) for t in every), every  # every word translated
    assert _words(str(first["A2"].value)) == _words("Casă roșie și grădina verde")


def test_a_workbook_with_nothing_to_translate_comes_back_as_it_was(make_client):
    data = sheets.workbook(
        [sheets.plain("2024"), sheets.plain("12,5 %")],
        {"Foaie": sheets.row(1, sheets.cell("A1", "<v>0</v>", "s"), sheets.cell("B1", "<v>3</v>"))},
    )
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        r = send(c, data)
    assert r.status_code == 200, r.text
    assert r.content == data


def _replaced(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as z:
        for entry in src.infolist():
            z.writestr(entry.filename, content if entry.filename == name else src.read(entry))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (sheets.sample_xlsx()[:2_000], "damaged"),
        (b"PK\x03\x04 not a zip", "damaged"),
        (b"", "damaged"),
        (_replaced(sheets.sample_xlsx(), "xl/sharedStrings.xml", b"<sst><si><t>rupt"), "damaged"),
        (_replaced(sheets.sample_xlsx(), "[Content_Types].xml", b"<Types/>"), "no Excel workbook"),
        (_replaced(sheets.sample_xlsx(), "xl/sharedStrings.xml", b"\x00\x01"), "damaged"),
        (sample_docx(), "no Excel workbook"),  # a Word document named .xlsx
    ],
)
def test_a_damaged_workbook_is_a_422_with_a_reason(make_client, data, words):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        r = send(c, data)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "haha haha haha haha haha haha">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>Buna &i; ziua</t></si></sst>"
)


SMALL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY casa "Casa">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>&casa; mare</t></si></sst>"
)


@pytest.mark.parametrize(("part", "words"), [(LAUGHS, "damaged"), (SMALL_ENTITY, "DOCTYPE")])
def test_an_entity_trick_is_never_expanded(make_client, part, words):
    data = _replaced(sheets.sample_xlsx(), "xl/sharedStrings.xml", part)
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        refused_at_once(c, "vanzari.xlsx", data, 422, words)


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (sheets.xlsx_shared_strings, 3_000),
        (sheets.xlsx_runs, 3_000),
        (sheets.xlsx_inline_cells, 3_000),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_a_dimension_at_most_doubles_the_work(build, size):
    small, large = build(size), build(2 * size)
    # it did translate something (into the same words)
    assert translate_directly(".xlsx", small) != small
    assert_linear(lambda data: translate_directly(".xlsx", data), small, large)


@pytest.mark.parametrize(
    "build", [sheets.xlsx_shared_strings, sheets.xlsx_runs, sheets.xlsx_inline_cells]
)
def test_a_workbook_over_the_pieces_cap_is_refused_at_once_naming_it(make_client, build):
    with make_client(max_document_pieces=1_000) as c:
        refused_at_once(c, "vanzari.xlsx", build(2_000), 413, "ROEN_MAX_DOCUMENT_PIECES")
