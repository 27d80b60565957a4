"""Text broken into a given number of lines of near-equal length (a subtitle cue, a
soft-wrapped Markdown paragraph), at spaces that are not inside a tag."""

from __future__ import annotations

import re
from itertools import accumulate

_TAG = re.compile(r"<[^<>]{0,200}>")


def rewrap(text: str, lines: int) -> list[str]:
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
