"""Romanian sentence segmentation, from real-looking news sentences (no model needed)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.text.segment import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dl. Popescu a venit. Dna. Ionescu nu.", ["Dl. Popescu a venit.", "Dna. Ionescu nu."]),
        (
            "Conform art. 5 alin. (2) lit. a) din lege, nr. 12 e valid. Apoi s-a votat.",
            ["Conform art. 5 alin. (2) lit. a) din lege, nr. 12 e valid.", "Apoi s-a votat."],
        ),
        ("A spus prof. dr. Ioan Țenu. Bine.", ["A spus prof. dr. Ioan Țenu.", "Bine."]),
        ("A spus prof.dr. Ioan Țenu. Bine.", ["A spus prof.dr. Ioan Țenu.", "Bine."]),
        (
            "Locuiește pe str. Lipscani nr. 5. Vine mâine.",
            ["Locuiește pe str. Lipscani nr. 5.", "Vine mâine."],
        ),
        (
            "Au venit 15.000 de oameni. Era 3,5% din total.",
            ["Au venit 15.000 de oameni.", "Era 3,5% din total."],
        ),
        (
            "Legea intră în vigoare la 24.11.2026. Guvernul a anunțat.",
            ["Legea intră în vigoare la 24.11.2026.", "Guvernul a anunțat."],
        ),
        (
            "A venit pe 3 ian. 2025 la Iași. Apoi a plecat.",
            ["A venit pe 3 ian. 2025 la Iași.", "Apoi a plecat."],
        ),
        ("Au adus mere, pere etc. și au plecat.", ["Au adus mere, pere etc. și au plecat."]),
        ("Au adus mere, pere etc. Apoi au plecat.", ["Au adus mere, pere etc.", "Apoi au plecat."]),
        ("Cartea lui N. Iorga e groasă. O citesc.", ["Cartea lui N. Iorga e groasă.", "O citesc."]),
        ("Pe bd. C.A. Rosetti era lume. Apoi nu.", ["Pe bd. C.A. Rosetti era lume.", "Apoi nu."]),
        ("A fost audiat la DNA. Ponta a negat.", ["A fost audiat la DNA.", "Ponta a negat."]),
        ("„Vom pleca acasă.” Apoi a tăcut.", ["„Vom pleca acasă.”", "Apoi a tăcut."]),
        ("„Ce faci?” a întrebat el. Nimic.", ["„Ce faci?” a întrebat el.", "Nimic."]),
        ("«Gata!» Și a ieșit.", ["«Gata!»", "Și a ieșit."]),
        ("Ne-am gândit... poate mâine. Sau nu…", ["Ne-am gândit... poate mâine.", "Sau nu…"]),
        ("Așteptăm… Vine trenul!", ["Așteptăm…", "Vine trenul!"]),
        (
            "Detalii pe www.gov.ro. Scrieți la contact@gov.ro. Mulțumim!",
            ["Detalii pe www.gov.ro.", "Scrieți la contact@gov.ro.", "Mulțumim!"],
        ),
        ("Vezi https://ex.ro/a?b=1. Gata.", ["Vezi https://ex.ro/a?b=1.", "Gata."]),
        ("1. Primul punct e aici.", ["1. Primul punct e aici."]),
        ("IV. Dispoziții finale", ["IV. Dispoziții finale"]),
        ("Ce? Nu! Da?!", ["Ce?", "Nu!", "Da?!"]),
        (
            "Scorul final a fost 2-1. 20 de mii de fani au aplaudat.",
            ["Scorul final a fost 2-1.", "20 de mii de fani au aplaudat."],
        ),
        ("Titlu fără punct", ["Titlu fără punct"]),
        ("– Da, a spus el. – Nu, a răspuns ea.", ["– Da, a spus el.", "– Nu, a răspuns ea."]),
    ],
)
def test_romanian_sentences(text, expected):
    assert split_sentences(text) == expected


def test_whitespace_only_line_has_no_sentence():
    assert sentence_spans("   \t ") == []


_alphabet = st.sampled_from(
    [*"abcșțăîâ ABȘȚ.,!?…„”«»()-–\t0123456789@/:", "dl.", "nr.", "etc.", " "]
)


@given(st.lists(_alphabet, max_size=80).map("".join))
def test_spans_lose_no_character(line):
    spans = sentence_spans(line)
    pos = 0
    for start, end in spans:
        assert start >= pos and end > start
        assert line[pos:start].strip() == ""  # only whitespace between sentences
        assert line[start:end] == line[start:end].strip()
        pos = end
    assert line[pos:].strip() == ""


# --- one rule each: the sentence ends (or not) where the rule says ------------------------------
@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Str. Lipscani este închisă.", 1),  # an abbreviation as the line's first word
        ("Ok. Mergem acasă.", 2),  # two letters are a word, not a list marker like "a."
        ("Au venit… 3 oameni.", 1),  # after an ellipsis only a capital starts a sentence
        ("Au venit.. 3 oameni.", 1),  # two dots are an ellipsis too
        ("Ce?! 3 oameni au venit.", 2),  # ?! before a number ends the sentence
        ("Filmul e SF. Mergem acasă.", 2),  # an acronym, not the abbreviation "sf."
        ("L-a primit prof.univ.dr. Ionescu.", 1),  # judged by the last part: dr.
        ("Sunt fructe, e.g. Mere și pere.", 1),  # a dotted abbreviation as a whole
        ("Ana vine. 1. Ion pleacă.", 2),  # a list marker after a sentence stays with its item
    ],
)
def test_each_boundary_rule(text, sentences):
    assert len(sentence_spans(text)) == sentences, sentence_spans(text)
