"""How a Romanian glossary word is recognised in running text, whatever its case, its
ș/ş/s spelling and its inflection.

Everything is compared on a *folded* form: lower case, cedilla and comma-below letters and
ă â î read as the plain letter (so "Curtii Supreme" and "CURȚII SUPREME" are "Curții
Supreme"). Folding keeps every character in place, so a match in folded text is the same
span in the original.

A word of an entry becomes a stem and the endings it may take, chosen by how the entry
spells it (the nominative a glossary author types, with or without its enclitic article):

    Guvernul, Senatul, Consiliul     -ul: stem + "", -ul, -ului, -u, plurals -e -ele -elor
                                     -uri -urile -urilor -i -ii -ilor (guvernelor)
    Statele, Președintele            -ele: the same, plus -elui
    Curtea, Uniunea, Marea           -ea: -e -ea -ii -ei, plurals -i -ile -ilor
    România, Comisia, Primăria       -ia: -a -ei -e only: never -i, whose "românii",
                                     "primarii" are other words (Romanians, mayors)
    Britanie, companie               -ie: -e -a -ei -i, plurals -ile -ilor
    Moldova, Banca, Supremă          -a/-ă: -a -ei -e -ii, plurals -ele -elor -i -ile -ilor
    Parlament, Senat                 consonant: as -ul with the whole word as stem

and a stem in -ean also reads -en (Europeană → Europene). An ending is the whole rest of
the word: "guvernatorul" and "guvernamentale" (guvern + -atorul, -amentale), "senatorul",
"parlamentar" never match. Acronyms (NATO, PSD) match in capitals only, as written, and any
entry may end in a hyphenated article (PSD-ului, Facebook-ul).

In a multi-word entry the first word is its head and the adjectives after it agree with
it (Curtea Supremă → Curții Supreme; Uniunea Europeană → Uniunii Europene); a genitive
complement and everything after it stays as written (Ministerul Finanțelor, Banca
Națională a României — whose "a" may read al/ai/ale), and short function words are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FOLD = str.maketrans("șşțţăâî", "ssttaai")
WORD = re.compile(r"[^\W_]+")

MASCULINE_NEUTER = (
    "", "u", "ul", "ului", "ule", "le", "lui", "e", "ele", "elor", "elui",
    "i", "ii", "ilor", "uri", "urile", "urilor",
)  # fmt: skip
_FEMININE_E = ("e", "ea", "ii", "ei", "i", "ile", "ilor")
_FEMININE_A = ("a", "ei", "e", "ii", "ele", "elor", "i", "ile", "ilor")
_FEMININE_IE = ("e", "a", "ei", "i", "ile", "ilor")
_FEMININE_IA = ("a", "ei", "e")
_MASCULINE_PLURAL = ("i", "ii", "ilor", "", "u", "ul", "ului", "iul", "iului")  # Bucureștiului
# Words that never inflect inside an entry; the genitive article agrees, so reads any form.
FUNCTION_WORDS = frozenset(
    "de din la în in pe cu pentru prin spre sub și si sau ori dintre între intre fără fara".split()
)
GENITIVE_ARTICLES = frozenset(("a", "al", "ai", "ale"))
_GENITIVE = ("ilor", "elor", "lor", "ului", "iei", "ei")
# Articles an acronym or a foreign name takes after a hyphen (PSD-ul, NATO-ului).
HYPHEN_ARTICLES = frozenset(("ul", "ului", "ule", "uri", "urile", "urilor", "le", "lui", "ii"))


# Common words that, without their diacritics, read as another word: an entry spelled with
# diacritics ("pește", fish; "fața", the face) never matches them written without any
# ("peste", over; "fata", the girl) — the rest of the time a missing diacritic is a typing habit.
HOMOGRAPHS = frozenset(
    """peste fata sa si ca mai tara cand cat asa fara dupa pana in la sunt pe
    de ce care are sau iar nici tot toti mare mic mica""".split()
)
_DIACRITICS = set("ăâîșşțţĂÂÎȘŞȚŢ")


def fold(text: str) -> str:
    """Lower case, no diacritics, the same length: a folded span is the original's."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer (İ): one by one
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return low.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class WordForm:
    """The forms one word of an entry takes: a folded stem and its endings, or an exact
    spelling (`exact`, compared case-sensitively for acronyms)."""

    stems: tuple[str, ...] = ()
    endings: frozenset[str] = frozenset()
    exact: str | None = None  # folded, or as written when `cased`
    cased: bool = False
    any_of: frozenset[str] = frozenset()  # a function word's interchangeable forms
    marked: str = ""  # the entry's word, when it has diacritics (see HOMOGRAPHS)

    def accepts(self, word: str, folded: str) -> bool:
        if self.exact is not None:
            return (word if self.cased else folded) == self.exact or folded in self.any_of
        if self.marked and folded in HOMOGRAPHS and not _DIACRITICS & set(word):
            return False  # "peste" (over) is not "pește" (fish), written without its comma
        for stem in self.stems:
            if folded.startswith(stem) and folded[len(stem) :] in self.endings:
                return True
        return False

    def keys(self) -> tuple[str, ...]:
        """What an index files this word under: its stems, or its exact spelling."""
        if self.exact is not None:
            return (fold(self.exact), *sorted(self.any_of))
        return self.stems


