"""The README's measured figures, recomputed by the scripts that produced them.

A change to the segmenter or to the warnings that moves a figure fails here; then either
the change is wrong or the README (and these numbers) must be updated with it. The scripts
read ../shared/data, which sits beside the checkout in CI and on developer machines.
"""

import re
from pathlib import Path

import pytest

from scripts.calibrate_warnings import SHARED_DATA, calibrate
from scripts.segmentation_eval import SGM
from scripts.segmentation_eval import score as segmentation_score
from service.text import warnings as quality

DOCS = Path(__file__).resolve().parents[2] / "docs"
SEGMENTATION_PAGE = DOCS / "cli.md"  # where the figures are printed
WARNINGS_PAGE = DOCS / "models.md"

# README, "Sentence segmentation knows Romanian": "Against the 1,762 gold sentence
# boundaries of WMT newsdev2016: precision 0.990, recall 0.990."
GOLD_BOUNDARIES = 1762
PRECISION = RECALL = 0.990

# README, the warnings table: the share of human reference pairs flagged, in percent,
# (newstest2016, newsdev2016).
WARNING_RATES = {
    "untranslated": (0.00, 0.15),
    "repetition": (0.0, 0.0),
    "length_ratio": (0.30, 0.25),
}
# Half a unit of the README's last printed digit: the figure as printed must still hold.
# On 1,999 pairs one flagged pair is 0.05 %, so a single new false alarm breaks it.
RATE_TOLERANCE_PCT = 0.005


@pytest.fixture(scope="module")
def segmentation():
    assert SGM.is_file(), f"shared data missing: {SGM}"
    return segmentation_score()


@pytest.fixture(scope="module")
def calibration():
    assert (SHARED_DATA / "wmt16").is_dir(), f"shared data missing: {SHARED_DATA}"
    return {name: calibrate(SHARED_DATA, name) for name in ("newstest2016", "newsdev2016")}


def test_segmentation_precision_and_recall_on_newsdev2016(segmentation):
    assert segmentation.gold == GOLD_BOUNDARIES
    # to the README's three decimals: 0.9895 <= value < 0.9905
    assert segmentation.precision == pytest.approx(PRECISION, abs=0.0005), segmentation.errors
    assert segmentation.recall == pytest.approx(RECALL, abs=0.0005), segmentation.errors
    # every error the script lists is one of the counted misses or false alarms
    assert len(segmentation.errors) == (segmentation.found - segmentation.correct) + (
        segmentation.gold - segmentation.correct
    )


@pytest.mark.parametrize("warning", sorted(WARNING_RATES))
def test_warning_rates_on_reference_translations(calibration, warning):
    test_pct, dev_pct = WARNING_RATES[warning]
    assert calibration["newstest2016"].pairs == calibration["newsdev2016"].pairs == 1999
    assert 100 * calibration["newstest2016"].rate(warning) == pytest.approx(
        test_pct, abs=RATE_TOLERANCE_PCT
    )
    assert 100 * calibration["newsdev2016"].rate(warning) == pytest.approx(
        dev_pct, abs=RATE_TOLERANCE_PCT
    )


def test_length_ratio_thresholds_are_the_reference_percentiles(calibration):
    # README: "English/Romanian length outside 0.5–1.8 (p0.1 and p99.9 of reference pairs)",
    # set on newstest2016.
    pct = calibration["newstest2016"].ratio_percentiles
    assert round(pct[0.1], 1) == quality.RATIO_LOW == 0.5
    assert round(pct[99.9], 1) == quality.RATIO_HIGH == 1.8


def test_readme_states_the_figures_asserted_here():
    """If the README's figures change, the constants above must change with them."""
    flat = re.sub(r"\s+", " ", SEGMENTATION_PAGE.read_text(encoding="utf-8"))
    text = WARNINGS_PAGE.read_text(encoding="utf-8")
    assert f"{GOLD_BOUNDARIES:,} gold sentence boundaries of WMT newsdev2016" in flat
    assert f"precision {PRECISION:.3f}, recall {RECALL:.3f}" in flat
    for warning, rates in WARNING_RATES.items():
        row = re.search(rf"^\| `{warning}` \|.*\| ([\d.]+) % / ([\d.]+) % \|$", text, re.M)
        assert row, f"README has no table row for `{warning}` with two rates"
        assert (float(row[1]), float(row[2])) == rates
