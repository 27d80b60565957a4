"""`roen eval`: translate a test set with the service's own engine and score it.

BLEU and chrF2 come from sacreBLEU with its standard signatures (13a tokenisation, mixed
case), so the numbers are comparable with published ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from service.settings import Settings


@dataclass
class Score:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str


def score(hypotheses: list[str], references: list[str]) -> Score:
    from sacrebleu.metrics import BLEU, CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    bleu, chrf = BLEU(), CHRF()
    b = bleu.corpus_score(hypotheses, [references])
    c = chrf.corpus_score(hypotheses, [references])
    return Score(b.score, c.score, str(bleu.get_signature()), str(chrf.get_signature()))


@dataclass
class Run:
    label: str
    hypotheses: list[str]
    seconds: float
    generated_tokens: int


def translate_lines(settings: Settings, lines: list[str], label: str) -> Run:
    from service.pipeline.pipeline import Pipeline

    pipeline = Pipeline.for_files(settings)
    try:
        before = pipeline.stats().generated_tokens
        t0 = time.perf_counter()
        # One text per line: each is segmented like any input (a line may hold two sentences).
        results = pipeline.run(pipeline.translate(lines))
        seconds = time.perf_counter() - t0
        tokens = pipeline.stats().generated_tokens - before
    finally:
        pipeline.engines.close()
    return Run(label, [r.translation.replace("\n", " ") for r in results], seconds, tokens)


def parse_overrides(spec: str) -> dict[str, str]:
    """'backend=torch,beam_size=4' → {'backend': 'torch', 'beam_size': '4'}"""
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, _, value = part.partition("=")
        if not value:
            raise ValueError(f"expected key=value in '{spec}'")
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def report(run: Run, s: Score, hyp_path: Path | None) -> str:
    speed = f"{run.generated_tokens / run.seconds:.1f} tokens/s, " if run.seconds else ""
    return (
        f"[{run.label}]\n"
        f"  BLEU  {s.bleu:5.1f}   {s.bleu_signature}\n"
        f"  chrF2 {s.chrf:5.2f}   {s.chrf_signature}\n"
        f"  {speed}{len(run.hypotheses)} lines in {run.seconds:.1f} s"
        + (f"\n  hypotheses: {hyp_path}" if hyp_path else "")
    )
