"""What a document format needs from the pipeline: a way to translate many pieces of plain
text or of HTML at once (one batch, one set of limits for the whole document), a worker
thread for its CPU work, and the budget it counts what it reads against; and the steps
every format takes with them (each distinct piece translated once, the English written
back piece by piece)."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from service.documents.budget import Budget
from service.errors import InputError
from service.text.markup import runs

# pieces of text (or of HTML) → their English, in order
Translate = Callable[[list[str]], Awaitable[list[str]]]
# (work, size) → its result, computed off the event loop (for a document, whatever its size)
OffLoop = Callable[[Callable[[], Any], int], Awaitable[Any]]
# A letter: a piece without one (a number, a date, a dash) is never sent to translation.
_LETTER = re.compile(r"[^\W\d_]")
# How many pieces are written back between looks at whether the request has ended.
_CHECK_EVERY = 256


@dataclass(frozen=True, slots=True)
class Translators:
    text: Translate
    html: Translate
    cpu: OffLoop  # each format reads and rebuilds its file through this: a worker thread
    budget: Budget  # what the format reads is counted here, as it reads it


class CorruptDocument(InputError):
    title = "Unreadable document"


class Piece(Protocol):
    """A piece of a document: what is sent (`html`, or plain text), and how its English is
    written back in its place."""

    @property
    def html(self) -> str: ...

    def write(self, english: str) -> None: ...


def has_letter(text: str) -> bool:
    return _LETTER.search(text) is not None


async def translate_all(pieces: Iterable[str], translate: Translate) -> dict[str, str]:
    """Each distinct piece's English, all in one call (`translate.html` or `translate.text`):
    a paragraph repeated a thousand times is sent once."""
    todo = list(dict.fromkeys(pieces))
    return dict(zip(todo, await translate(todo), strict=True)) if todo else {}


def write_all(pieces: Iterable[Piece], english: Mapping[str, str], budget: Budget) -> None:
    """Each piece's English written back, in order; between pieces, a request that has ended
    stops the rebuilding for nobody."""
    for n, piece in enumerate(pieces):
        if n % _CHECK_EVERY == 0:
            budget.check()
        piece.write(english[piece.html])


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
