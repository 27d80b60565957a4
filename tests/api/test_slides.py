"""PowerPoint (.pptx) over /v1/translate/file with a fake that marks every word (`casă` →
`casă-en`, and with `reverse` each sentence's words reversed): what comes back is a deck
with the same slides, shapes and pictures, each run's formatting and link around the words
that translate it, every word translated once; a damaged file is a 422, a bomb refused or
left unexpanded, and the work linear in each of the deck's dimensions."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile

import pptx
import pytest
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.util import Inches

from service.documents.budget import Budget
from service.documents.formats import FORMATS, format_of
from service.documents.types import Translators
from tests.support.direct import UNCAPPED, assert_linear, inline, translate_directly
from tests.support.documents import refused_at_once, sample_docx
from tests.support.fakes import WordMark
from tests.support.slides import (
    BODY,
    LINK,
    deck,
    png,
    pptx_cells,
    pptx_runs,
    pptx_slides,
    sample_pptx,
)

# A word of two letters or more that was not translated (no `-en` after it).
UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def send(make_client, data: bytes, reverse: bool = False, **settings):
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0, **settings) as c:
        return c.post("/v1/translate/file", files={"file": ("prezentare.pptx", data)})


def words(text: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", text))


def marked(text: str, reverse: bool) -> str:
    """`text`'s words marked, reversed with `reverse` (one sentence, no punctuation)."""
    found = [f"{w}-en" for w in text.split()]
    return " ".join(reversed(found) if reverse else found)


# --- what a deck keeps ----------------------------------------------------------------------
@pytest.mark.parametrize("reverse", [False, True])
def test_pptx_keeps_slides_runs_links_tables_groups_fields_pictures_and_notes(make_client, reverse):
    source = sample_pptx()
    r = send(make_client, source, reverse)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".pptx"].media_type
    out = pptx.Presentation(io.BytesIO(r.content))
    assert len(out.slides) == 2
    first, second = out.slides
    assert first.shapes.title.text == marked("Raport anual", reverse)
    assert first.placeholders[1].text == marked("Echipa de vânzări", reverse)

    title, body, table, group, box, picture = second.shapes
    assert title.text == marked("Rezultatele noastre", reverse)
    lead, bullet = body.text_frame.paragraphs
    runs = {run.text.strip(" ,."): run for run in lead.runs}
    bold = runs[marked("casă roșie", reverse)]  # the bold run holds the bold run's words
    assert bold.font.bold is True
    (link,) = [run for run in lead.runs if run.hyperlink.address]
    assert link.hyperlink.address == LINK
    assert link.text.strip() == marked("pagina noastră", reverse)
    assert [r.font.bold for r in lead.runs].count(True) == 1
    # reversed, the link's words come first: the runs move with them
    texts = [run.text for run in lead.runs]
    assert (texts.index(link.text) < texts.index(bold.text)) is reverse
    assert words(lead.text) == words(BODY)  # each word once
    assert bullet.text == marked("Al doilea punct important", reverse) and bullet.level == 1

    cells = table.table
    assert cells.cell(0, 0).text == marked("Celula unu", reverse)
    (italic,) = cells.cell(0, 1).text_frame.paragraphs[0].runs
    assert italic.font.italic is True and italic.text == marked("Celula doi", reverse)
    assert cells.cell(1, 0).text == "Numărul-en" and cells.cell(1, 1).text == "42"

    assert group.shape_type == MSO_SHAPE_TYPE.GROUP
    assert [s.text for s in group.shapes] == [
        marked("Forma din grup", reverse),
        marked("Altă formă", reverse),
    ]
    lines, numbered = box.text_frame.paragraphs
    # the line break kept between the lines, each line translated on its own
    assert lines.text == marked("Prima linie", reverse) + "\v" + marked("A doua linie", reverse)
    (field,) = box.element.iter(f"{A}fld")
    assert field.get("type") == "slidenum" and field.findtext(f"{A}t") == "‹#›"
    assert numbered.text == "Pagina-en ‹#›"

    assert picture.shape_type == MSO_SHAPE_TYPE.PICTURE and picture.image.blob == png()
    notes = second.notes_slide.notes_text_frame.text
    assert notes == marked("Notele vorbitorului pentru acest slide", reverse) + "."

    every = [s.text for s in (*first.shapes, title, body, *group.shapes, box)] + [notes]
    every += [c.text for row in cells.rows for c in row.cells]
    assert not any(UNMARKED.search(t) for t in every), every  # every word translated


