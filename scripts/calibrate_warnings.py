"""Calibrate the segment warnings on reference translations: how often would a human
translation be flagged? (It should almost never be.)

    python scripts/calibrate_warnings.py [--data ../shared/data]

Prints the length-ratio percentiles that the thresholds in service/text/warnings.py were
chosen from, and the false-positive rate of each warning on newstest2016's 1,999 pairs.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from service.text import warnings as quality

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    args = ap.parse_args()
    wmt = args.data / "wmt16"
    for name in ("newstest2016", "newsdev2016"):
        ro = (wmt / f"{name}.ro").read_text(encoding="utf-8").splitlines()
        en = (wmt / f"{name}.en").read_text(encoding="utf-8").splitlines()
        ratios = sorted(
            len(e) / len(r) for r, e in zip(ro, en, strict=True) if len(r) >= quality.MIN_CHARS
        )
        pct = {
            p: ratios[int(p / 100 * (len(ratios) - 1))] for p in (0.1, 0.5, 1, 50, 99, 99.5, 99.9)
        }
        print(
            f"{name}: en/ro character ratio percentiles "
            + ", ".join(f"p{p:g}={v:.2f}" for p, v in pct.items())
        )
        flagged = collections.Counter(
            w for r, e in zip(ro, en, strict=True) for w in quality.segment_warnings(r, e)
        )
        for warning in ("untranslated", "repetition", "length_ratio"):
            n = flagged[warning]
            print(
                f"  {warning:<13} on reference pairs: {n:4d} / {len(ro)} = {100 * n / len(ro):.2f}%"
            )


if __name__ == "__main__":
    main()
