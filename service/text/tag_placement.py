"""Putting a block's inline tags back into its translation.

The model translates a block's text without its tags; each inline element is then placed
around the words that translate its own, found wherever they are in the sentence (so word
reordering is survived):

1. an element that holds whole sentences (or one but its final stop) takes their
   translations whole;
2. otherwise its text is translated on its own and looked for, word for word, in its
   sentence's translation — then its own source words (names, numbers, @handles, which
   the model copies); of several places, the one nearest its place in the source wins;
3. failing that, the window of words most like either (Dice ≥ 0.5 on 4-letter stems) —
   placed, but the segment says `tag_position`;
4. an empty element (an icon, an anchor) keeps its relative place — `tag_position` too
   unless it sat at a sentence's edge.

A never-translated element inside a sentence (an opaque span: a mention, inline code) is
placed by its own words only (rules 1-2, 4) and comes back byte for byte in their place.

Every placement must keep the source's nesting: inside its parent's words, never across
a sibling's. When one element cannot be placed so, `place` gives up on the block (None):
the caller then translates it run by run between its tags, which loses no element, no
attribute and no word. Output is escaped text and the input's own tags, balanced as the
input's were.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from service.text.html_blocks import Block, Span
from service.text.markup import escape

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_END_PUNCT = re.compile(r"[\s.!?…:;,\"'»”’)\]]+$")
FUZZY_AT_LEAST = 0.5
# Likeness is looked for only for elements and sentences of up to so many words.
ALIKE_WORDS = 40
ALIKE_SENTENCE_WORDS = 400


@dataclass(frozen=True, slots=True)
class Sentence:
    """One segment of the block: its span of the block's text and of the translation."""

    source_start: int
    source_end: int
    target_start: int
    target_end: int


@dataclass(slots=True)
class Placement:
    html: str | None  # the block's translation with its tags; None: not every tag placed
    confident: int = 0  # placed by rules 1-2 (or an empty one at an edge)
    unsure: set[int] = field(default_factory=set)  # sentences holding a rule 3-4 placement


Range = tuple[int, int]


def place(
    block: Block,
    translation: str,
    sentences: list[Sentence],
    english: Callable[[str], str | None],
) -> Placement:
    """`english(text)`: the translation of an element's own text (None if not asked)."""
    spans = block.spans
    found = Placement(None)
    ranges: list[Range] = []
    for k, span in enumerate(spans):  # parents come before their children
        parent = ranges[span.parent] if span.parent is not None else (0, len(translation))
        kin = _ancestors(spans, k)
        others = [r for i, r in enumerate(ranges) if i not in kin]

        def fits(r: Range, parent: Range = parent, others: list[Range] = others) -> bool:
            return parent[0] <= r[0] <= r[1] <= parent[1] and all(
                r[1] <= a or b <= r[0] for a, b in others
            )

        located = _locate(block, span, translation, sentences, english, fits)
        if located is None:
            return found
        r, sure, sentence = located
        ranges.append(r)
        if sure:
            found.confident += 1
        else:
            found.unsure.add(sentence)
    found.html = _render(block, translation, ranges)
    return found


def _ancestors(spans: list[Span], k: int) -> set[int]:
    out = set()
    parent = spans[k].parent
    while parent is not None:
        out.add(parent)
        parent = spans[parent].parent
    return out


def _locate(
    block: Block,
    span: Span,
    t: str,
    sentences: list[Sentence],
    english: Callable[[str], str | None],
    fits: Callable[[Range], bool],
) -> tuple[Range, bool, int] | None:
    """Where `span` goes in the translation `t`, whether that is sure, and its sentence."""
    if not sentences:
        return None
    if span.start == span.end:
        return _empty(span.start, t, sentences, fits)
    inside = [
        i
        for i, s in enumerate(sentences)
        if s.source_start < span.end and span.start < s.source_end
    ]
    if not inside:
        return None
    first, last = sentences[inside[0]], sentences[inside[-1]]
    if span.start <= first.source_start:  # rule 1: from a sentence's start…
        core = _core_end(block.text, last.source_start, last.source_end)
        end = None
        if span.end >= last.source_end:  # …to a sentence's end
            end = last.target_end
        elif span.end >= core and not (span.opaque and span.end > core):
            # …or to just before its final stop (an opaque element holding part of that
            # stop is found by its words instead: its bytes come back whole)
            end = _core_end(t, last.target_start, last.target_end)
        if end is not None and fits((first.target_start, end)):
            return (first.target_start, end), True, inside[0]
    if len(inside) > 1:
        return None  # across sentences, but not along their edges
    s = sentences[inside[0]]
    source = block.text[span.start : span.end]
    own = None if span.opaque else english(source)  # never translated: found as it is
    candidates = [c for c in dict.fromkeys([own, source]) if c]
    expected = s.target_start + (span.start - s.source_start) / max(
        1, s.source_end - s.source_start
    ) * (s.target_end - s.target_start)
    words = [
        (m.start(), m.end(), m.group().casefold())
        for m in _WORD.finditer(t, s.target_start, s.target_end)
    ]
    for candidate in candidates:  # rule 2: the same words, in order
        whole = candidate.strip().casefold() if span.opaque else None
        r = _exact(candidate, t, words, s, expected, fits, whole)
        if r is not None:
            return r, True, inside[0]
    if span.opaque:
        return None  # it comes back byte for byte: only where its very words are
    best: tuple[float, float, Range] | None = None
    for candidate in candidates:  # rule 3: the most alike window of words
        for score, r in _alike(candidate, words):
            if score >= FUZZY_AT_LEAST and fits(r):
                key = (score, -abs(r[0] - expected), r)
                if best is None or key[:2] > best[:2]:
                    best = key
    if best is not None:
        return best[2], False, inside[0]
    return None


