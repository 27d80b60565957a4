"""OpenDocument text (.odt) and presentation (.odp): every paragraph and heading translated
in place, its formatting kept on the words that translate it.

Translated: each `text:p` and `text:h` of content.xml — the body, tables, lists, text
boxes and frames, a presentation's slides (shapes, text boxes, tables) and speaker notes,
comments, footnotes and endnotes (each note's paragraphs on their own, the note still
anchored in its sentence) — of a text document's styles.xml (headers and footers), and the
title in meta.xml.

Kept: spans and links (`text:span`, `text:a`, `text:meta`) around the English of their
words, moved with them when the English puts them elsewhere; tabs and line breaks between
the words they were between (the translation does not run across them); fields (a page
number, a date, a cross-reference) read with their sentence and kept as they are;
whatever else a paragraph holds (note anchors, frames and pictures, bookmarks, changes,
comments) exactly as it is, in its sentence; every other part of the package byte for
byte, the `mimetype` entry first and stored. `text:s` (extra spaces) becomes one space.
Not translated: embedded objects (charts, formulas), drawing shapes' titles and
descriptions, a presentation's master pages (their prompts are not its text), and
metadata other than the title (subject, description, keywords).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.documents.budget import Budget
from service.documents.inline_xml import BREAK, KEEP, SHOWN, SPACE, WRAP, Mixed
from service.documents.package import (
    Package,
    check_package,
    parse_xml,
    translate_parsed,
)
from service.documents.types import CorruptDocument, Translators, write_all

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_PARAGRAPHS = (f"{{{_TEXT}}}p", f"{{{_TEXT}}}h")
# Formatting around words; text:meta and text:meta-field hold paragraph content too.
_WRAPS = frozenset(f"{{{_TEXT}}}{n}" for n in ("span", "a", "meta", "meta-field"))
_SPACE = f"{{{_TEXT}}}s"
_BREAKS = frozenset(f"{{{_TEXT}}}{n}" for n in ("tab", "line-break"))
_SCRIPT = f"{{{_TEXT}}}script"


async def translate_odt(data: bytes, translate: Translators) -> bytes:
    return await _translate(data, translate, ".odt file", ("content.xml", "styles.xml"))


async def translate_odp(data: bytes, translate: Translators) -> bytes:
    # A presentation's styles.xml holds its master pages' placeholder prompts, not its text.
    return await _translate(data, translate, ".odp file", ("content.xml",))


async def _translate(
    data: bytes, translate: Translators, what: str, parts: tuple[str, ...]
) -> bytes:
    return await translate_parsed(
        data, translate, what, lambda: _read(data, translate.budget, what, parts)
    )


@dataclass(slots=True)
class _Document:
    """The package, its parsed parts by name, their paragraphs with words in them, and the
    parts those are in."""

    budget: Budget
    package: Package
    trees: dict[str, Any]
    pieces: list[Mixed]
    touched: set[str]

    def write(self, english: dict[str, str]) -> bytes:
        write_all(self.pieces, english, self.budget)
        for name in self.touched:  # a part with nothing translated stays byte for byte
            self.package.replace_tree(name, self.trees[name])
        return self.package.save()


def _read(data: bytes, budget: Budget, what: str, parts: tuple[str, ...]) -> _Document:
    check_package(data, budget, what)  # counted before anything is parsed
    package = Package(data)
    if not package.has("content.xml"):
        raise CorruptDocument(
            f"The {what} has no content.xml: it is not an OpenDocument file. Save it again "
            "as OpenDocument and send it again."
        )
    trees: dict[str, Any] = {}
    pieces: list[Mixed] = []
    touched: set[str] = set()
    for name in (*parts, "meta.xml"):
        if not package.has(name):
            continue  # styles.xml and meta.xml are optional
        root = parse_xml(package.read(name))
        if name == "content.xml" and root.tag != f"{{{_OFFICE}}}document-content":
            raise CorruptDocument(
                f"The {what}'s content.xml is not an OpenDocument document's content. "
                "Save it again as OpenDocument and send it again."
            )
        trees[name] = root
        found = root.iter(f"{{{_DC}}}title") if name == "meta.xml" else root.iter(*_PARAGRAPHS)
        for element in found:
            # Each paragraph once: a note's or a text box's paragraphs inside it are kept
            # whole by this one (_role) and come as their own from `iter`.
            budget.piece()
            paragraph = Mixed(element, _role, budget)
            if paragraph.has_text:
                pieces.append(paragraph)
                touched.add(name)
    return _Document(budget, package, trees, pieces, touched)


def _role(element: Any) -> str:
    if element.tag in _WRAPS:
        return WRAP
    if element.tag in _BREAKS:
        return BREAK
    if element.tag == _SPACE:
        return SPACE
    # A field (a page number, a date, a cross-reference) shows its text in the sentence:
    # read with it, never changed. A script's text is code.
    in_text = element.tag.startswith(f"{{{_TEXT}}}") and element.tag != _SCRIPT
    return SHOWN if in_text else KEEP
