"""HTML as blocks of sentences: what the model translates, and where each inline tag sat.

Block elements, `<br>`, comments, images and never-translated content end a block; inline
elements (`a`, `b`, `em`, `span`, …) stay inside the sentence they belong to. A block's
text is what its text runs say, unescaped, with whitespace collapsed (as a browser shows
it); each inline element is a span of that text, so it can be put back around the words
that translate its own. Tags are never re-serialised: every tag goes back byte for byte.

A block whose inline tags do not pair up inside it (`<p>a <b>b</p>`) is marked `paired =
False`; the caller translates it run by run, which keeps every tag exactly in place.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from service.text.markup import NO_SELF_NESTING, Run, runs, text_run
from service.text.normalize import normalize_text

# Elements that sit inside a sentence. Anything else (p, div, li, h1, td, br, img, …) ends
# one: a segment never runs across them.
INLINE = frozenset(
    """a abbr b bdi bdo big cite data del dfn em font i ins mark q s small span strong sub
    sup time tt u var""".split()
)
PATH_DEPTH = 12
# Inline elements nested deeper than this (no real text does) are translated run by run.
MAX_NESTING = 32
# Inline, and never translated: part of a sentence a reader sees.
VISIBLE_INLINE = frozenset("code kbd samp".split())
# Elements that may be never-translated yet inside a sentence, and how many runs one may
# hold (beyond that it ends the sentence, as any never-translated element does).
OPAQUE = INLINE | VISIBLE_INLINE
OPAQUE_RUNS = 200
_SPACES = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses (not &nbsp;)


@dataclass(slots=True)
class Span:
    """One inline element: its tags are `runs[open]` and `runs[close]`; its text is
    `text[start:end]` of the block (trimmed of the spaces at its edges)."""

    open: int
    close: int
    start: int
    end: int
    parent: int | None  # index of the enclosing span in `Block.spans`
    # Never translated, inside a sentence (a `translate="no"` mention, inline `code`): its
    # text is part of the sentence the model reads, and it comes back byte for byte.
    opaque: bool = False


@dataclass(slots=True)
class Block:
    runs: list[Run]  # text runs and inline tags, as they arrived
    path: str  # where it sits, e.g. "article[1]/p[3]"
    lead: str = ""  # whitespace before its first word, as it arrived
    trail: str = ""  # and after its last
    text: str = ""  # what the model translates: unescaped, spaces collapsed, trimmed
    spans: list[Span] = field(default_factory=list)
    paired: bool = True  # every inline tag has its partner in the block

    @property
    def raw(self) -> str:
        return self.lead + "".join(r.raw for r in self.runs) + self.trail


Item = Run | Block


def blocks(markup: str, ignore: frozenset[str] = frozenset(), visible: bool = False) -> list[Item]:
    """The document in order: runs passed through as they are, and blocks to translate.
    Concatenating every item's `raw` gives the input back. `visible`: blocks of what a
    reader sees instead — never-translated text and inline code included (for extracting
    an article, not for translating it)."""
    items: list[Item] = []
    pending: list[Run] = []
    path = _Path()
    inline_names = INLINE | VISIBLE_INLINE if visible else INLINE

    def flush() -> None:
        if any(
            r.kind == "text" and (r.text is not None or (visible and r.raw.strip()))
            for r in pending
        ):
            items.append(_block(pending, path.here()))
        else:
            items.extend(pending)
        pending.clear()

    pieces = runs(markup, ignore)
    opaque: dict[int, int] = {}  # id of an opaque element's first run → id of its last
    i = 0
    while i < len(pieces):
        run = pieces[i]
        end = None if visible else _opaque_end(pieces, i)
        if end is not None:  # a never-translated inline element: inside the sentence
            opaque[id(run)] = id(pieces[end])
            pending.extend(pieces[i : end + 1])
            i = end + 1
            continue
        i += 1
        inline = run.name in inline_names and run.kind in ("open", "close")
        if (visible or not run.skip) and (run.kind == "text" or inline):
            pending.append(run)
            continue
        flush()
        items.append(run)
        if not inline:
            path.step(run)
    flush()
    for item in items:
        if isinstance(item, Block):
            _measure(item, opaque)
    return items


def _opaque_end(pieces: list[Run], i: int) -> int | None:
    """Where the never-translated inline element opening at `i` ends, if it is one: inline
    tags and text only, closed within OPAQUE_RUNS runs."""
    first = pieces[i]
    # Inline code, kbd and samp end the sentence instead: a model translates what they hold
    # (identifiers, commands) rather than copying it, so they could not be found in it.
    if not (first.skip and first.kind == "open" and first.name in INLINE):
        return None
    depth = 0
    for j in range(i, min(len(pieces), i + OPAQUE_RUNS)):
        run = pieces[j]
        if not run.skip or run.kind == "other" or run.kind == "void":
            return None
        if run.kind == "open":
            if run.name not in OPAQUE:
                return None
            depth += 1
        elif run.kind == "close":
            if run.name not in OPAQUE:
                return None  # a block's end tag inside it: not a piece of a sentence
            depth -= 1
            if depth == 0:
                return j
    return None


class _Path:
    """The open block elements, with each one's position among same-named siblings. A
    path names at most PATH_DEPTH levels (the innermost; "…/" says more are above), so
    that deep nesting costs neither quadratic memory nor time."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, str]] = []  # (name, "name[n]")
        self.counts: list[dict[str, int]] = [{}]
        self.open: dict[str, int] = {}  # how many of each name are on the stack

    def here(self) -> str:
        inner = "/".join(label for _, label in self.stack[-PATH_DEPTH:])
        return ("…/" if len(self.stack) > PATH_DEPTH else "") + inner

    def step(self, run: Run) -> None:
        if run.kind == "open":
            if self.stack and run.name in NO_SELF_NESTING and self.stack[-1][0] == run.name:
                self._pop()
            n = self.counts[-1].get(run.name, 0) + 1
            self.counts[-1][run.name] = n
            self.stack.append((run.name, f"{run.name}[{n}]"))
            self.counts.append({})
            self.open[run.name] = self.open.get(run.name, 0) + 1
        elif run.kind == "close" and self.open.get(run.name):
            # lenient: a close tag ends what was left open inside it
            while self.stack[-1][0] != run.name:
                self._pop()
            self._pop()

    def _pop(self) -> None:
        name, _ = self.stack.pop()
        self.counts.pop()
        self.open[name] -= 1


