"""How roen's inline tags were placed on the test pages (tests/data/html): found by their
words (confident), by likeness (`tag_position`), or not placed (the block went run by run).

    python scripts/tag_placement.py [--model PATH]

Engines: the word-for-word fake (each word marked, order kept), the same reversing every
sentence's words (the hardest reordering), and with --model a translation model (a real
opus-mt checkpoint or converted folder: the figure that matters; a random-weight model
only shows that the fallback holds — its output shares no words with anything).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout: harness (its fakes) and service

from harness.fakes import WordMark, fake_engines  # noqa: E402
from service.pipeline.html import TagCounts  # noqa: E402
from service.pipeline.pipeline import Pipeline  # noqa: E402
from service.pipeline.types import TranslateOptions  # noqa: E402
from service.settings import Settings  # noqa: E402

PAGES = sorted((HERE.parent / "tests" / "data" / "html").glob("*.html"))


def measure(pipeline: Pipeline) -> TagCounts:
    total = TagCounts()
    for page in PAGES:
        counts = TagCounts()
        options = TranslateOptions(markup="html")
        asyncio.run(pipeline.translate([page.read_text()], options, counts))
        likeness = counts.tags - counts.confident - counts.by_run
        print(
            f"  {page.name:16} {counts.tags:3} tags: {counts.confident:3} confident, "
            f"{likeness:2} by likeness, {counts.by_run:2} run by run"
        )
        total.tags += counts.tags
        total.confident += counts.confident
        total.by_run += counts.by_run
    share = total.confident / max(1, total.tags)
    print(f"  all pages        {total.tags:3} tags: {share:.0%} placed with confidence")
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="a translation model (checkpoint folder or hub name)")
    args = ap.parse_args()
    for label, reverse in (("word-for-word fake", False), ("reversing fake", True)):
        print(label)
        measure(Pipeline(fake_engines(backend=WordMark(reverse=reverse))))
    if args.model:
        print(f"model {args.model}")
        settings = Settings(translation_model=args.model, _env_file=None)
        pipeline = Pipeline.for_files(settings)
        measure(pipeline)
        pipeline.engines.close()


if __name__ == "__main__":
    main()
