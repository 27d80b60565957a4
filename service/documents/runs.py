"""A paragraph made of runs (Word's `w:r`, DrawingML's `a:r`, SpreadsheetML's `r`) as inline
HTML for the translation, and its English written back: each run keeps its own properties
and gets the English of its own words, and the runs move to the order the English puts
them in.

- a run is a `<span data-r="n">` around its words (n: the run's number); a tab or a line
  break inside it is a `<br data-t=…>`, which ends the sentence there (read across it, the
  words on each side would be one: `unu\nLinia` as `unuLinia`); a run that holds more than
  text (a picture, a field) is an empty span, kept as it is and moved with the words
  around it;
- a link is an `<a data-r="c">` around its runs (c: the paragraph's child it is);
- a break between runs (DrawingML's `a:br`) is a `<br data-r="c">`: it ends the sentence
  on each side, so that no word crosses it.

After translation the text inside each span is its run's English (text outside any span
joins the run before it, or after a kept run the next one: a kept run takes no words, and
keeps the space it had beside a run the English leaves beside it); the paragraph's
children — runs, links, breaks — take the places they held, in the English's order, and
whatever else the paragraph holds (its properties, bookmarks) stays where it was; a kept
run moves whole, whatever it holds (a text box's paragraphs). Linear in the paragraph's
size.

Word (python-docx runs, `w:hyperlink`), PowerPoint (DrawingML `a:r`, `a:br`, `a:fld`) and
Excel (a cell's rich-text `r` runs, or its one `t`; a comment's text) each say what their
children are and how a run's text is set (`write`'s `put`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import Any

from service.documents.budget import Budget
from service.documents.types import has_letter
from service.text.markup import escape, runs

# What stands for a tab or a line break inside a run, and what it stands for: a `<br>`,
# which ends the sentence, so that the words on either side are not read as one.
_MARKS = {'<br data-t="tab">': "\t", '<br data-t="br">': "\n"}
_TAB, _BREAK = _MARKS
_NUMBER = re.compile(r'data-r="(\d+)"')


class Paragraph:
    """One paragraph's runs, links and breaks, as they are added, and its HTML."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.editable: list[bool] = []  # by run number: its text may be rewritten
        self.owner: list[int] = []  # by run number: the child it belongs to
        self.spaced: list[tuple[bool, bool]] = []  # by run number: its words' edges are spaces
        self.children: list[list[Any]] = []  # each child's elements in the paragraph
        self.has_text = False  # a run it may rewrite has a letter: worth translating
        self._html: list[str] = []

    @property
    def html(self) -> str:
        return "".join(self._html)

    def run(self, element: Any, words: str, editable: bool) -> None:
        """A run of its own (its element a child of the paragraph)."""
        self.children.append([element])
        self._html.append(self._span(words, editable))

    def link(self, elements: Sequence[Any], parts: Iterable[tuple[str, bool]]) -> None:
        """A link: `elements`, the paragraph's children that make it (Word's one
        `w:hyperlink`, or DrawingML's runs that share one `a:hlinkClick`), move together;
        `parts`, its runs' words and whether each is editable, in order."""
        child = len(self.children)
        self.children.append(list(elements))
        inner = "".join(self._span(words, editable) for words, editable in parts)
        self._html.append(f'<a data-r="{child}">{inner}</a>')

    def line_break(self, element: Any) -> None:
        self.budget.piece()
        self._html.append(f'<br data-r="{len(self.children)}">')
        self.children.append([element])

    def _span(self, words: str, editable: bool) -> str:
        self.budget.piece()
        self.budget.text(words)  # as it occurs: a paragraph repeated 1,000 times counts so
        number = len(self.editable)
        self.editable.append(editable)
        self.owner.append(len(self.children) - 1)
        self.spaced.append((words[:1].isspace(), words[-1:].isspace()))
        self.has_text = self.has_text or (editable and has_letter(words))
        text = escape(words).replace("\t", _TAB).replace("\n", _BREAK) if editable else ""
        return f'<span data-r="{number}">{text}</span>'

    def write(self, markup: str, parent: Any, put: Callable[[int, str], None]) -> None:
        """`put(n, english)` for each editable run the English names; then the children of
        `parent` (the paragraph's element) are put in the English's order."""
        text, order = self._read(markup)
        self._keep_spaces(text)
        for number, english in text.items():
            if self.editable[number]:
                put(number, english)
        self._reorder(parent, order)

    def _read(self, markup: str) -> tuple[dict[int, str], list[int]]:
        """Each run's English by its number (in the English's order), and the children in
        the English's order. Words outside any span join the run before them; those before
        the first run, or after a kept one, join the next run that takes words (or, at the
        end, the last): no word is dropped with a kept run."""
        pieces: dict[int, list[str]] = {}
        order: list[int] = []
        last: int | None = None  # the run the words go to, None after a kept one
        previous: int | None = None  # the last run that takes words
        carry: list[str] = []
        in_link = False
        for run in runs(markup):
            found = _NUMBER.search(run.raw) if run.kind in ("open", "void") else None
            if found and run.name in ("a", "br"):
                order.append(int(found.group(1)))
                in_link = run.name == "a"
            elif found:
                number = int(found.group(1))
                pieces.setdefault(number, [])
                last = number if self.editable[number] else None
                if last is not None:
                    previous = last
                    pieces[last] += carry
                    carry = []
                if not in_link:
                    order.append(self.owner[number])
            elif run.kind == "close" and run.name == "a":
                in_link = False
            elif run.kind == "text" or run.raw in _MARKS:
                piece = _MARKS.get(run.raw) or html.unescape(run.raw)
                (carry if last is None else pieces[last]).append(piece)
        if carry:
            into = previous if previous is not None else self.editable.index(True)
            pieces.setdefault(into, []).extend(carry)
        text = {number: "".join(parts) for number, parts in pieces.items()}
        return text, list(dict.fromkeys(order))

    def _keep_spaces(self, text: dict[int, str]) -> None:
        """A kept run (a field, a picture, a text box) keeps the space it had before or after
        it in the source, where the English leaves it beside the same run: the translation
        drops the one between a word and an empty element at a sentence's edge ("Pagina ‹#›"
        came back "Page‹#›"). Beside another run (the English moved them) the space belonged
        to a run that keeps its own. `text` is in the English's order."""
        for a, b in pairwise(text):
            if b == a + 1 and self.editable[a] != self.editable[b]:
                if self.editable[a] and self.spaced[a][1]:
                    text[a] += " " if text[a][-1:].strip() else ""
                elif self.editable[b] and self.spaced[b][0]:
                    text[b] = (" " if text[b][:1].strip() else "") + text[b]

    def _reorder(self, parent: Any, order: list[int]) -> None:
        placed = set(order)
        order += [i for i in range(len(self.children)) if i not in placed]
        if all(a < b for a, b in pairwise(order)):
            return
        elements = list(parent)
        where = {id(e): i for i, e in enumerate(elements)}
        moved = [e for child in order for e in self.children[child]]
        slots = sorted(where[id(e)] for e in moved)
        for slot, element in zip(slots, moved, strict=True):
            elements[slot] = element
        parent[:] = elements
