"""Abstractive summaries with a BART/PEGASUS-style checkpoint, for input of any length.

The model reads at most its window (1,024 tokens for BART). Longer input is cut at sentence
boundaries into chunks that fit, each chunk is summarised, and the joined summaries are
summarised again until one pass fits: every sentence is read, none is truncated away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.runtime.backend import Decoding
from service.summarize.types import SummaryResult

if TYPE_CHECKING:  # built by the factory, which says what to install when torch is absent
    from service.runtime.torch_seq2seq import TorchSeq2Seq
from service.text.layout import layout
from service.text.split_long import split_to_fit

MAX_ROUNDS = 10  # each round divides the chunks by ≥2 while it converges


def chunk_sentences(counts: list[int], window: int) -> list[list[int]]:
    """Consecutive sentence indices grouped so each group's token total fits the window."""
    chunks: list[list[int]] = []
    current: list[int] = []
    total = 0
    for i, n in enumerate(counts):
        if current and total + n > window:
            chunks.append(current)
            current, total = [], 0
        current.append(i)
        total += n
    if current:
        chunks.append(current)
    return chunks


class AbstractiveSummarizer:
    method = "abstractive"

    def __init__(self, model: TorchSeq2Seq, *, summary_tokens: int | None = None) -> None:
        self.model = model
        self.summary_tokens = summary_tokens or model.checkpoint_max_length or 142
        # Leave room for special tokens; a single sentence longer than this is split by
        # words before it reaches the model (see _fit).
        self.window = model.max_input_tokens

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        texts = self._fit([s.strip() for s in sentences if s.strip()])
        # Intermediate summaries must be much shorter than the window, or a round would not
        # reduce the number of chunks; the final pass gets the checkpoint's own length.
        partial_tokens = max(8, min(self.summary_tokens, self.window // 4))
        outputs, previous = texts, len(texts) + 1
        for _ in range(MAX_ROUNDS):
            counts = self._count(texts)
            chunks = chunk_sentences(counts, self.window)
            inputs = [" ".join(texts[i] for i in chunk) for chunk in chunks]
            if len(chunks) <= 1:
                outputs = self._generate(inputs, self.summary_tokens)
                break
            if len(chunks) >= previous:
                break  # not converging: keep every partial summary rather than drop any
            previous = len(chunks)
            texts = outputs = self._fit(self._generate(inputs, partial_tokens))
        summary_sentences = [p.text for p in layout(" ".join(outputs)) if p.kind != "glue"]
        summary_sentences = summary_sentences[:max_sentences]
        return SummaryResult(" ".join(summary_sentences), summary_sentences, self.method)

    def _generate(self, inputs: list[str], max_tokens: int) -> list[str]:
        if not inputs:
            return []
        decoding = Decoding(self.model.default_beam_size, [max_tokens] * len(inputs))
        return [out.text for out in self.model.generate(self.model.encode(inputs), decoding)]

    def _count(self, texts: list[str]) -> list[int]:
        return [len(x) for x in self.model.encode(texts)] if texts else []

    def _fit(self, texts: list[str]) -> list[str]:
        """Split any single sentence longer than the window into word runs that fit."""
        out: list[str] = []
        counts = self._count(texts)
        for text, n in zip(texts, counts, strict=True):
            if n <= self.window:
                out.append(text)
                continue
            spans = split_to_fit(text, lambda t: self._count([t])[0], self.window)
            out.extend(text[a:b] for a, b in spans)
        return out
