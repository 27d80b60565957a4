"""PowerPoint files the tests send: a deck with what a translation must keep (a title slide;
a body with a bold run, a link, a line break and a slide-number field; a table; a group; a
text box; a picture; speaker notes), a deck of any number of such slides (for timing), and
decks that grow in one dimension (slides, runs, table cells)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pptx
from pptx.oxml.ns import qn
from pptx.util import Inches

LINK = "https://ex.ro/detalii"
BODY = "O casă roșie și mare, vezi pagina noastră."


def sample_pptx() -> bytes:
    """Two slides: a title slide; then a title, a bulleted body (a bold run, a link, a
    second bullet), a 2×2 table, a group of two text boxes, a text box with a line break
    and a slide-number field, a picture, and speaker notes."""
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Raport anual"
    first.placeholders[1].text = "Echipa de vânzări"
    _content_slide(deck, "Rezultatele noastre", notes="Notele vorbitorului pentru acest slide.")
    return _saved(deck)


def deck(slides: int) -> bytes:
    """`slides` slides like the sample's second one, each with its own title and notes."""
    made = pptx.Presentation()
    for n in range(slides):
        _content_slide(made, f"Capitolul {n + 1}: rezultatele", notes=f"Note pentru partea {n}.")
    return _saved(made)


def _content_slide(deck: Any, title: str, notes: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    first = body.paragraphs[0]
    first.add_run().text = "O "
    bold = first.add_run()
    bold.text = "casă roșie"
    bold.font.bold = True
    first.add_run().text = " și mare, vezi "
    link = first.add_run()
    link.text = "pagina noastră"
    link.hyperlink.address = LINK
    first.add_run().text = "."
    second = body.add_paragraph()
    second.text = "Al doilea punct important"
    second.level = 1

    table = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    table.cell(0, 0).text = "Celula unu"
    italic = table.cell(0, 1).text_frame.paragraphs[0].add_run()
    italic.text = "Celula doi"
    italic.font.italic = True
    table.cell(1, 0).text = "Numărul"
    table.cell(1, 1).text = "42"

    group = slide.shapes.add_group_shape()
    for n, words in enumerate(("Forma din grup", "Altă formă")):
        box = group.shapes.add_textbox(Inches(6), Inches(1 + n), Inches(2), Inches(1))
        box.text_frame.text = words

    box = slide.shapes.add_textbox(Inches(6), Inches(4), Inches(3), Inches(1))
    box.text_frame.text = "Prima linie\vA doua linie"  # \v: python-pptx writes an a:br
    box.text_frame.add_paragraph().add_run().text = "Pagina "
    list(box.element.iter(qn("a:p")))[-1].append(slide_number_field())

    slide.shapes.add_picture(io.BytesIO(png()), Inches(8), Inches(6), Inches(1), Inches(1))
    slide.notes_slide.notes_text_frame.text = notes


def slide_number_field() -> Any:
    """An `a:fld` showing the slide's number (its cached text: ‹#›)."""
    from lxml import etree

    field = etree.SubElement(etree.Element("x"), qn("a:fld"))
    field.set("id", "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}")
    field.set("type", "slidenum")
    etree.SubElement(field, qn("a:rPr")).set("lang", "ro-RO")
    etree.SubElement(field, qn("a:t")).text = "‹#›"
    return field


def png() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- decks that grow in one dimension ---------------------------------------------------
def pptx_slides(n: int) -> bytes:
    """`n` slides, each a title and a sentence."""
    made = pptx.Presentation()
    for i in range(n):
        slide = made.slides.add_slide(made.slide_layouts[1])
        slide.shapes.title.text = f"Titlul {i}"
        slide.placeholders[1].text_frame.text = f"Propoziția numărul {i} de pe slide."
    return _saved(made)


def pptx_runs(n: int) -> bytes:
    """One paragraph of `n` runs, every other one bold."""
    from lxml import etree

    made = pptx.Presentation()
    slide = made.slides.add_slide(made.slide_layouts[6])
    box = slide.shapes.add_textbox(0, 0, Inches(9), Inches(6))
    paragraph = box.element.find(f".//{qn('a:p')}")
    for i in range(n):
        run = etree.SubElement(paragraph, qn("a:r"))
        etree.SubElement(run, qn("a:rPr"), {"lang": "ro-RO", "b": str(i % 2)})
        etree.SubElement(run, qn("a:t")).text = f"cuvântul {i} "
    return _saved(made)


def pptx_cells(n: int) -> bytes:
    """A table of `n` cells (10 a row), each with a sentence."""
    made = pptx.Presentation()
    slide = made.slides.add_slide(made.slide_layouts[6])
    table = slide.shapes.add_table(max(n // 10, 1), 10, 0, 0, Inches(9), Inches(6)).table
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"Celula {r} și {c}"
    return _saved(made)


def _saved(deck: Any) -> bytes:
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
