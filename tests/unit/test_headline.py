"""The digest's headline: a title line as it is; a long first sentence cut to fit a heading."""

import pytest

from service.text.headline import LIMIT, headline


def test_a_title_line_is_kept_whole():
    assert headline("UN chief says no military solutions in Syria") == (
        "UN chief says no military solutions in Syria"
    )


def test_a_long_first_sentence_is_cut_at_a_clause_boundary():
    sentence = (
        "The Minister of Finance announced on Tuesday, after a long meeting with the unions "
        "and the employers' associations, that the budget for 2026 will grow by 3.5%."
    )
    got = headline(sentence)
    assert got == "The Minister of Finance announced on Tuesday…"
    assert len(got) <= LIMIT + 1


def test_without_a_clause_boundary_it_is_cut_at_a_word():
    sentence = " ".join(["word"] * 40)
    got = headline(sentence)
    assert got.endswith("word…") and len(got) <= LIMIT + 1


def test_one_unbroken_word_is_cut_too():
    got = headline("x" * 500)
    assert got == "x" * LIMIT + "…"


def test_the_digest_headline_fits_a_heading(make_client):
    first = "Ministrul a anunțat marți, după o lungă întâlnire cu sindicatele, " + "că " * 40 + "."
    with make_client() as c:
        body = c.post("/v1/digest", json={"text": first + " A doua propoziție."}).json()
    assert body["headline"].startswith("EN(Ministrul a anunțat marți")
    assert len(body["headline"]) <= LIMIT + 1 and body["headline"].endswith("…")
    assert body["translation"].startswith("EN(" + first)  # the translation keeps it whole


@pytest.mark.parametrize(
    ("sentence", "limit", "expected"),
    [
        ("a" * 10, 10, "a" * 10),  # exactly at the limit: whole
        ("aaaa bbbb cccc", 9, "aaaa bbbb…"),  # a space just past the limit still ends a word
        ("aaaa bbbbb ccc", 9, "aaaa…"),  # a word ending past it does not fit
        ("abcd, efgh ijkl", 10, "abcd…"),  # a clause end exactly at 40 % counts
        ("abcdef gh ; ijklmnop qrstu", 20, "abcdef gh…"),  # no space before the ellipsis
        ("aaaa bbbb cccc dddd", 12, "aaaa bbbb…"),  # the last word that fits, not the first
        ("ab, cdefghijklmnopqrstuvwxyz", 20, "ab…"),  # clause too early: a word, bare
        ("a bcdefghijklmnop", 10, "a…"),  # a one-letter first word
        ("Arta secolului XX rămâne", 20, "Arta secolului XX…"),  # only punctuation trimmed
    ],
)
def test_where_a_long_first_sentence_is_cut(sentence, limit, expected):
    assert headline(sentence, limit) == expected
