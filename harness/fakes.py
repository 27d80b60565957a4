"""Fakes satisfying the runtime's `Backend` contract and the `SummaryEngine` Protocol, and
`Engines` built from them through the real injection seam (`Builders`): the ones that
scripts (scripts/tag_placement.py) use as well as the tests. The tests' own variants are in
tests/support/fakes.py."""

from __future__ import annotations

import math
import re
import threading

from service.models.info import ModelInfo
from service.pipeline.engines import Builders, Engines
from service.runtime.backend import BackendStats, Decoding, Output, Tokens
from service.settings import Settings
from service.summarize.types import SummaryResult


class Words(tuple):
    """The fake's tokens for one sentence: one per word plus end-of-sentence; the exact text
    rides along so that the fake can echo it."""

    text: str

    def __new__(cls, text: str) -> Words:
        row = super().__new__(cls, [*text.split(), "</s>"])
        row.text = text
        return row


class EchoBackend:
    """A `Backend` whose "translation" is `EN(<source>)`; records every batch and encode."""

    name = "echo"
    label = "echo"
    batch_tokens: int | None = None
    default_beam_size = 1
    max_output_tokens = 510
    tokens: type[tuple] = Words

    def __init__(self, max_input_tokens: int = 510) -> None:
        self.max_input_tokens = max_input_tokens
        self.batches: list[list[str]] = []  # source texts, one list per generate() call
        self.beams: list[int] = []
        self.budgets: list[list[int]] = []
        self.hypotheses: list[int] = []
        self.encoded: list[str] = []  # every text ever tokenised, in order
        self.closed = False
        self._generated = 0
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> list[Tokens]:
        with self._lock:
            self.encoded.extend(texts)
        return [self.tokens(t) for t in texts]

    def generate(self, rows: list[Tokens], decoding: Decoding) -> list[Output]:
        texts = [row.text for row in rows]  # type: ignore[attr-defined]
        with self._lock:
            self.batches.append(texts)
            self.beams.append(decoding.beam_size)
            self.budgets.append(list(decoding.max_new_tokens))
            self.hypotheses.append(decoding.hypotheses)
        out = self.respond(texts)
        with self._lock:
            self._generated += sum(len(o.split()) for o in out)
        return [
            Output(text, self.score(source), self.alternatives(text, decoding.hypotheses))
            # not strict: a fake that breaks the contract (too few outputs) reaches the
            # scheduler's own check
            for source, text in zip(texts, out, strict=False)
        ]

    @staticmethod
    def score(source: str) -> float:
        """A made-up log-probability per token that the source decides: a sentence with
        "nesigur" (unsure) in it scores low (confidence 0.2), every other high (0.9)."""
        return math.log(0.2) if "nesigur" in source else math.log(0.9)

    @staticmethod
    def alternatives(text: str, hypotheses: int) -> tuple[str, ...]:
        return tuple(f"ALT{k}:{text}" for k in range(1, hypotheses))

    def respond(self, texts: list[str]) -> list[str]:
        """What the fake "translates" each text to; subclasses change only this."""
        return [f"EN({t})" for t in texts]

    def stats(self) -> BackendStats:
        return BackendStats(self._generated)

    def close(self) -> None:
        self.closed = True

    def forget(self) -> None:
        """Clear the records (the warm-up translation at load is one)."""
        with self._lock:
            self.batches.clear()
            self.beams.clear()
            self.budgets.clear()
            self.hypotheses.clear()
            self.encoded.clear()


class FirstSentencesSummarizer:
    """A `SummaryEngine` that keeps the first N sentences."""

    method = "fake"

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        chosen = sentences[:max_sentences]
        return SummaryResult(" ".join(chosen), chosen, self.method, list(range(len(chosen))))


def fake_builders(backend: EchoBackend | None = None, summarizer=None) -> Builders:
    backend = backend or EchoBackend()
    summarizer = summarizer or FirstSentencesSummarizer()
    translation = ModelInfo("translation", backend.name, True, backend="fake")
    summary = ModelInfo("summary", summarizer.method, True)
    return Builders(
        translation=lambda s: (backend, translation), summary=lambda s: (summarizer, summary)
    )


def fake_engines(
    settings: Settings | None = None, backend: EchoBackend | None = None, summarizer=None
) -> Engines:
    """Loaded engines over the fakes: the real scheduler, warm-up and load state."""
    backend = backend or EchoBackend()
    engines = Engines(settings or Settings(_env_file=None), fake_builders(backend, summarizer))
    engines.load()
    backend.forget()
    return engines


class WordMark(EchoBackend):
    """A word-for-word "translation": each word gets `-en` (punctuation stays), and with
    `reverse`, a sentence's words come out in reverse order — so where a tag belongs in
    the output can be checked word by word, reordering included."""

    def __init__(self, reverse: bool = False) -> None:
        super().__init__()
        self.reverse = reverse

    def respond(self, texts: list[str]) -> list[str]:
        return [self.mark(t) for t in texts]

    def mark(self, text: str) -> str:
        """Handles, hashtags, URLs and :emoji: codes are copied where they stand, as a
        translation model copies them; every other word is marked (and maybe moved)."""
        words = [m.group() for m in _WORD.finditer(text) if not m.group(1)]
        if self.reverse:
            words.reverse()
        marked = iter(f"{w}-en" for w in words)
        return _WORD.sub(lambda m: m.group() if m.group(1) else next(marked), text)


# What a model copies rather than translates (handles, hashtags, URLs, :emoji: codes).
COPIED = r"[@#][\w.-]+|[a-z]+://\S+|:\w+:"
# A word with letters (numbers stay as they are), or something copied: group 1.
_WORD = re.compile(rf"({COPIED})|[^\W\d_]+")
