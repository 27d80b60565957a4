"""What one request may hold, checked before any model work (413 / 422, never a silent cut)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from service.errors import EmptyInput, InputError, LimitExceeded
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Checked:
    """Texts that passed a request's limits: what the model path takes, so that nothing
    downstream is told (or trusts a flag saying) that they were checked."""

    texts: list[str]


@dataclass(frozen=True, slots=True)
class Limits:
    max_chars: int | None = None  # all texts of a request together
    max_texts: int | None = None
    max_segments: int | None = None  # sentences, counting pieces of split ones
    require_text: bool = True  # an API call with nothing to do is a mistake; an empty file not
    max_summary_sentences: int | None = None  # English sentences one summary reads

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.max_chars,
            settings.max_texts,
            settings.max_segments,
            max_summary_sentences=settings.max_summary_sentences,
        )

    def check_summary(self, sentences: int) -> None:
        limit = self.max_summary_sentences
        if limit is not None and sentences > limit:
            raise LimitExceeded(
                f"The text holds {sentences:,} sentences; this server summarises at most "
                f"{limit:,} per request (ROEN_MAX_SUMMARY_SENTENCES).",
                limit=limit,
                actual=sentences,
            )

    def check(self, texts: list[str]) -> Checked:
        if self.max_texts is not None and len(texts) > self.max_texts:
            raise LimitExceeded(
                f"{len(texts)} texts in one request; "
                f"the limit is {self.max_texts} (ROEN_MAX_TEXTS).",
                limit=self.max_texts,
                actual=len(texts),
            )
        total = sum(len(t) for t in texts)
        if self.max_chars is not None and total > self.max_chars:
            raise LimitExceeded(
                f"The request holds {total:,} characters; this server accepts at most "
                f"{self.max_chars:,} per request (ROEN_MAX_CHARS). "
                "Split the text into several requests.",
                limit=self.max_chars,
                actual=total,
            )
        if self.require_text and not any(t.strip() for t in texts):
            raise EmptyInput("There is no text to process: send non-empty `text`.")
        for t in texts:
            check_characters(t)
        return Checked(texts)

    def check_together(self, parts: list[str]) -> Checked:
        """A document's pieces, held to the limits as the one text they make."""
        self.check(["\n".join(parts)])
        return Checked(parts)


def check_characters(text: str) -> None:
    """Control characters (NUL, escape, C1) and lone surrogates cannot be translated or
    safely echoed; refuse them by name rather than let them reach the model or a log.
    Tabs and line breaks are structure; zero-width, bidi marks and emoji pass through."""
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in "\t\n\r") or cat == "Cs":
            raise InputError(
                f"The text contains the control character U+{ord(ch):04X} at position {i}; "
                "remove it and send the text again."
            )