def _empty(
    at: int, t: str, sentences: list[Sentence], fits: Callable[[Range], bool]
) -> tuple[Range, bool, int] | None:
    """Rule 4: an element with no text, at a sentence's edge or at its relative place."""
    for i, s in enumerate(sentences):
        if at <= s.source_start:
            point, sure = s.target_start, True
        elif at >= s.source_end and i == len(sentences) - 1:
            point, sure = s.target_end, True
        elif at < s.source_end:
            share = (at - s.source_start) / max(1, s.source_end - s.source_start)
            point = s.target_start + round(share * (s.target_end - s.target_start))
            point, sure = _word_edge(t, point, s), False
        else:
            continue
        return ((point, point), sure, i) if fits((point, point)) else None
    return None


def _word_edge(t: str, point: int, s: Sentence) -> int:
    """The nearest place at or after `point` that is not inside a word."""
    while s.target_start < point < s.target_end and t[point - 1].isalnum() and t[point].isalnum():
        point += 1
    return point


def _core_end(text: str, start: int, end: int) -> int:
    """Where a sentence's final punctuation (and quotes) begins."""
    m = _END_PUNCT.search(text, start, end)
    return m.start() if m and m.start() > start else end


def _exact(
    candidate: str,
    t: str,
    words: list[tuple[int, int, str]],
    s: Sentence,
    expected: float,
    fits: Callable[[Range], bool],
    whole: str | None = None,
) -> Range | None:
    """`whole`: the place must hold exactly this (casefolded), marks and spaces included —
    an opaque element's bytes replace it, so nothing of it may be left beside them."""
    found = list(_WORD.finditer(candidate))
    want = [m.group().casefold() for m in found]
    places: list[Range] = []
    if want:
        n = len(want)
        for i in range(len(words) - n + 1):
            if [w[2] for w in words[i : i + n]] == want:
                places.append(_with_marks(t, words[i][0], words[i + n - 1][1], candidate, found))
    else:  # no word in it ("@", "—"): the characters themselves
        at = t.find(candidate, s.target_start, s.target_end)
        while at != -1:
            places.append((at, at + len(candidate)))
            at = t.find(candidate, at + 1, s.target_end)
    places = [
        r for r in places if fits(r) and (whole is None or t[r[0] : r[1]].casefold() == whole)
    ]
    return min(places, key=lambda r: abs(r[0] - expected)) if places else None


def _with_marks(t: str, a: int, b: int, candidate: str, found: list[re.Match[str]]) -> Range:
    """The words' range, widened by the marks that lead or end the element's text when the
    translation has them there too ("#buget", "@ana", "„realist”")."""
    lead = candidate[: found[0].start()].lstrip()  # (a space between mark and word stays)
    end = candidate[found[-1].end() :].rstrip()
    if lead and t[max(0, a - len(lead)) : a] == lead:
        a -= len(lead)
    if end and t[b : b + len(end)] == end:
        b += len(end)
    return a, b


def _alike(candidate: str, words: list[tuple[int, int, str]]) -> list[tuple[float, Range]]:
    want = Counter(m.group().casefold()[:4] for m in _WORD.finditer(candidate))
    n = sum(want.values())
    out: list[tuple[float, Range]] = []
    if not n or n > ALIKE_WORDS or len(words) > ALIKE_SENTENCE_WORDS:
        return out  # a comparison that long costs more than it could be trusted
    for size in range(max(1, n - 1), n + 2):
        for i in range(len(words) - size + 1):
            window = Counter(w[2][:4] for w in words[i : i + size])
            score = 2 * sum((want & window).values()) / (n + size)
            out.append((score, (words[i][0], words[i + size - 1][1])))
    return out


def _render(block: Block, t: str, ranges: list[Range]) -> str:
    spans = block.spans
    children: dict[int | None, list[int]] = {}
    for k, span in enumerate(spans):
        children.setdefault(span.parent, []).append(k)

    def inside(lo: int, hi: int, parent: int | None) -> str:
        out = []
        pos = lo
        for k in sorted(children.get(parent, []), key=lambda k: (*ranges[k], k)):
            a, b = ranges[k]
            out.append(escape(t[pos:a]))
            span = spans[k]
            if span.opaque:  # its own bytes, in place of the words that were found
                out.extend(r.raw for r in block.runs[span.open : span.close + 1])
            else:
                out.append(block.runs[span.open].raw)
                out.append(inside(a, b, k))
                out.append(block.runs[span.close].raw)
            pos = b
        out.append(escape(t[pos:hi]))
        return "".join(out)

    return block.lead + inside(0, len(t), None) + block.trail
