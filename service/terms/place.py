"""Where each kept term goes in the model's English: its copy, a near copy, or a place by
position — each found without ever taking a range another term holds. Linear-ish in the
sentence: the copies of each distinct stand-in are found once and handed out nearest first;
claimed ranges are kept sorted and checked by bisection."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter

from service.terms.romanian import WORD

UNK = "<unk>"
# A near copy: at least half its letters in words sharing a stem with the term's, every word
# in it spelled as one of the term's with at most one letter changed, added or dropped.
ALIKE_STEMS = 0.5
ALIKE_MAX_WORDS = 12
NEAR_MIN_LETTERS = 4
_EDGE_PUNCT = "\"'“”„«»()[]{}.,;:!?"

Range = tuple[int, int]


class Claims:
    """Ranges of the English already taken (zero-width ones are insertion points)."""

    def __init__(self) -> None:
        self._ranges: list[Range] = []

    def free(self, a: int, b: int) -> bool:
        """Whether (a, b) overlaps no range taken (an insertion point inside one counts)."""
        j = max(0, bisect_left(self._ranges, (a, a)) - 1)
        while j < len(self._ranges):
            x, y = self._ranges[j]
            if x >= b and x > a:
                return True  # sorted and disjoint: nothing further can overlap
            if (a < y and x < b) or (a == b and x < a < y) or (x == y and a < x < b):
                return False
            j += 1
        return True

    def add(self, r: Range) -> None:
        insort(self._ranges, r)

    @property
    def ranges(self) -> list[Range]:
        return self._ranges


class Copies:
    """Every whole-word occurrence of each stand-in in the English, found once."""

    def __init__(self, text: str) -> None:
        self.text = text  # folded (or raw, for <unk>)
        self._found: dict[str, list[Range]] = {}

    def nearest(self, want: str, expected: float, claims: Claims) -> Range | None:
        """The unclaimed occurrence of `want` nearest `expected`, taken out of the pool."""
        pool = self._found.get(want)
        if pool is None:
            pool = self._found[want] = _occurrences(self.text, want)
        if not pool:
            return None
        i = bisect_left(pool, (int(expected), 0))
        left, right = i - 1, i
        while left >= 0 or right < len(pool):
            take_right = right < len(pool) and (
                left < 0 or abs(pool[right][0] - expected) <= abs(pool[left][0] - expected)
            )
            k = right if take_right else left
            if claims.free(*pool[k]):
                return pool.pop(k)
            if take_right:
                right += 1
            else:
                left -= 1
        return None


def _occurrences(text: str, want: str) -> list[Range]:
    if not want:
        return []
    out = []
    at = text.find(want)
    while at != -1:
        end = at + len(want)
        inside = (want[0].isalnum() and at and text[at - 1].isalnum()) or (
            want[-1].isalnum() and end < len(text) and text[end].isalnum()
        )
        if not inside:
            out.append((at, end))
        at = text.find(want, at + 1)
    return out


def alike(text: str, want: str, claims: Claims, expected: float) -> Range | None:
    """The window of words most like `want` (a copy the model misspelt or could not spell),
    widened by the words beside it that share one of its stems (the rest of a mangled copy:
    "Supreme Courthouse"), so that no half-copy is left beside the term."""
    wanted = WORD.findall(want)
    stems = Counter(w[:4] for w in wanted)
    n = len(wanted)
    if not n or n > ALIKE_MAX_WORDS:
        return None
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    prefixes = [text[x:y][:4] for x, y in words]
    anchors = [i for i, p in enumerate(prefixes) if p in stems]
    if not anchors:  # no word shares a stem with it: the usual case, decided at once
        return None
    unk = [text[x - 1 : y + 1] == UNK for x, y in words]
    near: dict[int, bool] = {}

    def like(i: int) -> bool:
        if i not in near:
            x, y = words[i]
            near[i] = unk[i] or any(_one_edit(text[x:y], w) for w in wanted)
        return near[i]

    def span(first: int, last: int) -> Range:
        return words[first][0] - unk[first], words[last][1] + unk[last]

    best: tuple[float, float, int, int] | None = None
    for size in range(1, n + 2):
        starts = {
            i for a in anchors for i in range(max(0, a - size + 1), min(a, len(words) - size) + 1)
        }
        for i in sorted(starts):
            score = _shared(wanted, [text[x:y] for x, y in words[i : i + size]])
            if score < ALIKE_STEMS or not all(like(k) for k in range(i, i + size)):
                continue
            if not claims.free(*span(i, i + size - 1)):
                continue  # another term's copy
            key = (score, -abs(words[i][0] - expected), i, i + size - 1)
            if best is None or key[:2] > best[:2]:
                best = key
    if best is None:
        return None
    first, last = best[2], best[3]
    while first > 0 and prefixes[first - 1] in stems and claims.free(*span(first - 1, last)):
        first -= 1
    while (
        last + 1 < len(words)
        and prefixes[last + 1] in stems
        and claims.free(*span(first, last + 1))
    ):
        last += 1
    a, b = span(first, last)
    if not (_token_edge(text, a, -1) and _token_edge(text, b, 0)):
        return None  # inside a longer token (a link, an address): not a copy of this
    return a, b


def _shared(wanted: list[str], window: list[str]) -> float:
    """Dice over letters of the words sharing a stem: a long distinctive word counts more than
    a short common one ("Corp" alone is not a copy of "Zqdktvxgf Corp")."""
    left = Counter(w[:4] for w in wanted)
    lengths = {w[:4]: len(w) for w in wanted}
    matched = 0
    for w in window:
        if left[w[:4]] > 0:
            left[w[:4]] -= 1
            matched += min(len(w), lengths[w[:4]])
    total = sum(map(len, wanted)) + sum(map(len, window))
    return 2 * matched / total if total else 0.0


def _one_edit(word: str, wanted: str) -> bool:
    """The same word, or (both of NEAR_MIN_LETTERS or more) one letter changed, added or
    dropped: "Cout" for "Court" — never "Senator" for "Senate", "governmental" for
    "Government"."""
    if word == wanted:
        return True
    if min(len(word), len(wanted)) < NEAR_MIN_LETTERS or abs(len(word) - len(wanted)) > 1:
        return False
    short, long_ = sorted((word, wanted), key=len)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    if len(short) == len(long_):
        return short[i + 1 :] == long_[i + 1 :]
    return short[i:] == long_[i + 1 :]


def _token_edge(text: str, at: int, side: int) -> bool:
    """Whether `at` ends (side -1: starts) a whitespace-separated token, punctuation aside."""
    i = at + side
    return not 0 <= i < len(text) or text[i].isspace() or text[i] in _EDGE_PUNCT


def word_edge(text: str, point: int, claims: Claims) -> int:
    """The nearest place at or after `point` that is neither inside a word (nor a
    hyphenated or punctuated run of characters) nor inside a range already taken."""
    point = max(0, min(point, len(text)))
    while 0 < point < len(text) and not (text[point - 1].isspace() or text[point].isspace()):
        point += 1
    for x, y in claims.ranges:
        if x < point < y:
            point = y
    return point
