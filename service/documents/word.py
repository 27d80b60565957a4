"""Word (.docx): every paragraph's text translated — body, tables (nested too), headers and
footers, footnotes, endnotes, comments and text boxes (anywhere: in the body, a header, a
note; a drawing's and its VML fallback's copy both) — with each run's formatting (bold,
italics, font, colour, size) and each link kept: a run keeps its own properties and gets
the English of its own words.

A paragraph's runs become inline HTML elements for the translation, so each run's
formatting comes back around the words that translate it, reordered with them when the
English puts them elsewhere (service/text/tag_placement.py). Runs that hold more than text
(a picture, a field, a note's reference mark, a text box's frame) are left exactly as
they are; the paragraphs inside a text box are translated in place, inside that run.

Not translated: text inside content controls (w:sdt), tracked insertions (w:ins), simple
fields, and charts' and SmartArt's own parts. A part that declares a DOCTYPE (Word itself
refuses one) is a damaged file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from service.documents.budget import Abandoned, Budget
from service.documents.package import check_package, refuse_doctype, xml_parser
from service.documents.runs import Paragraph as Runs
from service.documents.types import CorruptDocument, Translators
from service.errors import LimitExceeded

# What a run may hold and still be "text": anything else (w:drawing, w:fldChar, …) is kept.
_TEXT_PARTS = {
    "rPr",
    "t",
    "tab",
    "br",
    "cr",
    "noBreakHyphen",
    "softHyphen",
    "lastRenderedPageBreak",
}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TABLE, _TEXT_BOX, _TYPE = (f"{_W}{name}" for name in ("p", "tbl", "txbxContent", "type"))
_NOTES = {f"{_W}footnote", f"{_W}endnote", f"{_W}comment"}
# The line above the notes and its continuation: layout that Word keeps as notes of their own.
_SEPARATORS = {"separator", "continuationSeparator"}


async def translate_docx(data: bytes, translate: Translators) -> bytes:
    budget = translate.budget
    document, pieces, loose = await translate.cpu(lambda: _read(data, budget), len(data))
    todo = list(dict.fromkeys(p.html for p in pieces))
    english = dict(zip(todo, await translate.html(todo), strict=True)) if todo else {}

    def write() -> bytes:
        for n, piece in enumerate(pieces):
            if n % 256 == 0:
                budget.check()
            piece.write(english[piece.html])
        for part, story in loose:
            # python-docx holds footnotes and endnotes as bytes: the translated tree replaces them
            part._blob = story.blob
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return await translate.cpu(write, len(data))


def _read(data: bytes, budget: Budget) -> tuple[Any, list[_Paragraph], list[tuple[Any, Any]]]:
    """The document, its paragraphs with text, and the parts parsed here to be written back.
    A package python-docx cannot open or walk is damaged, whatever it raises (it raises many
    kinds): a 422, not a 500. The error is raised outside the `except`, so that it holds no
    reference to the parsed tree."""
    import docx  # python-docx: imported on first use

    check_package(data, budget, ".docx file")
    failed = ""
    try:
        document = docx.Document(io.BytesIO(data))
        loose: list[tuple[Any, Any]] = []
        return document, [p for p in _paragraphs(document, budget, loose) if p.has_text], loose
    except (LimitExceeded, Abandoned, CorruptDocument):
        raise
    except Exception as err:
        failed = type(err).__name__
    raise CorruptDocument(
        f"The .docx file cannot be read ({failed}): it is damaged or not a Word document. "
        "Save it again as .docx and send it again."
    )


def _paragraphs(
    document: Any, budget: Budget, loose: list[tuple[Any, Any]]
) -> Iterator[_Paragraph]:
    """Every paragraph of the body, then of each header, footer, footnotes, endnotes and
    comments part — each part once, however many sections name it — each part's text
    boxes' with it."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield from _story(document.part, [document.element.body], budget)
    seen: set[int] = set()
    for rel in list(document.part.rels.values()):
        if rel.is_external or id(rel.target_part) in seen:
            continue
        part = rel.target_part
        seen.add(id(part))
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            yield from _story(part, [part.element], budget)
        elif rel.reltype in (RT.FOOTNOTES, RT.ENDNOTES, RT.COMMENTS):
            story = _as_xml(part, loose)
            notes = (
                n for n in story.element if n.tag in _NOTES and n.get(_TYPE) not in _SEPARATORS
            )
            yield from _story(story, notes, budget)


