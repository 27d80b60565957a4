"""SubRip (.srt): each cue's text translated, its number and timing line byte for byte.

A cue's lines are translated together (a subtitle's line break is layout, not a sentence
end) and the English is broken into as many lines as the cue had, at the spaces nearest
to even lengths — unless they are lines of dialogue (each starts with "-"): those are
translated one by one. Inline tags (<i>, <b>, <font>) are HTML to the translation.
"""

from __future__ import annotations

import re
from itertools import accumulate

from service.documents.types import CorruptDocument, Translators, as_text, decode

_TIMING = re.compile(
    r"^[ \t]*+\d+:\d{2}:\d{2}[,.]\d{1,3}[ \t]*+-->[ \t]*+\d+:\d{2}:\d{2}[,.]\d{1,3}"
)
_BLANK = re.compile(r"\n[ \t]*+\n")
_TAG = re.compile(r"<[^<>]{0,200}>")

Cue = tuple[list[str], list[str]]  # (number and timing lines, text lines)


async def translate_srt(data: bytes, translate: Translators) -> bytes:
    cues, newline = await translate.cpu(lambda: _cues(data), len(data))
    todo = list(dict.fromkeys(t for _, body in cues for t in _texts(body) if t))
    done = await translate.html(todo) if todo else []
    english = {s: as_text(e) for s, e in zip(todo, done, strict=True)}
    return await translate.cpu(lambda: _write(cues, english, newline), len(data))


def _cues(data: bytes) -> tuple[list[Cue], str]:
    text = decode(data, ".srt")
    newline = "\r\n" if "\r\n" in text else "\n"
    blocks = [b for b in _BLANK.split(text.replace("\r\n", "\n").strip("\n")) if b.strip()]
    cues: list[Cue] = []
    for number, block in enumerate(blocks, 1):
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines[:2]) if _TIMING.match(line)), None)
        if at is None:
            raise CorruptDocument(
                f"The .srt file's cue {number} has no timing line "
                "(`00:00:01,000 --> 00:00:02,000`) where one belongs: it is not SubRip."
            )
        cues.append((lines[: at + 1], lines[at + 1 :]))
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
            lines = _rewrap(english[texts[0]], len(body))
        else:
            lines = body
        out.append(newline.join(head + lines))
    return ((newline * 2).join(out) + newline).encode()


def _rewrap(text: str, lines: int) -> list[str]:
    """`text` in `lines` lines of near-equal length, broken at spaces outside tags. Linear
    in the text (prefix sums), however long a cue is."""
    words = _words(text)
    if lines <= 1 or len(words) < lines:
        return [text]
    ends = list(accumulate(len(w) + 1 for w in words))  # ends[i]: length of words[: i + 1] + 1
    out: list[str] = []
    start = 0
    for left in range(lines, 1, -1):
        done = ends[start - 1] if start else 0
        target = done + (ends[-1] - done) / left
        last = len(words) - left  # leave at least one word for each line still to come
        cut = start
        while cut < last and abs(ends[cut + 1] - target) <= abs(ends[cut] - target):
            cut += 1
        out.append(" ".join(words[start : cut + 1]))
        start = cut + 1
    out.append(" ".join(words[start:]))
    return out


def _words(text: str) -> list[str]:
    """The text split at spaces that are not inside a tag."""
    tags = [m.span() for m in _TAG.finditer(text)]
    words, start, t = [], 0, 0
    for i, ch in enumerate(text):
        while t < len(tags) and tags[t][1] <= i:
            t += 1
        inside = t < len(tags) and tags[t][0] <= i < tags[t][1]
        if ch == " " and not inside:
            words.append(text[start:i])
            start = i + 1
    words.append(text[start:])
    return [w for w in words if w]
