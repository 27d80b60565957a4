"""`roen eval`: translate a test set with the service's own engine and score it.

BLEU and chrF2 come from sacreBLEU with its standard signatures (13a tokenisation, mixed
case), so the numbers are comparable with published ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from service.errors import InputError, RoenError
from service.settings import Settings


@dataclass
class LineFile:
    """A test-set file, one sentence per line, with the option that named it (for messages)."""

    option: str
    path: str
    lines: list[str]

    @classmethod
    def read(cls, option: str, path: str) -> LineFile:
        """Its lines, or an InputError naming the option, the file and what is wrong with it."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise InputError(
                f"{option} {path} is not UTF-8 text "
                f"(byte 0x{err.object[err.start]:02x} at offset {err.start})."
            ) from None
        except OSError as err:
            raise InputError(f"{option} {path} cannot be read: {err.strerror or err}.") from None
        lines = text.splitlines()
        if not lines:
            raise InputError(f"{option} {path} is empty: nothing to score.")
        return cls(option, path, lines)


def _lines(n: int) -> str:
    return f"{n} line" if n == 1 else f"{n} lines"


def check_aligned(a: LineFile, b: LineFile) -> None:
    """Line i of one file must pair with line i of the other."""
    if len(a.lines) != len(b.lines):
        raise InputError(
            f"{a.option} {a.path} has {_lines(len(a.lines))} but {b.option} {b.path} has "
            f"{_lines(len(b.lines))}: they must pair line for line."
        )


@dataclass
class Score:
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str


def score(hypotheses: list[str], references: list[str]) -> Score:
    try:
        from sacrebleu.metrics import BLEU, CHRF
    except ImportError:
        raise RoenError(
            "Scoring needs sacrebleu, part of roen's `convert` extra: pip install 'roen[convert]'."
        ) from None

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not references:
        raise ValueError("nothing to score")
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


def compared_settings(base: Settings, spec: str) -> Settings:
    """`base` with the overrides of one --compare spec, or an InputError saying what is wrong
    (found before any translation starts, not after the first configuration has run)."""
    from pydantic import ValidationError

    try:
        overrides = parse_overrides(spec)
    except ValueError as err:
        raise InputError(f"--compare: {err}.") from None
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:  # Settings ignores unknown keys: a typo would silently compare nothing
        raise InputError(f"--compare {spec}: no setting named {', '.join(unknown)}.")
    try:
        return Settings(**{**base.model_dump(), **overrides})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"--compare {spec}: {where}: {first['msg']}.") from None


def report(run: Run, s: Score, hyp_path: Path | None) -> str:
    speed = f"{run.generated_tokens / run.seconds:.1f} tokens/s, " if run.seconds else ""
    return (
        f"[{run.label}]\n"
        f"  BLEU  {s.bleu:5.1f}   {s.bleu_signature}\n"
        f"  chrF2 {s.chrf:5.2f}   {s.chrf_signature}\n"
        f"  {speed}{len(run.hypotheses)} lines in {run.seconds:.1f} s"
        + (f"\n  hypotheses: {hyp_path}" if hyp_path else "")
    )
