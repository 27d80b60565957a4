"""Glossary matching measured on the labelled set (benchmarks/data/glossary_matching.json:
334 occurrences of 34 terms in news sentences, inflected, with cedilla letters or none, and
312 look-alikes). Prints precision and recall over exact spans, the look-alikes matched,
and every miss and false match, so a change to service/terms/romanian.py can be judged.

    .venv/bin/python scripts/glossary_matching.py [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.terms.glossary import Entry
from service.terms.match import Matcher

SET = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "glossary_matching.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each miss and false match")
    args = parser.parse_args()
    data = json.loads(SET.read_text("utf-8"))
    matcher = Matcher([Entry(t["source"], t["target"]) for t in data["terms"]])
    tp = fp = fn = lookalikes_hit = lookalikes = 0
    for sentence in data["sentences"]:
        text = sentence["text"]
        want = {(m["term"], m["start"], m["end"]) for m in sentence["matches"]}
        alike = {(m["term"], m["start"], m["end"]) for m in sentence["lookalikes"]}
        got = {(h.entry.source, h.start, h.end) for h in matcher.find(text)}
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        lookalikes += len(alike)
        lookalikes_hit += sum(
            1 for term, a, b in alike if any(g[1] < b and a < g[2] and g[0] == term for g in got)
        )
        if args.show:
            for term, a, b in sorted(want - got, key=lambda x: x[1]):
                print(f"missed  {term!r}: {text[a:b]!r}  | {text[max(0, a - 30) : b + 30]}")
            for term, a, b in sorted(got - want, key=lambda x: x[1]):
                print(f"wrong   {term!r}: {text[a:b]!r}  | {text[max(0, a - 30) : b + 30]}")
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    print(
        f"occurrences {tp + fn}, found {tp}, missed {fn}, false {fp}; "
        f"precision {precision:.3f}, recall {recall:.3f}; "
        f"look-alikes matched {lookalikes_hit} of {lookalikes}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
