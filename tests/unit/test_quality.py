"""Segment warnings: crafted bad outputs raise them; good translations do not."""

import itertools

import pytest

from service.runtime.decoding import MAX_LOOP_NGRAM, collapse_loops, loop_start, output_budget
from service.text.warnings import has_loop, romanian_share, segment_warnings
from tests.support.timing import best_seconds

GOOD = [
    (
        "Guvernul a anunțat astăzi un nou pachet de măsuri economice.",
        "The government announced a new package of economic measures today.",
    ),
    (
        "Peste 15.000 de oameni au participat la protestul de duminică.",
        "More than 15,000 people took part in Sunday's protest.",
    ),
    (
        "„Nu vom accepta această decizie”, a spus liderul sindicatului.",
        '"We will not accept this decision," said the union leader.',
    ),
]


@pytest.mark.parametrize(("src", "out"), GOOD)
def test_good_translations_raise_nothing(src, out):
    assert segment_warnings(src, out) == ()


def test_copied_source_is_untranslated():
    src = GOOD[0][0]
    assert "untranslated" in segment_warnings(src, src)


def test_output_still_in_romanian_is_untranslated():
    src = GOOD[1][0]
    out = "Peste 15,000 de people au participat la protestul de Sunday."
    assert romanian_share(out) >= 0.25
    assert "untranslated" in segment_warnings(src, out)


def test_loop_is_repetition():
    out = "The government announced the measures the measures the measures the measures."
    assert "repetition" in segment_warnings(GOOD[0][0], out)
    assert "repetition" not in segment_warnings(GOOD[0][0], "Very, very good news for the economy.")


def test_far_too_short_or_long_is_length_ratio():
    src = GOOD[0][0]
    assert "length_ratio" in segment_warnings(src, "Measures.")
    assert "length_ratio" in segment_warnings(src, GOOD[0][1] + " " + GOOD[1][1] + " " + GOOD[2][1])
    assert "length_ratio" not in segment_warnings(
        "Da.", "Yes, absolutely, of course."
    )  # too short to judge


def test_split_is_reported():
    assert segment_warnings(*GOOD[0], split=True) == ("split",)


@pytest.mark.parametrize(
    "text",
    [
        "Coun Coun Coun Coun and then the rest.",  # one word, inside the sentence
        "of the war of the war of the war",  # a three-word phrase
        "a b c d e f a b c d e f a b c d e f",  # six words
        "The CounCounCounCoun said.",  # no spaces between the copies
        "Guvernulguvernulguvernul",  # whatever the case of each copy
    ],
)
def test_loops_anywhere_are_found(text):
    assert has_loop(text)


@pytest.mark.parametrize(
    "text",
    [
        "Very, very good news for the economy.",
        "He said no, no and no again.",  # three copies, but not back to back
        "Mississippi had 100000 visitors --- in 2026.",
        "of the war of the war",  # twice is language, three times a loop
    ],
)
def test_ordinary_text_is_not_a_loop(text):
    assert not has_loop(text)


def test_decoder_loops_are_collapsed_wherever_they_are():
    tokens = "the Coun Coun Coun Coun Coun said that the the the plan".split()
    assert collapse_loops(tokens) == "the Coun Coun said that the the plan".split()
    assert collapse_loops(list("abababab")) == list("abab")
    assert collapse_loops(["x"] * 5, keep=5) == ["x"] * 5  # a pinned minimum is left alone
    # loops are counted in what follows the pinned part only
    assert collapse_loops(list("xxxx"), keep=2) == list("xxxx")
    assert collapse_loops(list("pqxxxx"), keep=2) == list("pqxx")
    longest = [str(i) for i in range(MAX_LOOP_NGRAM)]
    assert collapse_loops(longest * 3) == longest * 2  # the longest phrase a loop can be
    assert collapse_loops([*longest, "x"] * 3) == [*longest, "x"] * 3  # longer: not a loop


def test_a_third_copy_at_the_end_is_where_a_greedy_row_stops():
    """CTranslate2's greedy rows stop where `loop_start` says: only a third back-to-back
    copy, only at the end, of a phrase up to MAX_LOOP_NGRAM tokens."""
    assert loop_start(list("xxx")) == 2
    assert loop_start(list("ababab")) == 4
    assert loop_start(list("qababab")) == 5
    assert loop_start(list("xx")) is None and loop_start(list("abab")) is None  # two copies
    assert loop_start(list("xxxq")) is None  # not at the end: the row goes on
    assert loop_start(list("abcabd")) is None and loop_start([]) is None
    longest = [str(i) for i in range(MAX_LOOP_NGRAM)]
    assert loop_start(longest * 3) == 2 * MAX_LOOP_NGRAM
    assert loop_start([*longest, "x"] * 3) is None  # a longer phrase is not a loop
    assert loop_start(list("ababab"), max_ngram=1) is None


