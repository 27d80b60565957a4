"""Finding a glossary's entries in a sentence: every entry indexed by its first word's
stems, so a sentence costs a few dictionary lookups a word whatever the glossary's size.
Whole words only; at each place the longest entry wins, and matches never overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from service.terms.glossary import Entry
from service.terms.romanian import HYPHEN_ARTICLES, WORD, WordForm, fold, word_forms

_SPACE = re.compile(r"\s+")
_HYPHENS = "-‑"
MAX_ENDING = 6  # the longest ending any word form takes ("urilor")


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    entry: Entry


@dataclass(frozen=True, slots=True)
class _Compiled:
    entry: Entry
    forms: tuple[WordForm, ...]
    gaps: tuple[str, ...]  # what separates consecutive words, spaces read as one


class Matcher:
    def __init__(self, entries: list[Entry]) -> None:
        self._index: dict[str, list[_Compiled]] = {}
        for entry in entries:
            found = list(WORD.finditer(entry.source))
            if not found:
                continue  # punctuation only: nothing a whole-word match can find
            words = [m.group() for m in found]
            gaps = tuple(_gap(entry.source[a.end() : b.start()]) for a, b in pairwise(found))
            if entry.keep:  # as written: whole words, case and diacritics too
                forms = [WordForm(exact=w, cased=True) for w in words]
            else:
                forms = word_forms(words)
            compiled = _Compiled(entry, tuple(forms), gaps)
            for key in dict.fromkeys(forms[0].keys()):
                self._index.setdefault(key, []).append(compiled)
        for candidates in self._index.values():  # longest first: it wins where both match
            candidates.sort(key=lambda c: -len(c.forms))

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, text: str) -> list[Hit]:
        if not self._index:
            return []
        folded = fold(text)
        words = [(m.start(), m.end()) for m in WORD.finditer(folded)]
        hits: list[Hit] = []
        i = 0
        while i < len(words):
            hit = self._at(text, folded, words, i)
            if hit is None:
                i += 1
                continue
            hits.append(hit[0])
            i = hit[1]
        return hits

    def _at(
        self, text: str, folded: str, words: list[tuple[int, int]], i: int
    ) -> tuple[Hit, int] | None:
        a, b = words[i]
        word = folded[a:b]
        best: tuple[Hit, int] | None = None
        for cut in range(min(MAX_ENDING, len(word) - 1) + 1):
            for c in self._index.get(word[: len(word) - cut] if cut else word, ()):
                if best is not None and len(c.forms) <= best[1] - i:
                    break  # sorted longest first: no longer one follows
                found = _match(c, text, folded, words, i)
                if found is not None and (best is None or found[1] > best[1]):
                    best = found
        return best


def _match(
    c: _Compiled, text: str, folded: str, words: list[tuple[int, int]], i: int
) -> tuple[Hit, int] | None:
    n = len(c.forms)
    if i + n > len(words):
        return None
    for k, form in enumerate(c.forms):
        a, b = words[i + k]
        if k and _gap(folded[words[i + k - 1][1] : a]) != c.gaps[k - 1]:
            return None
        if not form.accepts(text[a:b], folded[a:b]):
            return None
    start, end, after = words[i][0], words[i + n - 1][1], i + n
    if start > 1 and folded[start - 1] in _HYPHENS and folded[start - 2].isalnum():
        return None  # the end of a hyphenated word (ex-PSD), not a word of its own
    if after < len(words) and folded[end : end + 1] in _HYPHENS and words[after][0] == end + 1:
        if folded[words[after][0] : words[after][1]] not in HYPHEN_ARTICLES:
            return None  # a longer word (PSD-iștii): a look-alike, never half of it
        end, after = words[after][1], after + 1  # PSD-ului
    return Hit(start, end, c.entry), after


def _gap(between: str) -> str:
    return _SPACE.sub(" ", fold(between))
