"""Markdown (.md): the text translated, the structure kept — headings, list markers, quotes,
tables, links (their targets), emphasis, code spans and code blocks.

Line by line: front matter, fenced and indented code, thematic breaks and table rules pass
through; a heading, list item, quote or table cell keeps its marker and its text is
translated. Lines that continue a paragraph (soft wraps) join it: the English is one line.
Inline syntax becomes HTML for the translation, so that a link or an emphasis comes back
around the words that translate it (service/text/tag_placement.py), then Markdown again.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from service.documents.budget import Budget
from service.documents.types import Translators, decode
from service.documents.wrap import rewrap
from service.text.markup import runs

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^[ ]{0,3}([-*_])(?:[ \t]*+\1){2,}[ \t]*+$|^[ ]{0,3}(?:=++|-++)[ \t]*+$")
_TABLE_RULE = re.compile(
    r"^[ \t]*+\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+$"
)
_HEADING = re.compile(r"^([ ]{0,3}#{1,6}[ \t]++)(.*)$")
_ITEM = re.compile(
    r"^([ \t]*+(?:>[ \t]?)*+(?:[-*+]|\d{1,9}[.)])[ \t]++(?:\[[ xX]\][ \t]++)?"
    r"|[ \t]*+(?:>[ \t]?)++)(.*)$"
)
# A link reference definition ([id]: url "title"): kept as it is.
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]]{1,999}\]:[ \t]*\S")
# Inline syntax, taken out before the rest and kept whole: code spans, images, autolinks,
# inline HTML tags, entities, and the private-use characters this module marks with.
_KEEP = re.compile(
    r"(`{1,16})(?:(?!\1).){1,4000}?\1|!\[[^\]]{0,999}\]\([^)]{0,2048}\)"
    r"|<(?:https?|mailto):[^>\s]{1,1000}>|</?[A-Za-z][\w-]{0,30}(?:\s[^<>]{0,500})?>"
    r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|\w{1,30});|[\ue000-\ue003]"
)
_LINK = re.compile(r"\[([^\[\]]{0,2000})\]\(([^()\s]{0,2048}(?:[ \t]+\"[^\"]{0,500}\")?)\)")
_EMPHASIS = [
    re.compile(r"\*\*(?=\S)([^*]{1,2000}?)(?<=\S)\*\*"),
    re.compile(r"(?<!\w)__(?=\S)([^_]{1,2000}?)(?<=\S)__(?!\w)"),
    re.compile(r"\*(?=\S)([^*]{1,2000}?)(?<=\S)\*"),
    re.compile(r"(?<!\w)_(?=\S)([^_]{1,2000}?)(?<=\S)_(?!\w)"),
]
_MD = re.compile(r"""data-md=["']?(\d+)""")
# Private-use characters mark where inline syntax was, while the rest is escaped.
_OPEN, _MID, _CLOSE, _KEPT = "\ue000", "\ue001", "\ue002", "\ue003"


@dataclass(slots=True)
class _Inline:
    """One line's inline syntax: openers, closers and kept pieces by number."""

    opens: list[str] = field(default_factory=list)
    closes: list[str] = field(default_factory=list)
    kept: dict[int, str] = field(default_factory=dict)

    def to_html(self, text: str) -> str:
        def keep(m: re.Match[str]) -> str:
            self.opens.append("")
            self.closes.append("")
            self.kept[len(self.opens) - 1] = m.group(0)
            return f"{_KEPT}{len(self.opens) - 1}{_MID}"

        def wrap(opener: str, closer: str, inner: str) -> str:
            self.opens.append(opener)
            self.closes.append(closer)
            return f"{_OPEN}{len(self.opens) - 1}{_MID}{inner}{_CLOSE}"

        text = _KEEP.sub(keep, text)
        text = _LINK.sub(lambda m: wrap("[", f"]({m.group(2)})", m.group(1)), text)
        for pattern in _EMPHASIS:
            text = pattern.sub(
                lambda m: wrap(m.group(0)[: _marks(m)], m.group(0)[-_marks(m) :], m.group(1)), text
            )
        out = html.escape(text, quote=False)
        out = re.sub(f"{_KEPT}(\\d+){_MID}", r'<code data-md="\1"></code>', out)
        out = re.sub(
            f"{_OPEN}(\\d+){_MID}",
            lambda m: f'<{self._tag(int(m.group(1)))} data-md="{m.group(1)}">',
            out,
        )
        return self._closing(out)

    def _tag(self, k: int) -> str:
        return "a" if self.opens[k] == "[" else "b"

    def _closing(self, out: str) -> str:
        stack: list[int] = []
        parts = re.split(f'(<[ab] data-md="\\d+">|{_CLOSE})', out)
        result = []
        for part in parts:
            m = re.match(r'<([ab]) data-md="(\d+)">', part)
            if m:
                stack.append(int(m.group(2)))
                result.append(part)
            elif part == _CLOSE:
                result.append(f"</{self._tag(stack.pop())}>" if stack else "")
            else:
                result.append(part)
        return "".join(result)

    def to_markdown(self, markup: str) -> str:
        out: list[str] = []
        stack: list[int] = []
        for run in runs(markup):
            k = _MD.search(run.raw) if run.kind in ("open", "void") else None
            if run.kind == "text" or run.kind == "other":
                out.append(html.unescape(run.raw) if run.kind == "text" and not run.skip else "")
            elif k is not None and int(k.group(1)) < len(self.opens):
                n = int(k.group(1))
                out.append(self.kept.get(n, self.opens[n]))
                stack.append(n)
            elif run.kind == "close" and stack:
                n = stack.pop()
                out.append("" if n in self.kept else self.closes[n])
        return "".join(out)