def test_only_the_parts_with_text_change_and_the_rest_is_kept_byte_for_byte(make_client):
    source = sample_pptx()
    r = send(make_client, source)
    assert r.status_code == 200, r.text
    before, after = (zipfile.ZipFile(io.BytesIO(d)) for d in (source, r.content))
    assert after.namelist() == before.namelist()
    changed = {n for n in before.namelist() if before.read(n) != after.read(n)}
    assert changed == {
        "ppt/slides/slide1.xml",
        "ppt/slides/slide2.xml",
        "ppt/notesSlides/notesSlide1.xml",
    }
    # layouts and masters: their placeholders' prompt text is never shown, never translated
    assert b"Click to edit Master title style" in after.read("ppt/slideLayouts/slideLayout1.xml")


def test_a_masters_own_text_box_is_translated_and_its_placeholders_are_not(make_client):
    made = pptx.Presentation(io.BytesIO(sample_pptx()))
    box = made.slides[1].shapes[4].element  # the text box, copied onto the master
    tree = made.slide_master.element.find(f"{P}cSld/{P}spTree")
    tree.append(etree.fromstring(etree.tostring(box)))
    out = io.BytesIO()
    made.save(out)
    r = send(make_client, out.getvalue())
    assert r.status_code == 200, r.text
    master = pptx.Presentation(io.BytesIO(r.content)).slide_master
    texts = [s.text_frame.text for s in master.shapes if s.has_text_frame]
    assert "Prima-en linie-en\vA-en doua-en linie-en\nPagina-en ‹#›" in texts
    assert "Click to edit Master title style" in texts


def test_a_charts_title_is_translated_and_its_data_is_not(make_client):
    made = pptx.Presentation()
    slide = made.slides.add_slide(made.slide_layouts[6])
    data = CategoryChartData()
    data.categories = ["Primul trimestru", "Al doilea"]
    data.add_series("Vânzări", (1.5, 2.5))
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(6), Inches(4), data
    ).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Vânzările pe trimestru"
    out = io.BytesIO()
    made.save(out)
    r = send(make_client, out.getvalue())
    assert r.status_code == 200, r.text
    (shape,) = pptx.Presentation(io.BytesIO(r.content)).slides[0].shapes
    assert shape.chart.chart_title.text_frame.text == "Vânzările-en pe-en trimestru-en"
    assert list(shape.chart.plots[0].categories) == ["Primul trimestru", "Al doilea"]
    assert shape.chart.series[0].name == "Vânzări"


def test_smartart_text_is_translated(make_client):
    made = pptx.Presentation()
    slide = made.slides.add_slide(made.slide_layouts[6])
    dgm = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
    xml = (
        f'<dgm:dataModel xmlns:dgm="{dgm}" xmlns:a="{A[1:-1]}"><dgm:ptLst>'
        '<dgm:pt modelId="1"><dgm:t><a:bodyPr/><a:p><a:r><a:t>Primul pas</a:t></a:r></a:p>'
        "</dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>"
    ).encode()
    kind = "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml"
    part = Part(PackURI("/ppt/diagrams/data1.xml"), kind, made.part.package, xml)
    slide.part.relate_to(part, RELATIONSHIP_TYPE.DIAGRAM_DATA)
    out = io.BytesIO()
    made.save(out)
    r = send(make_client, out.getvalue())
    assert r.status_code == 200, r.text
    data = zipfile.ZipFile(io.BytesIO(r.content)).read("ppt/diagrams/data1.xml")
    assert b"<a:t>Primul-en pas-en</a:t>" in data


def test_a_thirty_slide_deck_comes_back_whole(make_client):
    r = send(make_client, deck(30))
    assert r.status_code == 200, r.text
    out = pptx.Presentation(io.BytesIO(r.content))
    assert len(out.slides) == 30
    assert out.slides[29].shapes.title.text == "Capitolul-en 30: rezultatele-en"
    assert out.slides[29].notes_slide.notes_text_frame.text == "Note-en pentru-en partea-en 29."


# --- refusals ---------------------------------------------------------------------------------
def _replaced(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, content if item.filename == name else source.read(item))
    return out.getvalue()