@pytest.mark.parametrize(
    ("source", "limit", "budget"),
    [
        (0, 510, 10),
        (1, 510, 11),
        (2, 510, 13),
        (10, 510, 25),
        (100, 510, 160),
        (400, 510, 510),
        (10, 20, 20),
        (2, 5, 8),
    ],
)
def test_an_output_may_be_half_again_its_source_plus_ten_within_the_model(source, limit, budget):
    """The README's output cap: 1.5 × the source's tokens + 10, at most the model's limit,
    never under 8 (a word or two always fit)."""
    assert output_budget(source, limit) == budget


@pytest.mark.parametrize(
    "unit",
    [
        "guvernul anunță măsuri noi ",  # unpunctuated words: one giant sentence
        "حكومة ",  # right-to-left script
        "x",  # one giant "word"
        "CounCoun ",  # a loop all the way
    ],
)
def test_warning_cost_is_linear_in_the_segment(unit):
    """Doubling the segment may not more than ~2.5× the time (difflib took 22 s at 15k)."""
    sizes = (10_000, 20_000, 40_000)
    texts = [(unit * (n // len(unit) + 1))[:n] for n in sizes]
    times = [best_seconds(lambda t=t: segment_warnings(t, t.upper())) for t in texts]
    for small, large in itertools.pairwise(times):
        assert large <= max(2.5 * small, 0.02), times  # 20 ms: below that, noise
    assert times[-1] < 1.0, times


def test_overlap_is_dice_over_word_multisets_ignoring_case():
    from service.text.warnings import overlap

    assert overlap("Ana are MERE", "ana are pere") == pytest.approx(2 * 2 / 6)
    assert overlap("da da nu", "da") == pytest.approx(2 * 1 / 4)  # counted as multisets
    assert overlap("abc", "ABC") == 1.0
    assert overlap("", "") == 0.0 and overlap("cuvinte", "") == 0.0 and overlap("", "x") == 0.0


def test_romanian_share_of_no_words_is_none():
    assert romanian_share("") == 0.0 and romanian_share("… — 123") == 0.0


def test_a_loop_is_three_copies_of_a_phrase_of_at_most_six_words():
    from service.text.warnings import MAX_LOOP_WORDS

    phrase = [f"w{i}" for i in range(MAX_LOOP_WORDS)]
    assert has_loop(" ".join(phrase * 3))
    assert not has_loop(" ".join(phrase * 2 + phrase[:-1]))  # a word short of three copies
    assert not has_loop(" ".join(["z", *phrase * 2, *phrase[:-1]]))  # ... after another word
    longer = [*phrase, "x"]
    assert not has_loop(" ".join(longer * 3))  # seven words: a refrain, not a decoder loop
    assert not has_loop("a b a c")  # one repeat, far from a loop
    assert has_loop("start da da da")  # a loop at the end, after other words


# --- each threshold is inclusive where the calibration put it -----------------------------------
SRC30 = "Ana merge la piață dimineața!!"  # 30 characters: the shortest source judged on length
ENGLISH = "The market opens early on weekdays and stays open until late in summer, when it is busy."


def english(n: int) -> str:
    assert n <= len(ENGLISH)
    return ENGLISH[:n]


@pytest.mark.parametrize(
    ("src", "out", "warnings"),
    [
        ("Ana are mere", "Ana are mere", ("untranslated",)),  # three words are enough
        ("Ana are", "Ana are", ()),  # two are not
        ("alfa beta gama delta epsilon", "alfa beta gama delta zeta", ("untranslated",)),  # 0.8
        ("alfa beta gama delta epsilon eta", "alfa beta gama zeta theta iota", ()),  # 0.5
        ("Pisica aleargă repede acasă", "și the cat runs", ("untranslated",)),  # a quarter
        ("Pisica aleargă repede acasă", "și the cat runs home", ()),  # a fifth
        (SRC30, english(15), ()),  # exactly 0.5: fine
        (SRC30, english(14), ("length_ratio",)),  # under it
        (SRC30, english(54), ()),  # exactly 1.8: fine
        (SRC30, english(55), ("length_ratio",)),  # over it
        (SRC30[1:], english(5), ()),  # 29 characters: too short to judge
    ],
)
def test_each_threshold_is_inclusive(src, out, warnings):
    assert len(SRC30) == 30
    assert segment_warnings(src, out) == warnings