def _marks(m: re.Match[str]) -> int:
    return 2 if m.group(0)[:2] in ("**", "__") else 1


@dataclass(slots=True)
class _Unit:
    first: int  # the line it is written back to
    prefix: str  # marker kept as it was (heading hashes, list marker, quote, table pipe)
    text: str
    suffix: str = ""
    last: int = -1  # the last line it took (soft-wrapped continuations)
    more: list[str] = field(default_factory=list)  # those lines' text, joined once at the end
    inline: _Inline = field(default_factory=_Inline)
    cells: list[str] | None = None  # a table row's cells

    def to_html(self) -> str:
        if self.cells is None:
            return self.inline.to_html(self.text)
        return "".join(f"<td>{self.inline.to_html(c)}</td>" for c in self.cells)

    def to_markdown(self, markup: str) -> str:
        if self.cells is None:
            return self.inline.to_markdown(markup)
        return " | ".join(
            self.inline.to_markdown(c) for c in re.findall(r"<td>(.*?)</td>", markup, re.S)
        )


async def translate_markdown(data: bytes, translate: Translators) -> bytes:
    def read() -> tuple[str, list[str], list[_Unit], list[str]]:
        source = decode(data, ".md")
        lines = source.replace("\r\n", "\n").split("\n")
        translate.budget.unpacked(len(data), ".md file")
        units = _units(lines, translate.budget)
        return source, lines, units, [u.to_html() for u in units]

    source, lines, units, pieces = await translate.cpu(read, len(data))
    newline = "\r\n" if "\r\n" in source else "\n"
    todo = [p for p in dict.fromkeys(pieces) if p.strip()]
    english = dict(zip(todo, await translate.html(todo), strict=True)) if todo else {}
    return await translate.cpu(lambda: _write(lines, units, pieces, english, newline), len(data))


def _write(
    lines: list[str], units: list[_Unit], pieces: list[str], english: dict[str, str], newline: str
) -> bytes:
    out: list[str | None] = list(lines)
    for unit, piece in zip(units, pieces, strict=True):
        text = unit.to_markdown(english[piece]) if piece.strip() else unit.text
        # A soft-wrapped paragraph keeps its line count: the English is re-broken at even
        # lengths, each continuation line with its own indent.
        parts = rewrap(text, unit.last - unit.first + 1) if unit.last > unit.first else [text]
        out[unit.first] = unit.prefix + parts[0] + unit.suffix
        for k, i in enumerate(range(unit.first + 1, unit.last + 1), 1):
            out[i] = _indent(lines[i]) + parts[k] if k < len(parts) else None
    return newline.join(line for line in out if line is not None).encode()


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _units(lines: list[str], budget: Budget) -> list[_Unit]:
    """What to translate, line by line; code, front matter and rules are skipped. Every
    line, cell and character is counted as it is read, before any HTML is built."""
    units: list[_Unit] = []
    fence: str | None = None
    previous_blank = True
    paragraph: _Unit | None = None
    start = 0
    if lines and lines[0].strip() == "---":  # front matter, up to its closing ---
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = end + 1 if end is not None else 0
    for i in range(start, len(lines)):
        line = lines[i]
        budget.piece()
        fenced = _FENCE.match(line)
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                fence = None
            continue
        if fenced:
            fence, paragraph = fenced.group(1), None
            continue
        blank = not line.strip()
        code = previous_blank and paragraph is None and line.startswith(("    ", "\t"))
        previous_blank = blank
        if blank or code or _RULE.match(line) or (_TABLE_RULE.match(line) and "|" in line):
            paragraph = None
            continue
        if line.lstrip().startswith("|"):
            units.extend(_cells(i, line, budget))
            paragraph = None
            continue
        heading = _HEADING.match(line)
        if heading:
            text, suffix = _closing_hashes(heading.group(2))
            units.append(_Unit(i, heading.group(1), text, suffix, i))
            paragraph = None
            continue
        if _REFERENCE.match(line):
            paragraph = None
            continue
        item = _ITEM.match(line)
        if item and (item.group(1).strip() or paragraph is None):
            paragraph = _Unit(i, item.group(1), item.group(2), "", i)
            units.append(paragraph)
            continue
        if paragraph is not None:  # a soft-wrapped continuation
            paragraph.more.append(line.strip())
            paragraph.last = i
            continue
        indent = line[: len(line) - len(line.lstrip())]
        paragraph = _Unit(i, indent, line.strip(), "", i)
        units.append(paragraph)
    for unit in units:
        if unit.more:  # joined once: adding line by line copied the paragraph every time
            unit.text = " ".join([unit.text, *unit.more])
            unit.more = []
        for text in unit.cells or [unit.text]:  # the text to translate, as it occurs
            budget.text(text)
    return [u for u in units if u.text.strip() or u.cells]


def _closing_hashes(text: str) -> tuple[str, str]:
    """A heading's text and its optional closing hashes (`## Titlu ##`), apart."""
    bare = text.rstrip(" \t")
    words = bare.rstrip("#")
    if words == bare or (words and words[-1] not in " \t"):
        return text, ""
    words = words.rstrip(" \t")
    return words, text[len(words) :]


def _cells(i: int, line: str, budget: Budget) -> list[_Unit]:
    """A table row: its cells, each translated on its own (a `td` to the HTML)."""
    budget.piece(line.count("|"))  # the cells, counted before they are split out
    cells = re.split(r"(?<!\\)\|", line.strip())
    cells = cells[1:-1] if line.rstrip().endswith("|") and len(cells) > 2 else cells[1:]
    if not any(c.strip() for c in cells):
        return []
    return [_Unit(i, "| ", "", " |", i, cells=[c.strip() for c in cells])]
