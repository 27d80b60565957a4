"""What a document format needs from the pipeline: a way to translate many pieces of plain
text or of HTML at once (one batch, one set of limits for the whole document), a worker
thread for its CPU work, and the budget it counts what it reads against."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from service.documents.budget import Budget
from service.errors import InputError
from service.text.markup import runs

# pieces of text (or of HTML) → their English, in order
Translate = Callable[[list[str]], Awaitable[list[str]]]
# (work, size) → its result, computed off the event loop (for a document, whatever its size)
OffLoop = Callable[[Callable[[], Any], int], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Translators:
    text: Translate
    html: Translate
    cpu: OffLoop  # each format reads and rebuilds its file through this: a worker thread
    budget: Budget  # what the format reads is counted here, as it reads it


class CorruptDocument(InputError):
    title = "Unreadable document"


def decode(data: bytes, kind: str) -> str:
    """A text format's bytes: UTF-8 (a BOM is dropped), or a 422 saying what is wrong."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise CorruptDocument(
            f"The {kind} file is not UTF-8 text (byte {err.start} cannot be read); save it "
            "as UTF-8 and send it again."
        ) from None


def as_text(markup: str) -> str:
    """HTML that came back from translation, as the format's own text: its tags kept, its
    text unescaped (a subtitle or Markdown shows `&`, not `&amp;`)."""
    return "".join(html.unescape(r.raw) if r.kind == "text" else r.raw for r in runs(markup))
