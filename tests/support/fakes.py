"""The tests' fakes: harness's (engines through the real injection seam, the echo and the
word-for-word "translations"), and the variants only tests use (character tokens, a slow or
exploding model)."""

from __future__ import annotations

import time

from harness.fakes import (
    COPIED,
    EchoBackend,
    FirstSentencesSummarizer,
    WordMark,
    Words,
    fake_builders,
    fake_engines,
)

__all__ = [
    "COPIED",
    "CharEcho",
    "Chars",
    "EchoBackend",
    "FirstSentencesSummarizer",
    "SlowEcho",
    "WordMark",
    "Words",
    "fake_builders",
    "fake_engines",
]


class Chars(tuple):
    """Tokens for a fake with a character-level vocabulary: one per character plus
    end-of-sentence, so a 20,000-character "word" is 20,001 tokens and has to be split."""

    text: str

    def __new__(cls, text: str) -> Chars:
        row = super().__new__(cls, [*text, "</s>"])
        row.text = text
        return row


class CharEcho(EchoBackend):
    """An echo that counts characters as tokens."""

    tokens = Chars


class SlowEcho(EchoBackend):
    """An echo that takes `delay` seconds per batch (a pace a test or a browser can watch)
    and raises on a batch holding `fail_on` (a model that explodes on one input)."""

    def __init__(self, delay: float = 0.02, fail_on: str | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.fail_on = fail_on

    def respond(self, texts: list[str]) -> list[str]:
        time.sleep(self.delay)
        if self.fail_on and any(self.fail_on in t for t in texts):
            raise RuntimeError("model exploded")
        return super().respond(texts)
