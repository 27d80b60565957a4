"""Benchmarks only: every output exactly `ratio` × its source length.

Random-initialised weights never emit end-of-sentence, so a benchmark on them must fix the
output length to measure anything. This wrapper is the only place that knows: the decoders
just honour the per-row bounds of `Decoding` that every backend takes. It is put
around a backend by the benchmark, or by `ROEN_PIN_OUTPUT_RATIO` (documented as benchmark-only)
so that an outside benchmark of `roen serve` can pin lengths too.
"""

from __future__ import annotations

from service.runtime.backend import Backend, BackendStats, Decoding, Output, Tokens


class PinnedLengths:
    """A Backend whose rows all decode to exactly `round(ratio × source tokens)`."""

    def __init__(self, inner: Backend, ratio: float) -> None:
        self.inner = inner
        self.ratio = ratio
        self.name = inner.name
        self.label = f"{inner.label}, pinned ×{ratio:g}"
        self.max_input_tokens = inner.max_input_tokens
        self.max_output_tokens = inner.max_output_tokens
        self.default_beam_size = inner.default_beam_size
        self.batch_tokens = inner.batch_tokens

    def encode(self, texts: list[str]) -> list[Tokens]:
        return self.inner.encode(texts)

    def generate(self, rows: list[Tokens], decoding: Decoding) -> list[Output]:
        pinned = [max(1, min(round(len(r) * self.ratio), self.max_output_tokens)) for r in rows]
        fixed = Decoding(decoding.beam_size, pinned, pinned, decoding.hypotheses)
        return self.inner.generate(rows, fixed)

    def stats(self) -> BackendStats:
        return self.inner.stats()

    def close(self) -> None:
        self.inner.close()