def _block(pending: list[Run], path: str) -> Block:
    lead = trail = ""
    block_runs = list(pending)
    # The whitespace at the block's edges goes back as it arrived; inside, it collapses.
    if block_runs[0].kind == "text":
        raw = block_runs[0].raw
        lead = raw[: len(raw) - len(raw.lstrip())]
        block_runs[0] = text_run(raw[len(lead) :])
    if block_runs[-1].kind == "text":
        raw = block_runs[-1].raw
        trail = raw[len(raw.rstrip()) :]
        block_runs[-1] = text_run(raw[: len(raw) - len(trail)])
    block_runs = [r for r in block_runs if r.raw]
    return Block(block_runs, path, lead, trail)


def _measure(block: Block, opaque: dict[int, int]) -> None:
    """The block's text (collapsed and normalised) and each inline element's span of it;
    an opaque element is one span, whatever it holds."""
    text = ""
    open_spans: list[int] = []
    inside: Span | None = None  # the opaque element being read
    last = 0  # id of its last run
    for i, run in enumerate(block.runs):
        if run.kind == "text":  # (an opaque element's text too: the sentence holds it)
            piece = normalize_text(run.text if run.text is not None else html.unescape(run.raw))
            piece = _SPACES.sub(" ", piece)
            text += piece[1:] if text.endswith(" ") and piece.startswith(" ") else piece
        if inside is not None or id(run) in opaque:
            if inside is None:
                last = opaque[id(run)]
                parent = open_spans[-1] if open_spans else None
                inside = Span(i, -1, len(text), -1, parent, opaque=True)
                block.spans.append(inside)
            if id(run) == last:
                inside.close, inside.end, inside = i, len(text), None
            continue
        if run.kind == "text":
            continue
        if run.kind == "open":
            parent = open_spans[-1] if open_spans else None
            block.spans.append(Span(i, -1, len(text), -1, parent))
            open_spans.append(len(block.spans) - 1)
            if len(open_spans) > MAX_NESTING:
                block.paired = False  # run by run: no placement that deep
        elif open_spans and block.runs[block.spans[open_spans[-1]].open].name == run.name:
            span = block.spans[open_spans.pop()]
            span.close, span.end = i, len(text)
        else:
            block.paired = False  # a close tag with no partner here
    if open_spans:
        block.paired = False
    lead = len(text) - len(text.lstrip(" "))
    block.text = text.strip(" ")
    for span in block.spans:
        start = min(max(span.start - lead, 0), len(block.text))
        end = min(max(span.end - lead, start), len(block.text))
        while start < end and block.text[start] == " ":
            start += 1
        while end > start and block.text[end - 1] == " ":
            end -= 1
        span.start, span.end = start, end
