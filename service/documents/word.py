"""Word (.docx): every paragraph's text translated — body, tables (nested too), headers and
footers, footnotes, endnotes, comments, text boxes (anywhere: in the body, a header, a
note; a drawing's and its VML fallback's copy both), content controls (around paragraphs,
rows, cells or runs) and custom XML, smart tags and tracked insertions — with each run's
formatting (bold, italics, font, colour, size) and each link kept: a run keeps its own
properties and gets the English of its own words.

A paragraph's runs become inline HTML elements for the translation, so each run's
formatting comes back around the words that translate it, reordered with them when the
English puts them elsewhere (service/text/tag_placement.py). Runs that hold more than text
(a picture, a field, a note's reference mark, a text box's frame) are left exactly as
they are; the paragraphs inside a text box are translated in place, inside that run. What
holds runs inside a paragraph — a link, a content control's content, custom XML, a smart
tag, a tracked insertion or move — is kept around them: each of its runs gets its own
words' English, and it moves whole with them (its runs in their order inside it).

Not translated: tracked deletions (w:del, a move's source w:moveFrom: their w:delText is
text the document no longer holds), simple fields, and charts' and SmartArt's own parts.
A comment or processing instruction in a paragraph or a run is kept where it was. A part
that declares a DOCTYPE (Word itself refuses one) is a damaged file.

Counted once: Word stores a text box twice, DrawingML in mc:Choice and a VML copy in
mc:Fallback. Both are translated (a reader may show either), but the copy's text counts
against the document's characters, and is billed, only where a paragraph of the copy is
not one of the first copy's: the same text is paid for once, text found only in a
fallback still is.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from service.documents.budget import Budget
from service.documents.inline_xml import local
from service.documents.package import (
    check_package,
    read_or_refuse,
    rebuild_or_refuse,
    refuse_doctype,
    xml_parser,
    xml_safe,
)
from service.documents.runs import Paragraph as Runs
from service.documents.types import Translators, translate_all, write_all

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
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _TABLE, _ROW, _CELL, _RUN, _TEXT_BOX, _TYPE = (
    f"{_W}{name}" for name in ("p", "tbl", "tr", "tc", "r", "txbxContent", "type")
)
_ALTERNATE, _FALLBACK = f"{_MC}AlternateContent", f"{_MC}Fallback"
# What holds a body's paragraphs, a table's rows or a row's cells and is kept around them:
# a content control (its blocks in w:sdtContent; w:sdtPr holds none) and custom XML.
_BLOCK_HOLDERS = {f"{_W}{name}" for name in ("sdt", "sdtContent", "customXml")}
# What holds a paragraph's runs and is kept around them, moved whole with them: those, a
# link, a smart tag, a tracked insertion and a move's destination. A tracked deletion
# (w:del, w:moveFrom) is not among them: its text is gone from the document.
_RUN_HOLDERS = _BLOCK_HOLDERS | {
    f"{_W}{name}" for name in ("hyperlink", "smartTag", "ins", "moveTo")
}
_NOTES = {f"{_W}footnote", f"{_W}endnote", f"{_W}comment"}
# The line above the notes and its continuation: layout that Word keeps as notes of their own.
_SEPARATORS = {"separator", "continuationSeparator"}


async def translate_docx(data: bytes, translate: Translators) -> bytes:
    budget = translate.budget
    document, pieces, loose = await translate.cpu(lambda: _read(data, budget), len(data))
    english = await translate_all((p.html for p in pieces), translate.html)

    def write() -> bytes:
        write_all(pieces, english, budget)
        for part, story in loose:
            # python-docx holds footnotes and endnotes as bytes: the translated tree replaces them
            part._blob = story.blob
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return await translate.cpu(lambda: rebuild_or_refuse(".docx file", write), len(data))


def _read(data: bytes, budget: Budget) -> tuple[Any, list[_Paragraph], list[tuple[Any, Any]]]:
    """The document, its paragraphs with text, and the parts parsed here to be written back.
    A package python-docx cannot open or walk is damaged, whatever it raises (it raises many
    kinds): a 422, not a 500."""
    import docx  # python-docx: imported on first use

    check_package(data, budget, ".docx file")

    def read() -> tuple[Any, list[_Paragraph], list[tuple[Any, Any]]]:
        document = docx.Document(io.BytesIO(data))
        loose: list[tuple[Any, Any]] = []
        return document, [p for p in _paragraphs(document, budget, loose) if p.has_text], loose

    return read_or_refuse(".docx file", read, hint="Save it again as .docx and send it again.")


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
    # A box's copies lie in one outermost mc:AlternateContent, its mc:Choice before its
    # mc:Fallback: the first copy's paragraphs are known when the second's are met.
    outermost: Any = None
    first: set[str] = set()
    for box in root.iter(_TEXT_BOX):
        alternate, copy = _stored_as(box)
        if alternate is not outermost:
            outermost, first = alternate, set()
        if copy:
            yield from _copy(box, part, budget, first)
            continue
        for paragraph in _blocks(box, part, budget):
            if alternate is not None:
                first.add(paragraph.html)
            yield paragraph


def _stored_as(box: Any) -> tuple[Any, bool]:
    """The outermost mc:AlternateContent the box lies in (None if none), and whether it is
    a copy (under an mc:Fallback, at any depth)."""
    outermost, copy = None, False
    for above in box.iterancestors():
        if above.tag == _FALLBACK:
            copy = True
        elif above.tag == _ALTERNATE:
            outermost = above
    return outermost, copy


def _copy(box: Any, parent: Any, budget: Budget, first: set[str]) -> Iterator[_Paragraph]:
    """A text box's second copy, walked and translated like the first, its paragraphs, runs
    and cells counted; its text counted (and billed) only for a paragraph that is not one
    of the first copy's. Its runs count their text on a budget of their own with no
    characters cap; the pieces go on to the document's after each paragraph."""
    own = Budget(replace(budget.caps, max_chars=None), budget.cancelled)
    moved = 0
    for paragraph in _blocks(box, parent, own):
        budget.piece(own.pieces - moved)
        moved = own.pieces
        if paragraph.html not in first:
            budget.text("".join(run.text for run in paragraph.runs))
        yield paragraph
    budget.piece(own.pieces - moved)


