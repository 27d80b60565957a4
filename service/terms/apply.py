"""A sentence's terms kept by construction, whatever the model does with them.

mask:     each glossary match becomes its English in the text the model reads, and each
          protected span or do-not-translate occurrence stays as it is (the model copies
          names, links and English words it meets in its input);
restore:  each is then found in the model's English — verbatim, case aside, at whole-word
          edges, nearest its place in the sentence — and written there exactly as the
          glossary says (protected spans first, then the longest terms: a term inside a
          link, or inside a longer term's copy, is theirs). What the model did not copy is
          looked for as an `<unk>` it left for a symbol, then as a near copy ("Supreme
          Cout", service/terms/place.py), and is otherwise put at its place in the sentence
          by position; the segment then says `term_position`.

So every occurrence comes back once, verbatim, and nothing of a mangled copy stays beside
it. The sentence cache holds the model's output for the masked text: a translation made
under one glossary is never served under another, because their masked texts differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.terms.glossary import Entry
from service.terms.match import Matcher
from service.terms.place import UNK, Claims, Copies, Range, alike, word_edge
from service.terms.protect import Protector
from service.terms.romanian import fold

_LETTERS = re.compile(r"\w")
TERM_POSITION = "term_position"


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
        claims = Claims()
        placed: dict[int, Range] = {}  # slot → its range in `english`
        copies, unks = Copies(fold(english)), Copies(english)

        def expected(slot: _Slot) -> float:
            return slot.at / max(1, len(masked.text)) * len(english)

        # Protected spans first (a link may hold a term's English), then the longest
        # stand-ins (a term inside a longer one's copy is that one's); each pass over every
        # slot before the next, so that a fallback never takes another slot's copy.
        order = sorted(
            range(len(masked.slots)),
            key=lambda k: (masked.slots[k].applied is not None, -len(masked.slots[k].stand_in)),
        )
        for k in order:  # the copies the model made
            slot = masked.slots[k]
            r = copies.nearest(fold(slot.stand_in), expected(slot), claims)
            if r is None and not _LETTERS.search(slot.stand_in):
                r = unks.nearest(UNK, expected(slot), claims)  # a symbol it could not spell
            if r is not None:
                placed[k] = r
                claims.add(r)
        moved = len(placed) < len(masked.slots)  # the rest are placed by a guess: said so
        for k in order:  # near copies: misspelt, or with an <unk> in them
            if k not in placed:
                slot = masked.slots[k]
                r = alike(copies.text, fold(slot.stand_in), claims, expected(slot))
                if r is not None:
                    placed[k] = r
                    claims.add(r)
        for k in order:  # none: by position
            if k not in placed:
                point = word_edge(english, round(expected(masked.slots[k])), claims)
                placed[k] = (point, point)
                claims.add((point, point))
        return Restored(
            _written(english, masked.slots, placed),
            tuple(s.applied for s in masked.slots if s.applied is not None),
            (TERM_POSITION,) if moved else (),
        )


def _written(english: str, slots: tuple[_Slot, ...], placed: dict[int, Range]) -> str:
    """The English with each slot's output in its range (an insertion spaced from what is
    beside it)."""
    out: list[str] = []
    pos = 0
    last = ""  # the last character written so far
    for (a, b), k in sorted((r, k) for k, r in placed.items()):
        before = english[pos:a]
        out.append(before)
        last = before[-1:] or last
        value = slots[k].output
        if a == b:
            if last and not last.isspace():
                value = " " + value
            if b < len(english) and not english[b].isspace() and english[b] not in ".,;:!?)":
                value += " "
        out.append(value)
        last = value[-1:] or last
        pos = b
    out.append(english[pos:])
    return "".join(out)
