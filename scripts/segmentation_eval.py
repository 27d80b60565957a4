"""Score the sentence segmenter against newsdev2016's gold <seg> boundaries.

    python scripts/segmentation_eval.py [--show 20]

Each <p> paragraph's segments are joined with spaces and re-segmented. Boundaries after a
segment with no closing punctuation (headlines) are left out of the score: no rule-based
segmenter can see them, and a real article puts headlines on their own line.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

from service.text.normalize import normalize_text
from service.text.segment import sentence_spans

SGM = Path(__file__).resolve().parents[2] / "shared/data/wmt16/newsdev2016-roen-src.ro.sgm"
_CLOSED = re.compile(r"[.!?…”\"»)]$")


@dataclass
class Score:
    """Boundary counts over the whole set, and the misses and false alarms in context."""

    correct: int
    found: int
    gold: int
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.found

    @property
    def recall(self) -> float:
        return self.correct / self.gold


def score(sgm: Path = SGM) -> Score:
    tp = fp = fn = 0
    errors: list[str] = []
    for para in re.findall(r"<p>(.*?)</p>", sgm.read_text(encoding="utf-8"), re.S):
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
    return Score(correct=tp, found=tp + fp, gold=tp + fn, errors=errors)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=0, help="print this many errors")
    args = ap.parse_args()
    result = score()
    print(
        f"gold boundaries={result.gold} found={result.found} correct={result.correct} "
        f"precision={result.precision:.3f} recall={result.recall:.3f}"
    )
    for line in result.errors[: args.show]:
        print(line)


if __name__ == "__main__":
    main()