def _as_xml(part: Any, loose: list[tuple[Any, Any]]) -> Any:
    """The part as python-docx's XmlPart. python-docx reads footnotes and endnotes only as
    bytes: they are parsed here (nothing fetched, no entity expanded, python-docx's element
    classes) and noted in `loose`, to be written back."""
    from docx.opc.part import XmlPart
    from docx.oxml.parser import element_class_lookup
    from lxml import etree

    if isinstance(part, XmlPart):
        return part
    parser = xml_parser()
    parser.set_element_class_lookup(element_class_lookup)
    story = XmlPart(
        part.partname, part.content_type, etree.fromstring(part.blob, parser), part.package
    )
    loose.append((part, story))
    return story


def _story(part: Any, containers: Iterable[Any], budget: Budget) -> Iterator[_Paragraph]:
    """The paragraphs of one part's `containers` (its body, its notes), then of its text
    boxes. A text box's paragraphs sit in a run of another paragraph (a drawing, a VML
    shape, each copy of an mc:AlternateContent); one pass over the part finds every box,
    and each box walks only its own blocks, so no paragraph is walked twice however boxes
    nest, and a paragraph's reordering moves the box's run whole, its paragraphs in it."""
    root = part.element
    refuse_doctype(root, ".docx file", part.partname, "Word")
    for container in containers:
        yield from _blocks(container, part, budget)
    for box in root.iter(_TEXT_BOX):
        yield from _blocks(box, part, budget)


def _blocks(container: Any, parent: Any, budget: Budget) -> Iterator[_Paragraph]:
    """The paragraphs among the container's children, and in its tables' cells."""
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    for block in container:
        if block.tag == _P:
            budget.piece()
            yield _Paragraph(Paragraph(block, parent), budget)
        elif block.tag == _TABLE:
            table = Table(block, parent)
            # Row by row from the XML: python-docx's `row.cells` lays out the whole table
            # for every row (quadratic), and yields a merged cell once per column it spans.
            for tr in block.tr_lst:
                for tc in tr.tc_lst:
                    budget.piece()
                    yield from _blocks(tc, _Cell(tc, table), budget)


class _Paragraph:
    """One paragraph as inline HTML (service/documents/runs.py): a `span` per run, an `a`
    per hyperlink (its runs inside); after translation, each run's English written back in
    the new order. A run that holds more than text (a picture, a note's mark, a text box, a
    page break) takes no words and moves whole, the paragraphs of a text box in it."""

    def __init__(self, paragraph: Any, budget: Budget) -> None:
        from docx.text.hyperlink import Hyperlink

        self.paragraph = paragraph
        self.inline = Runs(budget)
        self.runs: list[Any] = []  # every run, by its number in the HTML
        for child in paragraph.iter_inner_content():
            if isinstance(child, Hyperlink):
                linked = child.runs
                self.runs += linked
                self.inline.link([child._hyperlink], [(r.text, _text_only(r)) for r in linked])
            else:
                self.runs.append(child)
                self.inline.run(child._r, child.text, _text_only(child))
        self.html, self.has_text = self.inline.html, self.inline.has_text

    def write(self, markup: str) -> None:
        self.inline.write(markup, self.paragraph._p, self._put)

    def _put(self, number: int, english: str) -> None:
        # python-docx writes a tab as `w:tab` and a line break as `w:br`
        self.runs[number].text = english


def _text_only(run: Any) -> bool:
    """Only text, tabs and line breaks (a page or column break is layout: kept as is)."""
    for child in run._r:
        name = child.tag.rsplit("}", 1)[-1]
        if name not in _TEXT_PARTS:
            return False
        if name == "br" and any(
            k.endswith("}type") and v != "textWrapping" for k, v in child.items()
        ):
            return False
    return True
