"""What one document may cost, counted while it is read — before any markup is built from it.

A document's size on the wire says little: 1.4 KB of .docx held 50,000 runs, 92 KB unpacked
to 60 MB, 26 KB held 2,000,000 characters of one repeated sentence. So each format counts
what it actually walks, as it walks it:

- `unpacked`: the bytes of XML (or text) a document unpacks to, before any of it is parsed;
- `tags`: markup tags in that XML or HTML (counted as `<`, an upper bound, before parsing);
- `pieces`: paragraphs, runs, table cells, lines and cues walked;
- `text`: characters of text as they occur, before identical pieces are merged.

Over a cap: LimitExceeded (413) naming the cap and its setting, at once. Between pieces the
walk also checks whether its request has ended (answered, timed out, its client gone), so a
worker thread never goes on for nobody.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from service.errors import LimitExceeded

# How often (in pieces) a walk looks at whether its request has ended.
_CHECK_EVERY = 256


class Abandoned(Exception):
    """The request ended while its document was being read or rebuilt: stop. Nobody awaits
    this (the request is gone), so it carries no message."""


@dataclass(frozen=True, slots=True)
class DocumentCaps:
    max_unpacked_bytes: int = 8 << 20
    max_parts: int = 1_000
    max_tags: int = 300_000
    max_pieces: int = 50_000
    max_chars: int | None = 100_000


class Budget:
    """One document's running counts against its caps; `cancelled` is set when the request
    that asked for it has ended."""

    def __init__(self, caps: DocumentCaps, cancelled: threading.Event | None = None) -> None:
        self.caps = caps
        self.cancelled = cancelled or threading.Event()
        self.pieces = 0
        self.chars = 0
        self.packaged = False  # a package was opened: its parse leaves cycles to collect

    def unpacked(self, size: int, what: str) -> None:
        _hold(
            size,
            self.caps.max_unpacked_bytes,
            f"The {what} unpacks to {size:,} bytes of text and markup; roen reads at most "
            "{cap:,} per document (ROEN_MAX_DOCUMENT_UNPACKED_BYTES).",
        )

    def parts(self, count: int, what: str) -> None:
        _hold(
            count,
            self.caps.max_parts,
            f"The {what} holds {count:,} files; roen reads at most {{cap:,}} "
            "(ROEN_MAX_DOCUMENT_PARTS).",
        )

    def tags(self, count: int, what: str) -> None:
        _hold(
            count,
            self.caps.max_tags,
            f"The {what} holds {count:,} or more markup tags; roen reads at most {{cap:,}} "
            "per document (ROEN_MAX_DOCUMENT_TAGS).",
        )

    def piece(self, count: int = 1) -> None:
        """`count` more paragraphs, runs, cells, lines or cues walked."""
        before = self.pieces
        self.pieces += count
        _hold(
            self.pieces,
            self.caps.max_pieces,
            "The document holds more than {cap:,} paragraphs, runs, table cells, lines or "
            "subtitles; roen reads at most that many per document (ROEN_MAX_DOCUMENT_PIECES).",
        )
        if before // _CHECK_EVERY != self.pieces // _CHECK_EVERY:
            self.check()

    def text(self, text: str) -> None:
        """Text as it occurs in the document (a repeated sentence counts every time)."""
        self.chars += len(text)
        _hold(
            self.chars,
            self.caps.max_chars,
            "The document holds more than {cap:,} characters of text; this server accepts "
            "at most {cap:,} per request (ROEN_MAX_CHARS). Split it into several documents.",
        )

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Abandoned


def _hold(count: int, cap: int | None, detail: str) -> None:
    """A 413 when `count` is over `cap`; `detail` names the cap as `{cap}`."""
    if cap is not None and count > cap:
        raise LimitExceeded(detail.format(cap=cap), limit=cap, actual=count)


def count_tags(chunks: bytes | str, budget: Budget, what: str, seen: int = 0) -> int:
    """Tags so far (`seen`) plus those in `chunks`, held to the cap."""
    found = seen + (chunks.count(b"<") if isinstance(chunks, bytes) else chunks.count("<"))
    budget.tags(found, what)
    return found
