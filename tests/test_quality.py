"""Segment warnings: crafted bad outputs raise them; good translations do not."""

import pytest

from service.text.warnings import romanian_share, segment_warnings

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
