"""A sentence's terms kept by construction, whatever the model does with them.

mask:     each glossary match becomes its English in the text the model reads, and each
          protected span or do-not-translate occurrence stays as it is (the model copies
          names, links and English words it meets in its input);
restore:  each is then found in the model's English — verbatim, case aside, at whole-word
          edges, nearest its place in the sentence — and written there exactly as the
          glossary says. What the model did not copy is looked for as an `<unk>` it left in
          its place, then as a near copy ("Supreme Cout"), and is otherwise put at its
          place in the sentence by position; the segment then says `term_position`.

So every occurrence comes back once, verbatim, and nothing of a mangled copy stays beside
it. The sentence cache holds the model's output for the masked text: a translation made
under one glossary is never served under another, because their masked texts differ.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from service.terms.glossary import Entry
from service.terms.match import Matcher
from service.terms.protect import Protector
from service.terms.romanian import WORD, fold

UNK = "<unk>"
_LETTERS = re.compile(r"\w")
TERM_POSITION = "term_position"
# A near copy: most of its words' first four letters, each word nearly spelled so.
ALIKE_STEMS = 0.5
ALIKE_CHARS = 0.75
ALIKE_MAX_WORDS = 12


@dataclass(frozen=True, slots=True)
class Applied:
    """A glossary entry applied to a segment: its span of the source, the entry, and the
    English the translation holds for it."""

    source: str
    start: int
    end: int
    entry: str
    english: str


@dataclass(frozen=True, slots=True)
class _Slot:
    at: int  # where its stand-in starts in the masked text
    stand_in: str  # what the model reads in its place
    output: str  # what the translation holds, byte for byte
    applied: Applied | None  # a glossary entry's; None for a protected span


@dataclass(frozen=True, slots=True)
class Masked:
    text: str  # what the model reads
    slots: tuple[_Slot, ...] = ()


@dataclass(frozen=True, slots=True)
class Restored:
    text: str
    terms: tuple[Applied, ...] = ()
    warnings: tuple[str, ...] = ()


class Terms:
    """What one request keeps: a glossary's entries and the spans to protect."""

    def __init__(self, matcher: Matcher | None = None, protect: Protector | None = None) -> None:
        self.matcher = matcher or Matcher([])
        self.protector = protect or Protector()

    @classmethod
    def of(cls, entries: list[Entry], protect: Protector | None = None) -> Terms:
        return cls(Matcher(entries), protect)

    def mask(self, sentence: str) -> Masked:
        spans: list[tuple[int, int, Entry | None]] = [
            (p.start, p.end, None) for p in self.protector.find(sentence)
        ]
        hits = self.matcher.find(sentence)
        if not spans and not hits:
            return Masked(sentence)
        taken = [(a, b) for a, b, _ in spans]
        for hit in hits:  # a protected span (a link holding a name) wins over an entry
            if all(hit.end <= a or b <= hit.start for a, b in taken):
                spans.append((hit.start, hit.end, hit.entry))
        spans.sort(key=lambda s: s[0])
        out: list[str] = []
        slots: list[_Slot] = []
        pos = length = 0
        for a, b, entry in spans:
            out.append(sentence[pos:a])
            length += a - pos
            span = sentence[a:b]
            if entry is None or entry.keep:
                stand_in = output = span
                applied = None if entry is None else Applied(span, a, b, entry.source, span)
            else:
                stand_in = output = entry.target
                applied = Applied(span, a, b, entry.source, entry.target)
            slots.append(_Slot(length, stand_in, output, applied))
            out.append(stand_in)
            length += len(stand_in)
            pos = b
        out.append(sentence[pos:])
        return Masked("".join(out), tuple(slots))

    def restore(self, masked: Masked, english: str) -> Restored:
        if not masked.slots:
            return Restored(english)
        folded = fold(english)
        claimed: dict[int, tuple[int, int]] = {}  # slot → its range in `english`
        slots = list(enumerate(masked.slots))

        def expected(slot: _Slot) -> float:
            return slot.at / max(1, len(masked.text)) * len(english)

        # Each pass over every slot before the next, so that a fallback never takes what
        # another slot's exact copy is.
        for k, slot in slots:  # the copies the model made
            r = _exact(folded, fold(slot.stand_in), list(claimed.values()), expected(slot))
            if r is None and not _LETTERS.search(slot.stand_in):
                r = _exact(english, UNK, list(claimed.values()), expected(slot))  # a symbol
            if r is not None:
                claimed[k] = r
        moved = len(claimed) < len(slots)  # the rest are placed by a guess: said so
        for k, slot in slots:  # near copies: misspelt, or with an <unk> in them
            if k not in claimed:
                r = _alike(folded, fold(slot.stand_in), list(claimed.values()), expected(slot))
                if r is not None:
                    claimed[k] = r
        for k, slot in slots:  # none: by position
            if k not in claimed:
                point = _word_edge(english, round(expected(slot)), list(claimed.values()))
                claimed[k] = (point, point)
        out: list[str] = []
        pos = 0
        last = ""  # the last character written so far
        for (a, b), k in sorted((r, k) for k, r in claimed.items()):
            before = english[pos:a]
            out.append(before)
            last = before[-1:] or last
            value = masked.slots[k].output
            if a == b:  # placed by position: spaced from what is beside it
                if last and not last.isspace():
                    value = " " + value
                if b < len(english) and not english[b].isspace() and english[b] not in ".,;:!?)":
                    value += " "
            out.append(value)
            last = value[-1:] or last
            pos = b
        out.append(english[pos:])
        terms = tuple(s.applied for s in masked.slots if s.applied is not None)
        return Restored("".join(out), terms, (TERM_POSITION,) if moved else ())


