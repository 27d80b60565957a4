"""Join newsdev2016 articles into one long document, translate it, check nothing is lost.

    python scripts/long_article_check.py [--chars 40000] [--model DIR]

Prints the size, the sentence count (gold <seg> count vs segments found), and whether every
segment has a non-empty translation and the paragraph structure survived. Exit 1 if not.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

SGM = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "wmt16"
    / "newsdev2016-roen-src.ro.sgm"
)


def build_document(min_chars: int) -> tuple[str, int]:
    src = SGM.read_text(encoding="utf-8")
    paragraphs, gold = [], 0
    for p in re.findall(r"<p>(.*?)</p>", src, re.S):
        segs = [s.strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", p, re.S)]
        # a seg with no closing punctuation is a headline: it stands on its own line
        joined = ""
        for seg in segs:
            joined += seg + ("\n" if not re.search(r"[.!?…”\"»)]$", seg) else " ")
        paragraphs.append(joined.strip())
        gold += len(segs)
        if sum(len(x) + 2 for x in paragraphs) >= min_chars:
            break
    return "\n\n".join(paragraphs), gold


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=40_000)
    ap.add_argument("--model")
    args = ap.parse_args()
    from service.pipeline.pipeline import Pipeline
    from service.pipeline.types import TranslateOptions
    from service.settings import Settings
    from service.text.layout import paragraph_count

    settings = Settings(**({"translation_model": args.model} if args.model else {}))
    pipeline = Pipeline.for_files(settings)
    doc, gold = build_document(args.chars)
    t0 = time.perf_counter()
    result = pipeline.run(pipeline.translate([doc], TranslateOptions(beam_size=1)))[0]
    secs = time.perf_counter() - t0
    empty = [s for s in result.segments if not s.translation.strip()]
    split = sum("split" in s.warnings for s in result.segments)
    # every non-space character of the input is in some segment, in order
    covered = "".join(doc.split()) == "".join("".join(s.source.split()) for s in result.segments)
    same_paragraphs = paragraph_count(doc) == paragraph_count(result.translation)
    print(
        f"chars={len(doc)} paragraphs={paragraph_count(doc)} gold_segments={gold} "
        f"segments={len(result.segments)} empty={len(empty)} split={split} "
        f"paragraphs_kept={same_paragraphs} sources_in_input={covered} seconds={secs:.1f}"
    )
    return 0 if not empty and covered and same_paragraphs else 1


if __name__ == "__main__":
    sys.exit(main())
