"""Score the sentence segmenter against newsdev2016's gold <seg> boundaries.

    python scripts/segmentation_eval.py [--show 20]

Each <p> paragraph's segments are joined with spaces and re-segmented. Boundaries after a
segment with no closing punctuation (headlines) are left out of the score: no rule-based
segmenter can see them, and a real article puts headlines on their own line.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from service.text.normalize import normalize_text
from service.text.segment import sentence_spans

SGM = Path(__file__).resolve().parents[2] / "shared/data/wmt16/newsdev2016-roen-src.ro.sgm"
_CLOSED = re.compile(r"[.!?…”\"»)]$")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=0, help="print this many errors")
    args = ap.parse_args()
    tp = fp = fn = 0
    errors: list[str] = []
    for para in re.findall(r"<p>(.*?)</p>", SGM.read_text(encoding="utf-8"), re.S):
        segs = [normalize_text(s).strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", para, re.S)]
        joined = " ".join(segs)
        gold, unscored, pos = set(), set(), 0
        for seg in segs[:-1]:
            pos += len(seg)
            (gold if _CLOSED.search(seg) else unscored).add(pos)
            pos += 1
        pred = {end for _, end in sentence_spans(joined)[:-1]} - unscored
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        errors += [f"FP …{joined[max(0, x - 40) : x + 30]}…" for x in sorted(pred - gold)]
        errors += [f"FN …{joined[max(0, x - 40) : x + 30]}…" for x in sorted(gold - pred)]
    print(
        f"gold boundaries={tp + fn} found={tp + fp} correct={tp} "
        f"precision={tp / (tp + fp):.3f} recall={tp / (tp + fn):.3f}"
    )
    for line in errors[: args.show]:
        print(line)


if __name__ == "__main__":
    main()
