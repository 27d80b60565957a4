"""SubRip (.srt): each cue's text translated, its number and timing line byte for byte.

A cue's lines are translated together (a subtitle's line break is layout, not a sentence
end) and the English is broken into as many lines as the cue had, at the spaces nearest
to even lengths. Inline tags (<i>, <b>, <font>) are HTML to the translation.
"""

from __future__ import annotations

import re

from service.documents.types import CorruptDocument, Translators, as_text, decode

_TIMING = re.compile(r"^\s*\d+:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d+:\d{2}:\d{2}[,.]\d{1,3}.*$")
_BLANK = re.compile(r"\n[ \t]*\n")


async def translate_srt(data: bytes, translate: Translators) -> bytes:
    text = decode(data, ".srt")
    newline = "\r\n" if "\r\n" in text else "\n"
    blocks = [b for b in _BLANK.split(text.replace("\r\n", "\n").strip("\n")) if b.strip()]
    cues: list[tuple[list[str], list[str]]] = []  # (number and timing lines, text lines)
    for number, block in enumerate(blocks, 1):
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines[:2]) if _TIMING.match(line)), None)
        if at is None:
            raise CorruptDocument(
                f"The .srt file's cue {number} has no timing line "
                "(`00:00:01,000 --> 00:00:02,000`) where one belongs: it is not SubRip."
            )
        cues.append((lines[: at + 1], lines[at + 1 :]))
    sources = [" ".join(line.strip() for line in body) for _, body in cues]
    todo = [s for s in dict.fromkeys(sources) if s]
    done = await translate.html(todo) if todo else []
    english = {s: as_text(e) for s, e in zip(todo, done, strict=True)}
    out = []
    for (head, body), source in zip(cues, sources, strict=True):
        lines = _rewrap(english[source], len(body)) if source else body
        out.append(newline.join(head + lines))
    return (newline * 2).join(out).encode() + newline.encode()


def _rewrap(text: str, lines: int) -> list[str]:
    """`text` in `lines` lines of near-equal length, broken at spaces outside tags."""
    words = re.split(r" (?![^<]*>)", text)
    if lines <= 1 or len(words) < lines:
        return [text]
    out: list[str] = []
    rest = words
    for left in range(lines, 1, -1):
        target = len(" ".join(rest)) / left
        size, best = 0, 1
        for i in range(1, len(rest) - left + 2):
            size = len(" ".join(rest[:i]))
            if abs(size - target) < abs(len(" ".join(rest[:best])) - target):
                best = i
        out.append(" ".join(rest[:best]))
        rest = rest[best:]
    out.append(" ".join(rest))
    return out
