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
    """Entries indexed by their first word's keys and, for entries of two words or more, by
    their second's too: a sentence word costs a few dictionary lookups, however many entries
    share a first word ("de …", "Ministerul …")."""

    def __init__(self, entries: list[Entry]) -> None:
        self._one: dict[str, list[_Compiled]] = {}  # first key → one-word entries
        self._two: dict[str, dict[str, list[_Compiled]]] = {}  # first → second → the rest
        self.size = len(entries)
        for entry in entries:
            found = list(WORD.finditer(entry.source))
            words = [m.group() for m in found]
            gaps = [_gap(entry.source[a.end() : b.start()]) for a, b in pairwise(found)]
            if len(words) > 1 and gaps[-1] == "-" and fold(words[-1]) in HYPHEN_ARTICLES:
                words, gaps = words[:-1], gaps[:-1]  # "Facebook-ul": any article follows
            if not words:
                continue  # punctuation only: nothing a whole-word match can find
            if entry.keep:  # as written: whole words, case and diacritics too
                forms = [WordForm(exact=w, cased=True) for w in words]
            else:
                forms = word_forms(words)
            compiled = _Compiled(entry, tuple(forms), tuple(gaps))
            for key in dict.fromkeys(forms[0].keys()):
                if len(forms) == 1:
                    self._one.setdefault(key, []).append(compiled)
                    continue
                second = self._two.setdefault(key, {})
                for key2 in dict.fromkeys(forms[1].keys()):
                    second.setdefault(key2, []).append(compiled)
        for by_second in self._two.values():  # longest first: it wins where both match
            for candidates in by_second.values():  # (stable: of equals, the first given)
                candidates.sort(key=lambda c: -len(c.forms))

    def __bool__(self) -> bool:
        return bool(self._one or self._two)

    def find(self, text: str) -> list[Hit]:
        if not self:
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
        best: tuple[Hit, int] | None = None
        for key in _keys(folded, words[i]):
            by_second = self._two.get(key)
            if by_second and i + 1 < len(words):
                for key2 in _keys(folded, words[i + 1]):
                    for c in by_second.get(key2, ()):
                        if best is not None and len(c.forms) <= best[1] - i:
                            break  # sorted longest first: no longer one follows
                        found = _match(c, text, folded, words, i)
                        if found is not None and (best is None or found[1] > best[1]):
                            best = found
            if best is None:
                for c in self._one.get(key, ()):
                    found = _match(c, text, folded, words, i)
                    if found is not None:
                        best = found
                        break  # of entries alike once folded, the first given
        return best


def _keys(folded: str, word: tuple[int, int]) -> list[str]:
    """The keys a sentence word may be filed under: itself, and itself less each possible
    ending (up to MAX_ENDING letters, leaving one)."""
    w = folded[word[0] : word[1]]
    return [w[: len(w) - cut] for cut in range(min(MAX_ENDING, len(w) - 1) + 1)]


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
