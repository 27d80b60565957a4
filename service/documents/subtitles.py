"""SubRip (.srt): each cue's text translated, its number and timing line byte for byte.

A cue's lines are translated together (a subtitle's line break is layout, not a sentence
end) and the English is broken into as many lines as the cue had, at the spaces nearest
to even lengths — unless they are lines of dialogue (each starts with "-"): those are
translated one by one. Inline tags (<i>, <b>, <font>) are HTML to the translation.
"""

from __future__ import annotations

import re

from service.documents.budget import Budget
from service.documents.types import CorruptDocument, Translators, as_text, decode
from service.documents.wrap import rewrap

_TIMING = re.compile(
    r"^[ \t]*+\d+:\d{2}:\d{2}[,.]\d{1,3}[ \t]*+-->[ \t]*+\d+:\d{2}:\d{2}[,.]\d{1,3}"
)
_BLANK = re.compile(r"\n[ \t]*+\n")

Cue = tuple[list[str], list[str]]  # (number and timing lines, text lines)


async def translate_srt(data: bytes, translate: Translators) -> bytes:
    cues, newline = await translate.cpu(lambda: _cues(data, translate.budget), len(data))
    todo = list(dict.fromkeys(t for _, body in cues for t in _texts(body) if t))
    done = await translate.html(todo) if todo else []
    english = {s: as_text(e) for s, e in zip(todo, done, strict=True)}
    return await translate.cpu(lambda: _write(cues, english, newline), len(data))


def _cues(data: bytes, budget: Budget) -> tuple[list[Cue], str]:
    budget.unpacked(len(data), ".srt file")
    text = decode(data, ".srt")
    newline = "\r\n" if "\r\n" in text else "\n"
    blocks = [b for b in _BLANK.split(text.replace("\r\n", "\n").strip("\n")) if b.strip()]
    cues: list[Cue] = []
    for number, block in enumerate(blocks, 1):
        lines = block.split("\n")
        budget.piece(len(lines))  # the cue and its lines
        at = next((i for i, line in enumerate(lines[:2]) if _TIMING.match(line)), None)
        if at is None:
            raise CorruptDocument(
                f"The .srt file's cue {number} has no timing line "
                "(`00:00:01,000 --> 00:00:02,000`) where one belongs: it is not SubRip."
            )
        cues.append((lines[: at + 1], lines[at + 1 :]))
        for line in lines[at + 1 :]:
            budget.text(line)
    return cues, newline


def _dialogue(body: list[str]) -> bool:
    return len(body) > 1 and all(line.lstrip().startswith(("-", "–")) for line in body)


def _texts(body: list[str]) -> list[str]:
    if _dialogue(body):
        return [line.strip() for line in body]
    return [" ".join(line.strip() for line in body if line.strip())]


def _write(cues: list[Cue], english: dict[str, str], newline: str) -> bytes:
    out = []
    for head, body in cues:
        texts = _texts(body)
        if _dialogue(body):
            lines = [english.get(t, t) for t in texts]
        elif texts[0]:
            lines = rewrap(english[texts[0]], len(body))
        else:
            lines = body
        out.append(newline.join(head + lines))
    return ((newline * 2).join(out) + newline).encode()
