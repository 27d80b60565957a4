"""Calibrate the segment warnings on reference translations: how often would a human
translation be flagged? (It should almost never be.)

    python scripts/calibrate_warnings.py [--data ../shared/data]

Prints the length-ratio percentiles that the thresholds in service/text/warnings.py were
chosen from, and the false-positive rate of each warning on newstest2016's 1,999 pairs.
"""

from __future__ import annotations

import argparse
import collections
from dataclasses import dataclass
from pathlib import Path

from service.text import warnings as quality

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WARNINGS = ("untranslated", "repetition", "length_ratio")
PERCENTILES = (0.1, 0.5, 1, 50, 99, 99.5, 99.9)


@dataclass
class Calibration:
    """One test set's reference pairs: how often each warning fires, and the length ratios."""

    pairs: int
    flagged: collections.Counter[str]
    ratio_percentiles: dict[float, float]

    def rate(self, warning: str) -> float:
        """The share of reference pairs (0–1) that `warning` flags."""
        return self.flagged[warning] / self.pairs


def calibrate(data: Path, name: str) -> Calibration:
    wmt = data / "wmt16"
    ro = (wmt / f"{name}.ro").read_text(encoding="utf-8").splitlines()
    en = (wmt / f"{name}.en").read_text(encoding="utf-8").splitlines()
    ratios = sorted(
        len(e) / len(r) for r, e in zip(ro, en, strict=True) if len(r) >= quality.MIN_CHARS
    )
    pct = {p: ratios[int(p / 100 * (len(ratios) - 1))] for p in PERCENTILES}
    flagged = collections.Counter(
        w for r, e in zip(ro, en, strict=True) for w in quality.segment_warnings(r, e)
    )
    return Calibration(pairs=len(ro), flagged=flagged, ratio_percentiles=pct)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    args = ap.parse_args()
    for name in ("newstest2016", "newsdev2016"):
        result = calibrate(args.data, name)
        print(
            f"{name}: en/ro character ratio percentiles "
            + ", ".join(f"p{p:g}={v:.2f}" for p, v in result.ratio_percentiles.items())
        )
        for warning in WARNINGS:
            n = result.flagged[warning]
            print(
                f"  {warning:<13} on reference pairs: {n:4d} / {result.pairs} "
                f"= {100 * result.rate(warning):.2f}%"
            )


if __name__ == "__main__":
    main()
