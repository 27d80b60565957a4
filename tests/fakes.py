"""Fake engines satisfying the interface Protocols, for tests that need no model."""

from __future__ import annotations

import threading

from service.engine.interface import SummaryResult


class EchoBackend:
    """A `Seq2SeqBackend` whose "translation" is `EN(<source>)`; records every batch."""

    name = "echo"
    default_beam_size = 1

    def __init__(self, max_input_tokens: int = 510) -> None:
        self.max_input_tokens = max_input_tokens
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]  # words + </s>

    def generate(self, texts: list[str], *, beam_size: int) -> list[str]:
        with self._lock:
            self.batches.append(list(texts))
        return [f"EN({t})" for t in texts]


class FirstSentencesSummarizer:
    """A `SummaryEngine` that keeps the first N sentences."""

    method = "fake"

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        chosen = sentences[:max_sentences]
        return SummaryResult(" ".join(chosen), chosen, self.method)


def fake_engines():
    """Ready engines: the real Translator over EchoBackend, and the first-sentences summariser."""
    from service.engine.registry import Engines
    from service.engine.translator import Translator

    return Engines.preloaded(
        Translator(EchoBackend(), model_name="echo"), FirstSentencesSummarizer()
    )