def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def word_forms(words: list[str]) -> list[WordForm]:
    """The forms of each word of an entry (its words as typed, in order)."""
    out: list[WordForm] = []
    fixed = False  # after a genitive complement begins, every word is as written
    for i, word in enumerate(words):
        f = fold(word)
        if is_acronym(word):
            out.append(WordForm(exact=word, cased=True))
        elif f in GENITIVE_ARTICLES and i > 0:
            out.append(WordForm(exact=f, any_of=GENITIVE_ARTICLES))
            fixed = True
        elif f in FUNCTION_WORDS or len(f) <= 2 or any(c.isdigit() for c in f):
            out.append(WordForm(exact=f))
            fixed = fixed or i > 0
        elif fixed or (i > 0 and f.endswith(_GENITIVE)):
            out.append(WordForm(exact=f))
            fixed = True
        else:
            out.append(inflected(f, word.lower() if _DIACRITICS & set(word) else ""))
    return out


_SETS: dict[tuple[str, ...], frozenset[str]] = {}  # one set per ending list, shared


# How a content word ends → (the shortest word it applies to, letters cut for the stem, its
# endings); the first that matches wins, so longer endings come before their tails.
_BY_ENDING: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("ul", 5, 2, MASCULINE_NEUTER),
    ("ele", 6, 3, MASCULINE_NEUTER),
    ("ile", 6, 3, _FEMININE_E),
    ("ia", 5, 1, _FEMININE_IA),
    ("ea", 5, 2, _FEMININE_E),
    ("ie", 5, 1, _FEMININE_IE),
    ("a", 4, 1, _FEMININE_A),
    ("e", 4, 1, (*_FEMININE_E, "le", "lui", "elui", "ele", "elor")),
    ("ii", 5, 2, _MASCULINE_PLURAL),
    ("i", 4, 1, _MASCULINE_PLURAL),
)


def inflected(f: str, marked: str = "") -> WordForm:
    """A content word's stem(s) and endings, from how it ends (see the module docstring)."""
    endings: tuple[str, ...]
    for ending, shortest, cut, these in _BY_ENDING:
        if f.endswith(ending) and len(f) >= shortest:
            stem, endings = f[:-cut], these
            break
    else:
        if f[-1] in "aeiouy":  # other vowels (Tokyo, Ceaușescu): as written, or -ul/-ului
            stem, endings = f, ("", "ul", "ului", "lui")
        else:
            stem, endings = f, MASCULINE_NEUTER
    stems = (stem, stem[:-3] + "en") if stem.endswith("ean") else (stem,)
    shared = _SETS.setdefault(endings, frozenset(endings))
    return WordForm(stems=stems, endings=shared, marked=marked)