def _overlaps(a: int, b: int, taken: list[tuple[int, int]]) -> bool:
    return any((a < y and x < b) or (a == b and x < a < y) for x, y in taken)


def _exact(
    text: str, want: str, taken: list[tuple[int, int]], expected: float
) -> tuple[int, int] | None:
    """`want` in `text` at whole-word edges, unclaimed, nearest `expected`."""
    if not want:
        return None
    best: tuple[int, int] | None = None
    at = text.find(want)
    while at != -1:
        end = at + len(want)
        edges = not (want[0].isalnum() and at and text[at - 1].isalnum()) and not (
            want[-1].isalnum() and end < len(text) and text[end].isalnum()
        )
        nearer = best is None or abs(at - expected) < abs(best[0] - expected)
        if edges and nearer and not _overlaps(at, end, taken):
            best = (at, end)
        at = text.find(want, at + 1)
    return best


def _alike(
    text: str, want: str, taken: list[tuple[int, int]], expected: float
) -> tuple[int, int] | None:
    """The window of words most like `want` (a copy the model mangled), if alike enough:
    most of its words' first four letters, and every word in it spelled nearly as one of
    `want`'s (a real word beside a half-copy is never taken with it)."""
    wanted = WORD.findall(want)
    stems = Counter(w[:4] for w in wanted)
    n = len(wanted)
    if not n or n > ALIKE_MAX_WORDS:
        return None
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    prefixes = [text[x:y][:4] for x, y in words]
    # Only windows holding a word with one of `want`'s stems can score: a few, usually none.
    anchors = [i for i, p in enumerate(prefixes) if p in stems]
    if not anchors:
        return None
    # An <unk> is a word of it the model could not spell: part of the copy, never a word.
    unk = [text[x - 1 : y + 1] == UNK for x, y in words]
    near: dict[int, bool] = {}

    def like(i: int) -> bool:
        if i not in near:
            x, y = words[i]
            near[i] = unk[i] or any(_near(text[x:y], w) for w in wanted)
        return near[i]

    best: tuple[float, float, tuple[int, int]] | None = None
    for size in range(max(1, n - 1), n + 2):
        starts = {
            i for a in anchors for i in range(max(0, a - size + 1), min(a, len(words) - size) + 1)
        }
        for i in sorted(starts):
            window = Counter(prefixes[i : i + size])
            score = 2 * sum((stems & window).values()) / (n + size)
            if score < ALIKE_STEMS or not all(like(k) for k in range(i, i + size)):
                continue
            a, b = words[i][0] - unk[i], words[i + size - 1][1] + unk[i + size - 1]
            if not (_token_edge(text, a, -1) and _token_edge(text, b, 0)):
                continue  # part of a longer token (a link, an address): not a copy of this
            if _overlaps(a, b, taken):
                continue
            chars = SequenceMatcher(None, want, text[a:b], autojunk=False).ratio()
            key = (chars, -abs(a - expected), (a, b))
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def _token_edge(text: str, at: int, side: int) -> bool:
    """Whether `at` ends (side -1: starts) a whitespace-separated token, punctuation aside."""
    i = at + side
    return not 0 <= i < len(text) or text[i].isspace() or text[i] in _EDGE_PUNCT


_EDGE_PUNCT = "\"'“”„«»()[]{}.,;:!?"


def _near(word: str, wanted: str) -> bool:
    """A word the model spelled nearly as `wanted` ("Cout" for "Court"), not merely one of
    the same root ("governor" for "Government")."""
    if 2 * min(len(word), len(wanted)) < ALIKE_CHARS * (len(word) + len(wanted)):
        return False  # the lengths alone rule it out
    matcher = SequenceMatcher(None, word, wanted, autojunk=False)
    return matcher.quick_ratio() >= ALIKE_CHARS and matcher.ratio() >= ALIKE_CHARS


def _word_edge(text: str, point: int, taken: list[tuple[int, int]]) -> int:
    """The nearest place at or after `point` that is neither inside a word (nor a
    hyphenated or punctuated run of characters) nor inside a span already placed."""
    point = max(0, min(point, len(text)))
    while 0 < point < len(text) and not (text[point - 1].isspace() or text[point].isspace()):
        point += 1
    for x, y in sorted(taken):
        if x < point < y:
            point = y
    return point
