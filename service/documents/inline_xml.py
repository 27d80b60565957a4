"""Mixed-content XML (OpenDocument paragraphs; XLIFF targets, each a copy of its source) as
inline HTML for translation, and the English written back into the same element.

An element's text lives in its `.text` and its children's `.tail`s, with inline elements
nested among the words. Each child element plays one of five roles, which the format
decides:

- WRAP: formatting around words (`text:span`, `text:a`, XLIFF `g`, `pc`, `mrk`) becomes
  `<span data-x="n">…</span>` around its words, so that it comes back around the words
  that translate them, in the English's order;
- KEEP: anything else (a note, a frame, a bookmark, a field, a placeholder code,
  a comment, an unexpanded entity) becomes an empty `<span data-x="n"></span>` that stays
  in its sentence, and is put back exactly as it was, its content and attributes untouched;
- SHOWN: a kept element whose text is part of its sentence (a page number, a date, a
  protected name) and nothing else: `<span translate="no" data-x="n">its text</span>`, so
  that the translation reads the whole sentence but never changes it; kept as KEEP is
  (one that holds elements, or no text, is a KEEP);
- BREAK: an empty element that separates what is on either side (a tab, a line break)
  becomes `<br data-x="n">`: the translation does not run across it (an empty inline
  element would join the words on either side, `rând<tab/>doi` read as `rânddoi`), and
  it comes back exactly where it was between them;
- SPACE: an element that only stands for white space (`text:s`) becomes a space.

The rebuild takes every element out and puts each back once, where the English has its
marker; one the English lost goes back at the end of its parent. No element is lost or
doubled, and the work is linear in the element's size. A character XML cannot hold, should
the English bring one, is dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from service.documents.budget import Budget
from service.documents.package import xml_safe
from service.documents.types import has_letter
from service.text.markup import escape, runs

WRAP, KEEP, SHOWN, BREAK, SPACE = "wrap", "keep", "shown", "break", "space"
# An element's role among its paragraph's words (one of the five above).
Role = Callable[[Any], str]
_ID = re.compile(r'data-x="(\d+)"')


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _role(child: Any, role: Role) -> str:
    # A comment, a processing instruction or an entity left unexpanded: kept as it is.
    return role(child) if isinstance(child.tag, str) else KEEP


class Mixed:
    """One element's mixed content: `html` to translate, `write` to put the English back."""

    def __init__(self, element: Any, role: Role, budget: Budget) -> None:
        self.element = element
        self.nodes: list[Any] = []  # the inline elements by their number in the HTML
        self.parents: list[int] = []  # each one's parent's number (-1: the element itself)
        self.wraps: list[bool] = []  # whether each one is a wrapper (its content rebuilt)
        self.has_text = False
        parts: list[str] = []
        self._read(element, -1, role, budget, parts)
        self.html = "".join(parts)

    def _read(self, element: Any, number: int, role: Role, budget: Budget, out: list[str]) -> None:
        # Recursion only through wrappers: the parser refuses a tree deeper than 256.
        self._text(element.text, budget, out)
        for child in element:
            budget.piece()
            kind = _role(child, role)
            n = len(self.nodes)
            if kind != SPACE:
                self.nodes.append(child)
                self.parents.append(number)
                self.wraps.append(kind == WRAP)
            if kind == SPACE:
                out.append(" ")
            elif kind == BREAK:
                out.append(f'<br data-x="{n}">')
            elif kind == WRAP:
                out.append(f'<span data-x="{n}">')
                self._read(child, n, role, budget, out)
                out.append("</span>")
            elif kind == SHOWN and child.text and not len(child):
                budget.text(child.text)  # read by the model, never changed by it
                out.append(f'<span translate="no" data-x="{n}">{escape(child.text)}</span>')
            else:
                out.append(f'<span data-x="{n}"></span>')
            self._text(child.tail, budget, out)

    def _text(self, text: str | None, budget: Budget, out: list[str]) -> None:
        if text:
            budget.text(text)  # as it occurs: a repeated paragraph counts every time
            self.has_text = self.has_text or has_letter(text)
            out.append(escape(text))

    def write(self, markup: str) -> None:
        """The element's content rebuilt from its English: each inline element where the
        English has its marker (a wrapper around the English's words inside it), the words
        between them as text and tails."""
        for parent in [
            self.element,
            *(n for n, w in zip(self.nodes, self.wraps, strict=True) if w),
        ]:
            parent.text = None
            del parent[:]  # a SPACE element goes here: its space is in the English
        for node in self.nodes:
            node.tail = None
        into = _Builder(self.element)
        placed = [False] * len(self.nodes)
        # For each open tag: WRAP (one of our wrappers, placed here), KEEP (a kept element's
        # marker: any text in it is the element's own, already in it) or "" (anything else:
        # a tag not ours, or a wrapper's second copy, whose words are kept where they are).
        opened: list[str] = []
        in_kept = 0
        for run in runs(markup):
            if run.kind in ("open", "void"):
                found = _ID.search(run.raw)
                n = int(found.group(1)) if found else -1
                ours = 0 <= n < len(self.nodes)
                fresh = ours and not placed[n]
                if fresh:
                    placed[n] = True
                    into.append(self.nodes[n])
                if run.kind == "open":
                    kind = (WRAP if fresh else "") if ours and self.wraps[n] else ours * KEEP
                    opened.append(kind)
                    in_kept += kind == KEEP
                    if kind == WRAP:
                        into.enter(self.nodes[n])
            elif run.kind == "close" and opened:
                kind = opened.pop()
                in_kept -= kind == KEEP
                if kind == WRAP:
                    into.leave()
            elif run.kind == "text" and not in_kept:
                into.text(xml_safe(html.unescape(run.raw)))
        into.flush()
        for n, node in enumerate(self.nodes):  # parents come before their children
            if not placed[n]:
                # Lost by the English: kept, at the end of where its parent now is.
                parent = self.element if self.parents[n] < 0 else self.nodes[self.parents[n]]
                parent.append(node)


class _Builder:
    """Appends children and text to an element and its open wrappers, in document order."""

    def __init__(self, element: Any) -> None:
        self.stack = [element]
        self.last: list[Any] = [None]  # each open element's last child so far
        self.pending: list[str] = []

    def flush(self) -> None:
        """The text since the last element: the open element's text, or its last child's
        tail (joined once, so that many pieces of text cost their length)."""
        if not self.pending:
            return
        text = "".join(self.pending)
        self.pending.clear()
        last = self.last[-1]
        if last is None:
            self.stack[-1].text = (self.stack[-1].text or "") + text
        else:
            last.tail = (last.tail or "") + text

    def text(self, text: str) -> None:
        self.pending.append(text)

    def append(self, node: Any) -> None:
        self.flush()
        self.stack[-1].append(node)
        self.last[-1] = node

    def enter(self, node: Any) -> None:
        self.stack.append(node)
        self.last.append(None)

    def leave(self) -> None:
        self.flush()
        self.stack.pop()
        self.last.pop()
