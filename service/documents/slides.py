"""PowerPoint (.pptx): the text of every slide translated — titles, placeholders, text
boxes, shapes inside groups (however deep), each table cell — and of each slide's speaker
notes, its charts' titles and typed labels, and its SmartArt; with each run's formatting
(bold, italics, font, colour, size) and each link kept: a run keeps its own properties and
gets the English of its own words, reordered with them (service/documents/runs.py).

Kept exactly as they are: pictures, media, shapes' geometry, fields (slide numbers, dates),
numbers (a paragraph without a letter is not sent), line breaks (a sentence never crosses
one), animations, transitions, themes, and every part with nothing to translate, byte for
byte. Translated in masters and layouts: only shapes that are not placeholders (a text box
on the master shows on every slide); their placeholders' prompt text ("Click to add
title") is never shown, and is not translated. A shape with a fallback copy (mc:Fallback)
has both copies translated.

Not translated: a chart's series names, categories and values (they are the chart's data,
in its embedded workbook), a title taken from a cell; alt text, comments, the notes and
handout masters, and the slide titles the package lists in docProps/app.xml.

A part that declares a DOCTYPE (PowerPoint never writes one; a billion laughs hides in one)
is a damaged file.

Read with lxml over the package (service/documents/package.py) rather than python-pptx:
only the parts with text are parsed, with the parser that expands no entity, and every
other part goes back byte for byte — python-pptx parses every part with its own parser and
writes each one again.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from service.documents.budget import Budget
from service.documents.package import (
    Package,
    check_package,
    parse_xml,
    refuse_doctype,
    translate_parsed,
    xml_safe,
)
from service.documents.runs import Paragraph
from service.documents.types import CorruptDocument, Translators, write_all

_WHAT = ".pptx file"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_PARAGRAPH, _CELL, _RUN, _FIELD, _BREAK = (_A + n for n in ("p", "tc", "r", "fld", "br"))
_RUN_PROPERTIES, _TEXT, _LINK = _A + "rPr", _A + "t", _A + "hlinkClick"
_SHAPES = {_P + "sp", _P + "graphicFrame", _P + "grpSp", _P + "cxnSp", _P + "pic"}
# What a part with text is, by the type (its last word) of the relationship that names it.
# SmartArt is two parts: its data (what PowerPoint edits) and its drawing (what it shows).
_SLIDE_PARTS = {
    "notesSlide": "all",
    "chart": "chart",
    "diagramData": "all",
    "diagramDrawing": "all",
}


async def translate_pptx(data: bytes, translate: Translators) -> bytes:
    return await translate_parsed(data, translate, _WHAT, lambda: _Deck(data, translate.budget))


class _Deck:
    """The presentation's parts with text, parsed, and their paragraphs: each slide's (in
    the order the slides are shown), then its notes', charts' and SmartArt's; then the
    masters' and layouts' shapes that are not placeholders. Each part once, however many
    parts name it."""

    def __init__(self, data: bytes, budget: Budget) -> None:
        check_package(data, budget, _WHAT)
        self.budget = budget
        self.package = Package(data)
        self.parts: dict[str, Any] = {}  # part name → its parsed tree, for each part walked
        self.pieces: list[_Text] = []
        main = next((t for kind, t in self._relations("").values() if kind == "officeDocument"), "")
        root = self._parse(main) if self.package.has(main) else None
        if root is None or root.tag != _P + "presentation":
            raise CorruptDocument(
                "The .pptx file holds no PowerPoint presentation: it is damaged or not what "
                "its name says. Save it again as .pptx and send it again."
            )
        named = self._relations(main)
        listed = root.find(_P + "sldIdLst")
        for slide in listed if listed is not None else ():
            kind, name = named.get(str(slide.get(_R + "id")), ("", ""))
            if kind == "slide" and self._walk(name, "all"):
                for related, part in self._relations(name).values():
                    if related in _SLIDE_PARTS:
                        self._walk(part, _SLIDE_PARTS[related])
        for kind, master in named.values():
            if kind == "slideMaster" and self._walk(master, "shown"):
                for related, layout in self._relations(master).values():
                    if related == "slideLayout":
                        self._walk(layout, "shown")

    def _walk(self, name: str, how: str) -> bool:
        """The paragraphs with text of part `name`; False if it was walked already, or is
        not in the package (a relationship to a missing part: PowerPoint skips it too)."""
        if name in self.parts or not self.package.has(name):
            return False
        self.budget.piece()
        root = self._parse(name)
        self.parts[name] = root
        for element in _paragraphs(root, how):
            self.budget.piece()
            if element.tag == _PARAGRAPH:
                text = _Text(name, element, self.budget)
                if text.inline.has_text:
                    self.pieces.append(text)
        return True

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Part `part`'s relationships inside the package: id → (type's last word, the
        part's name)."""
        folder, file = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", file + ".rels")
        if not self.package.has(rels):
            return {}
        found: dict[str, tuple[str, str]] = {}
        for rel in self._parse(rels).iter(_RELATIONSHIP):
            target = str(rel.get("Target") or "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            if target.startswith("/"):
                name = target.lstrip("/")
            else:
                name = posixpath.normpath(posixpath.join(folder, target))
            kind = str(rel.get("Type") or "").rsplit("/", 1)[-1]
            found[str(rel.get("Id"))] = (kind, name)
        return found

    def _parse(self, name: str) -> Any:
        root = parse_xml(self.package.read(name))
        refuse_doctype(root, _WHAT, name, "PowerPoint")
        return root

    def write(self, english: dict[str, str]) -> bytes:
        write_all(self.pieces, english, self.budget)
        for name in dict.fromkeys(text.part for text in self.pieces):
            self.package.replace_tree(name, self.parts[name])
        return self.package.save()


def _paragraphs(root: Any, how: str) -> Iterator[Any]:
    """A part's paragraphs (`a:p`) and table cells (`a:tc`, counted as pieces), in order.
    `all`: every one; `chart`: the rich text of titles and labels (a chart's text
    properties are `a:p` too, with no text); `shown`: outside placeholders."""
    if how == "all":
        yield from root.iter(_PARAGRAPH, _CELL)
    elif how == "chart":
        for paragraph in root.iter(_PARAGRAPH):
            parent = paragraph.getparent()
            if parent is not None and parent.tag == _C + "rich":
                yield paragraph
    else:
        stack = [root]  # each element once, a placeholder's subtree never
        while stack:
            element = stack.pop()
            if element.tag in (_PARAGRAPH, _CELL):
                yield element
            if element.tag == _PARAGRAPH or (element.tag in _SHAPES and _placeholder(element)):
                continue
            stack.extend(reversed(element))


def _placeholder(shape: Any) -> bool:
    """A shape that is a placeholder: its properties (`p:nvSpPr`, `p:nvGraphicFramePr`, …)
    hold `p:nvPr/p:ph`."""
    return any(
        isinstance(props.tag, str) and props.find(f"{_P}nvPr/{_P}ph") is not None
        for props in shape[:1]
    )


class _Text:
    """One paragraph (`a:p`) of a part: its runs (`a:r`), fields (`a:fld`) and line breaks
    (`a:br`) as inline HTML. Consecutive runs with the same link (`a:rPr/a:hlinkClick`) are
    one link; a field, or a run whose text is more than text, is kept as it is."""

    def __init__(self, part: str, paragraph: Any, budget: Budget) -> None:
        self.part = part
        self.paragraph = paragraph
        self.inline = Paragraph(budget)
        self.texts: list[Any] = []  # by run number: its `a:t`, or None (kept as it is)
        children = [c for c in paragraph if c.tag in (_RUN, _FIELD, _BREAK)]
        for link, group in groupby(children, _link_of):
            if link is None:
                for child in group:
                    if child.tag == _BREAK:
                        self.inline.line_break(child)
                    else:
                        self.inline.run(child, *self._words(child))
            else:
                runs = list(group)
                self.inline.link(runs, [self._words(run) for run in runs])
        self.html = self.inline.html

    def _words(self, run: Any) -> tuple[str, bool]:
        """A run's words and whether they may be rewritten: only a run of properties and
        plain text (a field's text is its value, kept as it is)."""
        t = run.find(_TEXT)
        plain = (
            run.tag == _RUN
            and t is not None
            and len(t) == 0
            and all(c.tag in (_RUN_PROPERTIES, _TEXT) for c in run)
        )
        self.texts.append(t if plain else None)
        return (t.text or "") if plain else "", plain

    def write(self, markup: str) -> None:
        self.inline.write(markup, self.paragraph, self._put)

    def _put(self, number: int, english: str) -> None:
        self.texts[number].text = xml_safe(english)


def _link_of(child: Any) -> tuple[tuple[str, str], ...] | None:
    """What a run links to (its `a:hlinkClick`, attribute by attribute), or None."""
    link = child.find(f"{_RUN_PROPERTIES}/{_LINK}") if child.tag != _BREAK else None
    return None if link is None else tuple(sorted(link.items()))
