"""What a segment's `confidence` ranges over, and how it relates to the warnings.

    python scripts/confidence_ranges.py MODEL_FOLDER [--cache DIR] [--sentences 300]
        [--data ../shared/data] [--pin 1.1]

Translates newstest2016's Romanian sentences through the service's own pipeline and prints
the confidence percentiles (min, 10th, median, 90th, max), and, per confidence quartile,
the share of segments that carry a warning. With the benchmark's random opus-size model
the figures say only what range the numbers take and that the plumbing works: confidence
measures the model's own certainty, so what a low value predicts about quality can only be
calibrated on real weights (see docs/api.md).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from pathlib import Path

from service.pipeline.pipeline import Pipeline
from service.settings import Settings

HERE = Path(__file__).resolve().parent
SHARED_DATA = HERE.parents[1] / "shared" / "data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", help="a checkpoint folder (or hub id) roen can serve")
    ap.add_argument("--cache", type=Path, help="ROEN_MODEL_CACHE (its converted form)")
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    ap.add_argument("--pin", type=float, default=None, help="ROEN_PIN_OUTPUT_RATIO (random models)")
    args = ap.parse_args()
    source = (args.data / "wmt16" / "newstest2016.ro").read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if line.strip()][: args.sentences]
    extra = {"model_cache": args.cache} if args.cache else {}
    settings = Settings(
        _env_file=None, translation_model=args.model, pin_output_ratio=args.pin, **extra
    )
    pipeline = Pipeline.for_files(settings)
    try:
        results = pipeline.run(pipeline.translate(lines))
    finally:
        pipeline.engines.close()
    segments = [s for r in results for s in r.segments if s.confidence is not None]
    values = sorted(s.confidence for s in segments if s.confidence is not None)
    deciles = statistics.quantiles(values, n=10)
    print(
        f"{len(values)} segments of {len(lines)} newstest2016 sentences, "
        f"{settings.translation_model}"
    )
    print(
        f"confidence: min {values[0]:.3f}  p10 {deciles[0]:.3f}  median "
        f"{statistics.median(values):.3f}  p90 {deciles[-1]:.3f}  max {values[-1]:.3f}"
    )
    quartiles = statistics.quantiles(values, n=4)
    bounds = [values[0], *quartiles, values[-1]]
    for n, (low, high) in enumerate(itertools.pairwise(bounds)):
        last = n == len(bounds) - 2
        inside = [
            s
            for s in segments
            if s.confidence is not None
            and low <= s.confidence
            and (s.confidence <= high if last else s.confidence < high)
        ]
        warned = sum(1 for s in inside if s.warnings)
        share = warned / len(inside) if inside else 0.0
        print(f"  {low:.4f}–{high:.4f}: {len(inside)} segments, {share:.0%} with a warning")


if __name__ == "__main__":
    main()
