"""EPUB (.epub): every chapter translated as the XHTML document it is — the EPUB 3 table of
contents (nav) too — through the pipeline's HTML path, which keeps every tag byte for byte
and puts inline tags (emphasis, links, spans) back around the words that translate them;
then the EPUB 2 table of contents' labels (toc.ncx), and the book's title and description.

Kept exactly as they are: pictures, fonts, style sheets, the spine and the manifest, every
link and anchor, what is never translated in a page (code, scripts, SVG, MathML), and every
part with nothing to translate, byte for byte — `mimetype` first and stored, as readers
require. The book's language (`dc:language`) becomes `en`, and so does each chapter's
`lang`/`xml:lang` where it said Romanian. Not translated: the author's and publisher's
names, subjects, other metadata, and text inside pictures.

A chapter is well-formed XML when it arrives (or the book is damaged: 422) and when it
leaves: should the English not parse, libxml2's recovering parser rebuilds it, keeping its
text. A part whose DOCTYPE declares entities or elements of its own (a billion laughs) is
refused; none is ever expanded. Every part parsed is counted (bytes and tags, one running
total with the package's count) before it is parsed, whatever its name.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import unquote

from service.documents.budget import Budget
from service.documents.package import (
    Package,
    check_package,
    parse_xml,
    translate_parsed,
    xml_parser,
    xml_safe,
)
from service.documents.types import (
    CorruptDocument,
    Translators,
    as_text,
    has_letter,
    write_all,
)
from service.text.html_blocks import Block, blocks
from service.text.markup import escape

_WHAT = ".epub file"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_LABELS = {_NCX + "navLabel", _NCX + "docTitle"}
_PREDEFINED = re.compile("&(?:amp|lt|gt|quot|apos);")
_TAG = re.compile(r"<[A-Za-z!/]")  # a description written in HTML
_ROMANIAN = re.compile(r"(?:ro|ron|rum|mo)(?:-[A-Za-z0-9]+)*", re.I)
_HTML_START = re.compile(r"<html\b[^>]*>")
_LANG = re.compile(r"""(\b(?:xml:)?lang\s*=\s*)(["'])(?:ro|ron|rum|mo)(?:-[A-Za-z0-9]+)*\2""", re.I)


async def translate_epub(data: bytes, translate: Translators) -> bytes:
    return await translate_parsed(data, translate, _WHAT, lambda: _Book(data, translate.budget))


@dataclass(slots=True)
class _Chapter:
    """An XHTML document of the book, as text for the HTML path; its English replaces it in
    the package."""

    package: Package
    name: str
    html: str
    encoding: str  # its own (its XML declaration's, or UTF-8): it is written back in it
    bom: bytes  # a UTF-8 byte order mark it began with, written back too

    def write(self, english: str) -> None:
        self.package.replace(self.name, self._rebuilt(english))

    def _rebuilt(self, english: str) -> bytes:
        """The chapter in English, in its own encoding (a character it cannot hold as a
        character reference), checked to be well-formed XML still."""
        from lxml import etree

        english = xml_safe(english)
        data = self.bom + english.encode(self.encoding, "xmlcharrefreplace")
        try:
            parse_xml(data)
            return data
        except etree.XMLSyntaxError:
            pass
        # The HTML path keeps every tag and nests what it places, so this is a safety net:
        # libxml2 closes what was left open and keeps the text. Once it has met an error it
        # drops named references, `&amp;` too: they are given as numbers first.
        english = _PREDEFINED.sub(lambda m: f"&#{ord(unescape(m.group()))};", english)
        encoded = english.encode(self.encoding, "xmlcharrefreplace")
        root = etree.fromstring(encoded, xml_parser(recover=True))
        if root is None:
            return self.package.read(self.name)  # nothing to rebuild: as it came
        return bytes(
            etree.tostring(root.getroottree(), xml_declaration=True, encoding=self.encoding)
        )


@dataclass(slots=True)
class _Label:
    """A piece of plain text (a table-of-contents label, the title) or, for a description
    written in HTML, of HTML, in an element of its own."""

    element: Any
    html: str
    is_html: bool

    def write(self, english: str) -> None:
        self.element.text = xml_safe(english if self.is_html else as_text(english))


class _Book:
    """The package document (OPF) the container names, its chapters (every XHTML item of
    the manifest), the labels of its NCX table of contents, and its title and description."""

    def __init__(self, data: bytes, budget: Budget) -> None:
        self.counted = check_package(data, budget, _WHAT)  # before anything is parsed
        self.budget = budget
        self.package = Package(data)
        self.chapters: list[_Chapter] = []
        self.labels: list[_Label] = []
        opf_name = self._rootfile()
        self.opf = self._parse(opf_name)
        self.trees = {opf_name: self.opf}  # parts rewritten through lxml
        manifest = self.opf.find(_OPF + "manifest")
        if self.opf.tag != _OPF + "package" or manifest is None:
            raise CorruptDocument(f"The {_WHAT}'s {opf_name} lists no manifest: it is damaged.")
        folder, seen = posixpath.dirname(opf_name), set[str]()
        for item in manifest.iter(_OPF + "item"):
            name = _resolve(folder, str(item.get("href") or ""))
            kind = str(item.get("media-type") or "").strip().lower()
            if name in seen or not self.package.has(name):
                continue  # listed twice, or missing (a reader skips it too)
            seen.add(name)
            if kind == "application/xhtml+xml":
                self._chapter(name)
            elif kind == "application/x-dtbncx+xml":
                self._ncx(name)
        metadata = self.opf.find(_OPF + "metadata")
        self.metadata = metadata if metadata is not None else self.opf
        for element in self.metadata.iter(_DC + "title", _DC + "description"):
            self._label(element, element.tag == _DC + "description")

    @property
    def pieces(self) -> list[_Chapter | _Label]:
        return [*self.chapters, *self.labels]

    def _rootfile(self) -> str:
        name = "META-INF/container.xml"
        container = self._parse(name) if self.package.has(name) else None
        rootfiles = list(container.iter(_CONTAINER + "rootfile")) if container is not None else []
        typed = [r for r in rootfiles if r.get("media-type") == "application/oebps-package+xml"]
        for rootfile in typed or rootfiles:
            path = _resolve("", str(rootfile.get("full-path") or ""))
            if self.package.has(path):
                return path
        raise CorruptDocument(
            f"The {_WHAT} names no package document (META-INF/container.xml): it is damaged "
            "or not an EPUB. Save it again as .epub and send it again."
        )

    def _parse(self, name: str, raw: bytes | None = None) -> Any:
        """Part `name`, parsed; one whose DOCTYPE declares entities or elements is refused:
        its entities would have to be expanded to be read, and the HTML path cannot keep
        them. A DOCTYPE that only names a DTD (`<!DOCTYPE html>`, XHTML 1.1's) is read."""
        raw = self.package.read(name) if raw is None else raw
        # check_package counted the parts named as markup; a chapter may be named anyhow
        self.counted.add(name, raw)
        root = parse_xml(raw)
        own = root.getroottree().docinfo.internalDTD
        if own is not None and (any(own.iterentities()) or any(own.iterelements())):
            raise CorruptDocument(
                f"The {_WHAT}'s {name} declares entities or elements of its own in its "
                "DOCTYPE, which an EPUB may not. Save it again and send it again."
            )
        return root

    def _chapter(self, name: str) -> None:
        self.budget.piece()
        raw = self.package.read(name)
        encoding = self._parse(name, raw).getroottree().docinfo.encoding or "UTF-8"
        bom = codecs.BOM_UTF8 if raw.startswith(codecs.BOM_UTF8) else b""
        markup = raw.decode(encoding).removeprefix("\ufeff")
        # Its text counted as the HTML path will read it: block by block, as it occurs.
        for item in blocks(markup):
            if isinstance(item, Block):
                self.budget.piece()
                self.budget.text(item.text)
        start = _HTML_START.search(markup)
        if start is not None:  # the page says it is English now (hyphenation, speech)
            tag = _LANG.sub(r"\1\2en\2", start.group())
            markup = markup[: start.start()] + tag + markup[start.end() :]
        self.chapters.append(_Chapter(self.package, name, markup, encoding, bom))

    def _ncx(self, name: str) -> None:
        root = self._parse(name)
        self.trees[name] = root
        for text in root.iter(_NCX + "text"):
            parent = text.getparent()
            if parent is not None and parent.tag in _LABELS:
                self._label(text, False)

    def _label(self, element: Any, is_html: bool) -> None:
        self.budget.piece()
        if len(element):
            return  # more than text (an entity left unexpanded): kept as it is
        text = element.text or ""
        self.budget.text(text)
        if has_letter(text):
            is_html = is_html and bool(_TAG.search(text))
            self.labels.append(_Label(element, text if is_html else escape(text), is_html))

    def write(self, english: dict[str, str]) -> bytes:
        write_all(self.pieces, english, self.budget)
        languages = list(self.metadata.iter(_DC + "language"))
        said = [e for e in languages if _ROMANIAN.fullmatch((e.text or "").strip())]
        for element in said or languages[:1]:
            element.text = "en"
        for name, root in self.trees.items():
            self.package.replace_tree(name, root)
        return self.package.save()


def _resolve(folder: str, href: str) -> str:
    """A manifest's `href` (a URL relative to the package document) as a part's name."""
    path = unquote(href.split("#", 1)[0])
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, path))
