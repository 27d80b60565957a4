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