def _without(data: bytes, name: str) -> bytes:
    """The deck with part `name` gone, every relationship to it left in place."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            if item.filename != name:
                z.writestr(item, source.read(item))
    return out.getvalue()


@pytest.mark.parametrize("missing", ["ppt/slides/slide1.xml", "ppt/notesSlides/notesSlide1.xml"])
def test_a_relationship_to_a_missing_part_is_skipped(make_client, missing):
    """PowerPoint opens such a deck (it repairs it): the rest is translated."""
    source = _without(sample_pptx(), missing)
    r = send(make_client, source)
    assert r.status_code == 200, r.text
    out, src = zipfile.ZipFile(io.BytesIO(r.content)), zipfile.ZipFile(io.BytesIO(source))
    assert out.namelist() == src.namelist()
    slide = out.read("ppt/slides/slide2.xml")
    # the declaration as PowerPoint wrote it, standalone included
    assert slide.startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>")
    texts = [t.text for t in etree.fromstring(slide).iter(f"{A}t") if t.text]
    assert "Rezultatele-en noastre-en" in texts
    assert not UNMARKED.search(" ".join(texts).replace("‹#›", ""))


def _only_content_types() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("damaged", "words"),
    [
        (lambda: sample_pptx()[: len(sample_pptx()) // 2], "damaged"),
        (lambda: b"PK\x03\x04 not a zip", "damaged"),
        (lambda: b"", "damaged"),
        (lambda: sample_docx(), "holds no PowerPoint presentation"),
        (_only_content_types, "holds no PowerPoint presentation"),
        (lambda: _replaced(sample_pptx(), "ppt/slides/slide1.xml", b"<p:sld"), "damaged"),
        (lambda: _replaced(sample_pptx(), "ppt/presentation.xml", b"\x00\xff"), "damaged"),
    ],
    ids=["truncated", "not-a-zip", "empty", "a-word-file", "empty-package", "bad-xml", "binary"],
)
def test_a_damaged_deck_is_a_422_with_a_reason(make_client, damaged, words):
    r = send(make_client, damaged())
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"] and ".pptx" in r.json()["detail"]


def _with_doctype(entities: str, reference: str) -> bytes:
    """The sample with a DOCTYPE declaring `entities` in its first slide, whose title
    refers to `reference`."""
    source = sample_pptx()
    slide = zipfile.ZipFile(io.BytesIO(source)).read("ppt/slides/slide1.xml")
    head, rest = slide.split(b"?>", 1)
    slide = head + b"?>" + f"<!DOCTYPE p:sld [{entities}]>".encode() + rest
    slide = slide.replace(b"Raport anual", f"Raport {reference} anual".encode())
    return _replaced(source, "ppt/slides/slide1.xml", slide)


def test_an_entity_bomb_in_a_slide_is_never_expanded(make_client):
    laughs = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10)
    )
    r = send(make_client, _with_doctype(laughs, "&lol9;"))
    # libxml2 refuses the amplification, or the DOCTYPE is refused: expanded, never
    assert r.status_code == 422, r.text
    assert ".pptx" in r.json()["detail"]


def test_a_slide_declaring_a_doctype_is_a_422_naming_it(make_client):
    r = send(make_client, _with_doctype('<!ENTITY nume "Ion Popescu">', "&nume;"))
    assert r.status_code == 422, r.text
    assert "ppt/slides/slide1.xml declares a DOCTYPE" in r.json()["detail"]


def test_a_deck_over_the_pieces_cap_is_refused_at_once_naming_it(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0, max_document_pieces=500) as c:
        refused_at_once(c, "prezentare.pptx", pptx_runs(1_000), 413, "ROEN_MAX_DOCUMENT_PIECES")


# --- linear work ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "size"),
    [(pptx_slides, 100), (pptx_runs, 4_000), (pptx_cells, 3_000)],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_a_dimension_at_most_doubles_the_work(build, size):
    assert_linear(lambda data: translate_directly(".pptx", data), build(size), build(2 * size))


def test_words_the_english_puts_after_a_field_are_kept():
    """A translation that leaves words outside any run, after a kept field: they join a
    run that holds words, never the field (which is kept as it was)."""

    async def after_the_field(parts: list[str]) -> list[str]:
        return [
            p.replace('<span data-r="1"></span>', '<span data-r="1"></span> din-en trei-en')
            for p in parts
        ]

    out = translate_directly(".pptx", sample_pptx(), markup=after_the_field)
    box = pptx.Presentation(io.BytesIO(out)).slides[1].shapes[4]
    numbered = box.text_frame.paragraphs[1]
    # the words join the run before the field, which keeps the space it had before it
    assert numbered.runs[0].text == "Pagina  din-en trei-en "
    assert numbered.text == "Pagina  din-en trei-en ‹#›"
    (field,) = box.element.iter(f"{A}fld")
    assert field.findtext(f"{A}t") == "‹#›"


def test_numbers_fields_and_prompt_text_are_never_sent():
    sent: list[str] = []

    async def record(parts: list[str]) -> list[str]:
        sent.extend(parts)
        return list(parts)

    translators = Translators(record, record, inline, Budget(UNCAPPED))
    asyncio.run(format_of("a.pptx").translate(sample_pptx(), translators))
    assert len(sent) == len(set(sent)) == 13  # the deck's paragraphs with words, each once
    assert not any(">42<" in p or "‹#›" in p or "Click to" in p for p in sent), sent
    assert '<span data-r="0">Pagina </span><span data-r="1"></span>' in sent
