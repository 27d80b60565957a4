"""Documents that more than one test sends: a Word file with what a translation must keep
(runs with their formatting, a hyperlink, a table, a page header)."""

from __future__ import annotations

import io
import time
from typing import Any

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def sample_docx() -> bytes:
    """A heading; a paragraph with a bold run and a hyperlink; a table with an italic cell;
    a page header; an empty paragraph."""
    d = docx.Document()
    d.add_heading("Titlul documentului", 1)
    p = d.add_paragraph("O ")
    bold = p.add_run("casă roșie")
    bold.bold = True
    p.add_run(" și mare, vezi ")
    append_hyperlink(d, "https://ex.ro/detalii", "pagina noastră")
    p.add_run(".")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Celula unu"
    table.cell(0, 1).paragraphs[0].add_run("Celula doi").italic = True
    d.sections[0].header.paragraphs[0].text = "Antet de pagină"
    d.add_paragraph("")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def append_hyperlink(document: Document, url: str, text: str) -> None:
    """A hyperlink run at the end of the document body's last paragraph (python-docx has no
    call that adds one: the element is built with lxml and found through `element.body`)."""
    rid = document.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph = list(document.element.body.iterchildren(qn("w:p")))[-1]
    paragraph.append(link)


def refused_at_once(client: Any, name: str, data: bytes, status: int, words: str) -> None:
    """The document posted to /v1/translate/file is refused with `status`, its detail saying
    `words`, within 5 s: a hang guard, not a speed figure."""
    started = time.perf_counter()
    files = {"file": (name, data, "application/octet-stream")}
    r = client.post("/v1/translate/file", files=files)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    assert time.perf_counter() - started < 5
