import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.text.split_long import split_to_fit


def words(t: str) -> int:
    return len(t.split())


def _check_cover(text, spans):
    pos = 0
    for a, b in spans:
        assert text[pos:a].strip() == ""  # only whitespace dropped between parts
        pos = b
    assert pos == len(text)


def test_prefers_clause_punctuation():
    text = "Primul segment lung aici, al doilea segment lung aici; al treilea segment lung aici"
    spans = split_to_fit(text, words, 6)
    parts = [text[a:b] for a, b in spans]
    assert all(words(p) <= 6 for p in parts)
    assert parts[0].endswith(",") or parts[0].endswith(";")
    _check_cover(text, spans)


def test_three_thousand_words_without_punctuation_are_split_not_cut():
    text = " ".join(f"cuvânt{i}" for i in range(3000))
    spans = split_to_fit(text, words, 200)
    parts = [text[a:b] for a, b in spans]
    assert all(words(p) <= 200 for p in parts)
    assert " ".join(parts).split() == text.split()  # every word, in order
    _check_cover(text, spans)


def test_single_giant_token_is_cut_into_pieces():
    text = "x" * 5000
    spans = split_to_fit(text, len, 300)
    assert "".join(text[a:b] for a, b in spans) == text
    assert max(b - a for a, b in spans) <= 300


@given(st.text(alphabet="ab ,;", min_size=1, max_size=300), st.integers(1, 20))
def test_any_text_covered(text, limit):
    spans = split_to_fit(text, len, limit)
    _check_cover(text, spans)
    assert all(b - a <= limit or b - a == 1 for a, b in spans)


# --- where a piece is cut (each case pins one rule of `best_cut`) ------------------------------
@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("abcd, efgh ijklmnopq", (5, 6)),  # a clause end exactly at a quarter still counts
        ("abcdefgh ijklm, opqr", (15, 16)),  # ... and exactly at three quarters
        ("aaaa, bbbbb, cccccccccc", (12, 13)),  # the clause end nearest the middle
        ("aaaaaaa, bb, cccccccccccc", (12, 13)),  # ... of two in range, not the first
        ("aaaa bbbb cccc dddd eeee ffff gggg hhhh iii, jj", (24, 25)),  # clause near an end: no
        ("aa,   bbbbbbb", (3, 6)),  # every space after the clause is glue
        ("a b", (1, 2)),  # a space right after the first character
        (" " * 10 + "aaaa bbbb cccc dddd", (14, 15)),  # leading spaces shift every position
        ("a" + " " * 6 + "bb" + " " + "ccccccc", (9, 10)),  # the space run *starting* nearest
        ("abcdefgh", (4, 4)),  # no clause, no space: a hard cut in the middle
    ],
)
def test_a_piece_is_cut_at_the_clause_or_space_nearest_its_middle(text, cut):
    from service.text.split_long import best_cut

    assert best_cut(text) == cut


def test_a_piece_exactly_at_the_limit_is_not_cut_again():
    assert split_to_fit("abcd", len, 4) == [(0, 4)]
    assert split_to_fit("abcdefgh", len, 4) == [(0, 4), (4, 8)]


def test_single_characters_are_the_floor_even_when_they_count_too_much():
    """A tokenizer that makes one character more than the limit cannot make the split loop
    forever: single characters are where it stops."""
    assert split_to_fit("abc", lambda _: 5, 1) == [(0, 1), (1, 2), (2, 3)]
