"""How well roen tells Romanian from everything else (`source=auto`, /detect, not_romanian).

    python scripts/detection_eval.py [--data ../shared/data]

Prints, for Romanian sentences (newstest2016, Tatoeba): how often the detector says
Romanian, and how often the `not_romanian` warning would fire (a false alarm); for other
languages (the English references, tests/data/not_romanian.txt): how often they are
detected as not Romanian, and as the right language.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from service.pipeline.language import LanguageDetector

HERE = Path(__file__).resolve().parent
SHARED_DATA = HERE.parents[1] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    args = ap.parse_args()
    detector = LanguageDetector()
    detector.detect("încălzire")  # load the models before timing
    romanian = {
        "newstest2016.ro": args.data / "wmt16" / "newstest2016.ro",
        "tatoeba.ro": args.data / "tatoeba" / "tatoeba-test-v2021-08-07.ro",
    }
    for name, path in romanian.items():
        lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        started = time.perf_counter()
        said_ro = sum(
            1 for x in lines if (d := detector.detect(x, best=1)) and d[0].language == "ro"
        )
        per = (time.perf_counter() - started) / len(lines) * 1e6
        alarms = sum(detector.not_romanian(x) for x in lines)
        n = len(lines)
        print(
            f"{name:<18} {n:5d} Romanian lines: detected ro {100 * said_ro / n:5.1f} %, "
            f"not_romanian false alarms {100 * alarms / n:4.2f} %  ({per:.0f} µs a line)"
        )
    others = {
        "newstest2016.en": [
            ("en", x)
            for x in (args.data / "wmt16" / "newstest2016.en")
            .read_text(encoding="utf-8")
            .splitlines()
            if x.strip()
        ],
        "tatoeba.en": [
            ("en", x)
            for x in (args.data / "tatoeba" / "tatoeba-test-v2021-08-07.en")
            .read_text(encoding="utf-8")
            .splitlines()
            if x.strip()
        ],
        "not_romanian.txt": [
            tuple(x.split("\t", 1))
            for x in (HERE.parent / "tests" / "data" / "not_romanian.txt")
            .read_text(encoding="utf-8")
            .splitlines()
            if x.strip()
        ],
    }
    for name, pairs in others.items():
        found = [(lang, detector.detect(text, best=1)) for lang, text in pairs]
        not_ro = sum(1 for _, d in found if d and d[0].language != "ro")
        right = sum(1 for lang, d in found if d and d[0].language == lang)
        warned = sum(detector.not_romanian(text) for _, text in pairs)
        n = len(pairs)
        print(
            f"{name:<18} {n:5d} other lines:   not ro {100 * not_ro / n:5.1f} %, right language "
            f"{100 * right / n:5.1f} %, not_romanian warning {100 * warned / n:5.1f} %"
        )


if __name__ == "__main__":
    main()
