"""Word (.docx): every paragraph's text translated — body, tables (nested too), headers and
footers — with each run's formatting (bold, italics, font, colour, size) and each link
kept: a run keeps its own properties and gets the English of its own words.

A paragraph's runs become inline HTML elements for the translation, so each run's
formatting comes back around the words that translate it, reordered with them when the
English puts them elsewhere (service/text/tag_placement.py). Runs that hold more than text
(a picture, a field, a footnote mark) are left exactly as they are.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from service.documents.types import CorruptDocument, Translators
from service.errors import LimitExceeded
from service.text.markup import escape, runs

# A Word package unpacks to at most this much (XML, styles, pictures together).
MAX_UNPACKED_BYTES = 64 << 20
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
_MARKS = {'<span data-t="tab">': "\t", '<span data-t="br">': "\n"}
_TAB, _BREAK = (f"{tag}</span>" for tag in _MARKS)
_ID = re.compile(r'data-r="(\d+)"')


async def translate_docx(data: bytes, translate: Translators) -> bytes:
    document, pieces = await translate.cpu(lambda: _read(data), len(data))
    todo = list(dict.fromkeys(p.html for p in pieces))
    english = dict(zip(todo, await translate.html(todo), strict=True)) if todo else {}

    def write() -> bytes:
        for piece in pieces:
            piece.write(english[piece.html])
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return await translate.cpu(write, len(data))


def _read(data: bytes) -> tuple[Any, list[_Paragraph]]:
    """The document and its paragraphs with text. A package python-docx cannot open or walk
    is damaged, whatever it raises (it raises many kinds): a 422, not a 500."""
    import docx  # python-docx: imported on first use

    _check_unpacked_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
        return document, [_Paragraph(p) for p in _paragraphs(document) if p.text.strip()]
    except Exception as err:
        raise CorruptDocument(
            f"The .docx file cannot be read ({type(err).__name__}): it is damaged or not a "
            "Word document. Save it again as .docx and send it again."
        ) from None


def _check_unpacked_size(data: bytes) -> None:
    """A small zip can unpack to gigabytes: refused before python-docx parses it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(entry.file_size for entry in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: python-docx says so below
    if size > MAX_UNPACKED_BYTES:
        raise LimitExceeded(
            f"The .docx file unpacks to {size:,} bytes; roen reads at most "
            f"{MAX_UNPACKED_BYTES:,} (its text, styles and parts together).",
            limit=MAX_UNPACKED_BYTES,
            actual=size,
        )


def _paragraphs(document: Any) -> Iterator[Any]:
    yield from _walk(document)
    for section in document.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if not part.is_linked_to_previous:
                yield from _walk(part)


def _walk(container: Any) -> Iterator[Any]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            seen: set[int] = set()
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell comes back once per column
                        seen.add(id(cell._tc))
                        yield from _walk(cell)
        else:
            yield block


class _Paragraph:
    """One paragraph as inline HTML: a `span` per run, an `a` per hyperlink (its runs
    inside); after translation, each run's English written back in the new order."""

    def __init__(self, paragraph: Any) -> None:
        from docx.text.hyperlink import Hyperlink

        self.paragraph = paragraph
        self.runs: list[Any] = []  # every run, by its number in the HTML
        self.children: list[tuple[Any, list[int]]] = []  # (element, its runs' numbers)
        parts = []
        for child in paragraph.iter_inner_content():
            if isinstance(child, Hyperlink):
                numbers = [self._add(run) for run in child.runs]
                inner = "".join(self._span(n) for n in numbers)
                parts.append(f'<a data-r="{len(self.children)}">{inner}</a>')
                self.children.append((child._hyperlink, numbers))
            else:
                n = self._add(child)
                parts.append(self._span(n))
                self.children.append((child._r, [n]))
        self.html = "".join(parts)

    def _add(self, run: Any) -> int:
        self.runs.append(run)
        return len(self.runs) - 1

    def _span(self, n: int) -> str:
        run = self.runs[n]
        text = escape(run.text) if _text_only(run) else ""
        # A tab or a line break inside a run: an empty inline element, so that it stays in
        # its sentence and comes back where its neighbours' words went.
        text = text.replace("\t", _TAB).replace("\n", _BREAK)
        return f'<span data-r="{n}">{text}</span>'

    def write(self, markup: str) -> None:
        """Each run gets the English inside its span (text outside any span joins the run
        before it); runs and links move to the order the English has them in."""
        text: dict[int, str] = {}
        order: list[int] = []  # children, in the English's order
        last: int | None = None
        pending = ""
        in_link = False
        for run in runs(markup):
            found = _ID.search(run.raw) if run.kind == "open" else None
            if found and run.name == "a":
                in_link = True
                order.append(int(found.group(1)))
            elif found:
                last = int(found.group(1))
                text.setdefault(last, pending)
                pending = ""
                if not in_link:
                    order.append(self._child_of(last))
            elif run.kind == "close" and run.name == "a":
                in_link = False
            elif run.kind == "text" or run.raw in _MARKS:  # words, or a tab or line break
                piece = _MARKS.get(run.raw) or html.unescape(run.raw)
                if last is None:
                    pending += piece
                else:
                    text[last] = text.get(last, "") + piece
        for n, run in enumerate(self.runs):
            if _text_only(run) and n in text:
                run.text = text[n]
        self._reorder(list(dict.fromkeys(order)))

    def _child_of(self, n: int) -> int:
        return next(i for i, (_, numbers) in enumerate(self.children) if n in numbers)

    def _reorder(self, order: list[int]) -> None:
        order += [i for i in range(len(self.children)) if i not in order]
        if order == sorted(order):
            return
        elements = [self.children[i][0] for i in order]
        p = self.paragraph._p
        at = min(p.index(e) for e in elements)
        for e in elements:
            p.remove(e)
        for offset, e in enumerate(elements):
            p.insert(at + offset, e)


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