def _blocks(container: Any, parent: Any, budget: Budget) -> Iterator[_Paragraph]:
    """The paragraphs among the container's children, in its tables' cells, and in the
    content controls and custom XML around any of them."""
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
            for tr in _held(block, _ROW):
                for tc in _held(tr, _CELL):
                    budget.piece()
                    yield from _blocks(tc, _Cell(tc, table), budget)
        elif block.tag in _BLOCK_HOLDERS:
            yield from _blocks(block, parent, budget)


def _held(container: Any, tag: str) -> Iterator[Any]:
    """The container's children named `tag`, and those inside its content controls and
    custom XML (a row's or a cell's)."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag in _BLOCK_HOLDERS:
            yield from _held(child, tag)


class _Paragraph:
    """One paragraph as inline HTML (service/documents/runs.py): a `span` per run, an `a`
    per link, content control, smart tag or tracked insertion (its runs inside, however
    deep); after translation, each run's English written back in the new order. A run that
    holds more than text (a picture, a note's mark, a text box, a page break) takes no
    words and moves whole, the paragraphs of a text box in it. The paragraph's children are
    read from the XML: python-docx's `iter_inner_content` sees only runs and links."""

    def __init__(self, paragraph: Any, budget: Budget) -> None:
        self.paragraph = paragraph
        self.inline = Runs(budget)
        self.runs: list[Any] = []  # every run's w:r, by its number in the HTML
        for child in paragraph._p:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction: kept where it is
            if child.tag == _RUN:
                self.runs.append(child)
                self.inline.run(child, child.text, _text_only(child))
            elif child.tag in _RUN_HOLDERS and (held := _runs_in(child, [])):
                self.runs += held
                self.inline.link([child], [(r.text, _text_only(r)) for r in held])
        self.html, self.has_text = self.inline.html, self.inline.has_text

    def write(self, markup: str) -> None:
        self.inline.write(markup, self.paragraph._p, self._put)

    def _put(self, number: int, english: str) -> None:
        # python-docx writes a tab as `w:tab` and a line break as `w:br`
        self.runs[number].text = xml_safe(english)


def _runs_in(holder: Any, into: list[Any]) -> list[Any]:
    """The runs inside `holder` and the holders within it, in order (a deletion's not)."""
    for child in holder:
        if not isinstance(child.tag, str):
            continue
        if child.tag == _RUN:
            into.append(child)
        elif child.tag in _RUN_HOLDERS:
            _runs_in(child, into)
    return into


def _text_only(run: Any) -> bool:
    """Only text, tabs and line breaks (a page or column break is layout: kept as is); a
    comment or processing instruction beside them stays where it is."""
    for child in run:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name not in _TEXT_PARTS:
            return False
        if name == "br" and any(
            k.endswith("}type") and v != "textWrapping" for k, v in child.items()
        ):
            return False
    return True
