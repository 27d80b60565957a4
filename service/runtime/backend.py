"""The contract between the scheduler and a model runner: everything the core uses, declared.

A sentence is encoded once (by the pipeline, when its request is admitted) and its tokens
travel through the queue; the runner decodes batches of those rows. Nothing outside this
Protocol is reached for: wrappers (the benchmark's pinned lengths) implement all of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Token ids or SentencePiece pieces, whichever the runner's decoder consumes; the core only
# takes len() of a row. The end-of-sentence token is included.
Tokens = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Decoding:
    """How one batch is decoded: the beam width, each row's bounds on new tokens, and how
    many hypotheses each row returns (the best, then alternatives; ≤ the beam width)."""

    beam_size: int
    max_new_tokens: list[int]
    min_new_tokens: list[int] | None = None  # None: a row may end at once
    hypotheses: int = 1

    def least(self) -> list[int]:
        return self.min_new_tokens or [0] * len(self.max_new_tokens)


@dataclass(frozen=True, slots=True)
class Output:
    """One row's English: the best hypothesis, the model's own score for it (its mean
    log-probability per token; None where the runner gives none), and the other distinct
    hypotheses asked for (`Decoding.hypotheses`), best first."""

    text: str
    score: float | None = None
    alternatives: tuple[str, ...] = ()


def distinct(best: str, others: list[str]) -> tuple[str, ...]:
    """The alternatives that say something else: neither the best nor each other, nor empty
    (beam search often ends in the same words by another path)."""
    seen = {best.strip()}
    out = []
    for text in others:
        if text.strip() and text.strip() not in seen:
            seen.add(text.strip())
            out.append(text)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class BackendStats:
    generated_tokens: int = 0


class Backend(Protocol):
    name: str  # the model as configured (hub id or folder)
    label: str  # how it runs: "ctranslate2-int8", "torch-fp32" (for /v1/models, the benchmark)
    max_input_tokens: int  # longest row the encoder takes (longer sentences are split first)
    max_output_tokens: int  # longest output the decoder can produce
    default_beam_size: int  # the checkpoint's own decoding setting
    batch_tokens: int | None  # the batch budget its device wants (None: the scheduler's own)

    def encode(self, texts: list[str]) -> list[Tokens]: ...

    def generate(self, rows: list[Tokens], decoding: Decoding) -> list[Output]:
        """One batch. Row i stops at end-of-sentence, at `decoding.max_new_tokens[i]`, or
        where a phrase starts repeating a third time back to back (cut there) — but never
        before `decoding.min_new_tokens[i]`. Returns one Output per row: detokenised text,
        its score, and up to `decoding.hypotheses - 1` distinct alternatives."""
        ...

    def stats(self) -> BackendStats: ...

    def close(self) -> None: ...
