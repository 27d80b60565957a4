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
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from service.documents.budget import Abandoned, Budget
from service.documents.package import check_package
from service.documents.types import CorruptDocument, Translators
from service.errors import LimitExceeded
from service.text.markup import escape, runs

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
    budget = translate.budget
    document, pieces = await translate.cpu(lambda: _read(data, budget), len(data))
    todo = list(dict.fromkeys(p.html for p in pieces))
    english = dict(zip(todo, await translate.html(todo), strict=True)) if todo else {}

    def write() -> bytes:
        for n, piece in enumerate(pieces):
            if n % 256 == 0:
                budget.check()
            piece.write(english[piece.html])
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return await translate.cpu(write, len(data))


def _read(data: bytes, budget: Budget) -> tuple[Any, list[_Paragraph]]:
    """The document and its paragraphs with text. A package python-docx cannot open or walk
    is damaged, whatever it raises (it raises many kinds): a 422, not a 500. The error is
    raised outside the `except`, so that it holds no reference to the parsed tree."""
    import docx  # python-docx: imported on first use

    check_package(data, budget, ".docx file")
    failed = ""
    try:
        document = docx.Document(io.BytesIO(data))
        return document, [p for p in _paragraphs(document, budget) if p.has_text]
    except (LimitExceeded, Abandoned):
        raise
    except Exception as err:
        failed = type(err).__name__
    raise CorruptDocument(
        f"The .docx file cannot be read ({failed}): it is damaged or not a Word document. "
        "Save it again as .docx and send it again."
    )


def _paragraphs(document: Any, budget: Budget) -> Iterator[_Paragraph]:
    """Every paragraph of the body, then of each header and footer part — each part once,
    however many sections name it."""
    from docx.blkcntnr import BlockItemContainer
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield from _walk(document._body, budget)
    seen: set[int] = set()
    for rel in list(document.part.rels.values()):
        if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        part = rel.target_part
        if id(part) not in seen:
            seen.add(id(part))
            yield from _walk(BlockItemContainer(part.element, part), budget)


def _walk(container: Any, budget: Budget) -> Iterator[_Paragraph]:
    from docx.table import Table, _Cell

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            # Row by row from the XML: python-docx's `row.cells` lays out the whole table
            # for every row (quadratic), and yields a merged cell once per column it spans.
            for tr in block._tbl.tr_lst:
                for tc in tr.tc_lst:
                    budget.piece()
                    yield from _walk(_Cell(tc, block), budget)
        else:
            budget.piece()
            yield _Paragraph(block, budget)


class _Paragraph:
    """One paragraph as inline HTML: a `span` per run, an `a` per hyperlink (its runs
    inside); after translation, each run's English written back in the new order."""

    def __init__(self, paragraph: Any, budget: Budget) -> None:
        from docx.text.hyperlink import Hyperlink

        self.paragraph = paragraph
        self.runs: list[Any] = []  # every run, by its number in the HTML
        self.owner: list[int] = []  # each run's child, by the run's number
        self.children: list[Any] = []  # runs and links, as elements of the paragraph
        self.has_text = False
        parts = []
        for child in paragraph.iter_inner_content():
            if isinstance(child, Hyperlink):
                numbers = [self._add(run, budget) for run in child.runs]
                inner = "".join(self._span(n, budget) for n in numbers)
                parts.append(f'<a data-r="{len(self.children)}">{inner}</a>')
                self.children.append(child._hyperlink)
            else:
                parts.append(self._span(self._add(child, budget), budget))
                self.children.append(child._r)
        self.html = "".join(parts)

    def _add(self, run: Any, budget: Budget) -> int:
        budget.piece()
        self.runs.append(run)
        self.owner.append(len(self.children))
        return len(self.runs) - 1

    def _span(self, n: int, budget: Budget) -> str:
        run = self.runs[n]
        words = run.text
        budget.text(words)  # as it occurs: a paragraph repeated 1,000 times counts 1,000 times
        self.has_text = self.has_text or bool(words.strip())
        text = escape(words) if _text_only(run) else ""
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
                    order.append(self.owner[last])
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

    def _reorder(self, order: list[int]) -> None:
        """The runs and links take the places they held, in the English's order; whatever
        else the paragraph holds (its properties, bookmarks) stays where it was."""
        placed = set(order)
        order += [i for i in range(len(self.children)) if i not in placed]
        if all(a < b for a, b in pairwise(order)):
            return
        p = self.paragraph._p
        elements = list(p)
        where = {id(e): i for i, e in enumerate(elements)}
        slots = sorted(where[id(self.children[i])] for i in order)
        for slot, i in zip(slots, order, strict=True):
            elements[slot] = self.children[i]
        p[:] = elements


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
