"""Romanian sentence segmentation on one line of text, as character spans.

Rules, not a model: a sentence ends at . ! ? … (with any closing quotes or brackets) that is
followed by whitespace and then by something that starts a sentence. What is *not* an end:
abbreviations (dl., nr., art., ian. …), initials (N. Iorga), list markers (1., IV., a.),
numbers and dates (15.000, 3,5, 24.11.2026: no whitespace after the dot), URLs and e-mail
addresses (no whitespace inside), and an ellipsis followed by a lowercase word.
Spans never overlap and only whitespace lies between them, so no character can be lost.
"""

from __future__ import annotations

import re

# Abbreviations that always precede what they qualify: never a sentence end.
_NEVER_FINAL = frozenset(
    [
        "dl",
        "dlui",
        "dna",
        "dnei",
        "dnii",
        "d-l",
        "d-lui",
        "d-na",
        "d-nei",
        "d-ra",
        "dra",
        "dșoara",
        "dșoarei",
        "prof",
        "conf",
        "lect",
        "asist",
        "dr",
        "drd",
        "ing",
        "arh",
        "av",
        "ec",
        "pr",
        "pt",
        "nr",
        "art",
        "alin",
        "lit",
        "pct",
        "par",
        "str",
        "bd",
        "bdul",
        "b-dul",
        "șos",
        "sos",
        "bl",
        "sc",
        "et",
        "ap",
        "jud",
        "mun",
        "col",
        "lt",
        "mr",
        "cpt",
        "sg",
        "plt",
        "gral",
        "gl",
        "sf",
        "st",
        "vol",
        "ed",
        "pag",
        "p",
        "pp",
        "fig",
        "tab",
        "cf",
        "vs",
        "ex",
        "aprox",
        "cca",
        "tel",
        "fax",
        "resp",
        "mss",
        "al",
        "mrs",
        "ms",
        "jr",
        "sr",
        "e.g",
        "i.e",
    ]
)
# Abbreviations that can also close a sentence: an end only before an uppercase word.
_MAYBE_FINAL = frozenset(
    [
        "etc",
        "ș.a",
        "ş.a",
        "s.a",
        "î.hr",
        "d.hr",
        "a.c",
        "a.m",
        "p.m",
        "min",
        "max",
        "mil",
        "mld",
        "mii",
        "ian",
        "feb",
        "febr",
        "mar",
        "apr",
        "iun",
        "iul",
        "aug",
        "sep",
        "sept",
        "oct",
        "noi",
        "nov",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
    ]
)

_END = re.compile(r"(?P<punct>[.!?…]+)(?P<close>[”\"»’')\]]*)(?=\s)")
_OPENERS = "„“\"«'‘([–—-"
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_LEAD_PUNCT = "„“\"«'‘(["
_DOTTED_INITIALS = re.compile(r"^(?:[A-ZĂÂÎȘȚ]\.)+[A-ZĂÂÎȘȚ]$")  # C.A. Rosetti, L.A. Law
# Dotted acronyms that are places or bodies, so they can end a sentence.
_DOTTED_NAMES = frozenset({"S.U.A", "U.E", "R.M", "U.S", "U.K", "O.N.U", "N.A.T.O"})


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_LEAD_PUNCT)


def _is_list_marker(sentence_so_far: str) -> bool:
    token = sentence_so_far.strip()
    return bool(token) and (
        token.isdigit() or bool(_ROMAN.match(token)) or (len(token) == 1 and token.isalpha())
    )


def _is_boundary(line: str, sent_start: int, m: re.Match[str], next_char: str) -> bool:
    punct = m.group("punct")
    starts_upper = next_char.isupper() or next_char in _OPENERS
    if next_char.islower():
        return False
    if punct in {"...", "…"} or (len(punct) > 1 and set(punct) == {"."}):
        # An ellipsis continues a sentence more often than not; only a capital ends it.
        return starts_upper
    if punct != ".":
        # ! and ? (alone or with other marks) end a sentence before any sentence start.
        return starts_upper or next_char.isdigit()
    if m.group("close"):
        # „… a spus.” Ion — the quote closes a sentence.
        return starts_upper or next_char.isdigit()
    word = _word_before(line, m.start())
    if _is_list_marker(line[sent_start : m.start()]):
        return False
    if _DOTTED_INITIALS.match(word) and word not in _DOTTED_NAMES:
        return False
    # prof.dr. → judge by its last part; DNA. (an acronym, not "doamna") → not an abbreviation
    lower = "" if word.isupper() and len(word) > 1 else word.rsplit(".", 1)[-1].lower()
    if "." in word and word.lower() in _MAYBE_FINAL | _NEVER_FINAL:
        lower = word.lower()
    if lower in _NEVER_FINAL or (len(word) == 1 and word.isalpha()):
        return False  # title, reference word or initial
    if lower in _MAYBE_FINAL:
        return next_char.isupper() or next_char in _OPENERS
    return starts_upper or next_char.isdigit()


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """Spans of the sentences in `line` (which holds no newline), whitespace excluded."""
    spans: list[tuple[int, int]] = []
    n = len(line)
    start = 0
    while start < n and line[start].isspace():
        start += 1
    if start == n:
        return spans
    for m in _END.finditer(line):
        end = m.end()  # always past `start`: a match needs a mark, and `start` skips spaces
        nxt = end
        while nxt < n and line[nxt].isspace():
            nxt += 1
        if nxt == n:
            break  # trailing punctuation: the last sentence ends at the line's end
        if _is_boundary(line, start, m, line[nxt]):
            spans.append((start, end))
            start = nxt
    end = n
    while end > start and line[end - 1].isspace():
        end -= 1
    spans.append((start, end))
    return spans


def split_sentences(line: str) -> list[str]:
    """The sentences of one line, as strings."""
    return [line[a:b] for a, b in sentence_spans(line)]
