"""Split a sentence that is too long for the model into pieces that fit, losing nothing.

Preference: clause punctuation (; : , – —) near the middle, then whitespace near the
middle, then (a single "word" longer than the limit) a hard cut. Halving keeps the pieces
balanced, so no piece is a tiny tail with no context.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CLAUSE = re.compile(r"(?:[;:,]|\s[–—-])(?=\s)")
_SPACE = re.compile(r"\s+")


def best_cut(text: str) -> tuple[int, int]:
    """(end of left part, start of right part); whitespace between them is dropped to glue."""
    mid = len(text) / 2
    lo, hi = len(text) * 0.25, len(text) * 0.75
    clause = [m.end() for m in _CLAUSE.finditer(text) if lo <= m.end() <= hi]
    if clause:
        cut = min(clause, key=lambda p: abs(p - mid))
        right = cut
        while right < len(text) and text[right].isspace():
            right += 1
        return cut, right
    spaces = [m.span() for m in _SPACE.finditer(text.strip()) if m.start() > 0]
    offset = len(text) - len(text.lstrip())
    if spaces:
        a, b = min(spaces, key=lambda s: abs(s[0] - mid + offset))
        return a + offset, b + offset
    return int(mid), int(mid)


def split_to_fit(
    sentence: str, count_tokens: Callable[[str], int], max_tokens: int
) -> list[tuple[int, int]]:
    """Spans of `sentence` that each count at most `max_tokens` (or are single characters)."""
    spans: list[tuple[int, int]] = []

    def visit(a: int, b: int) -> None:
        part = sentence[a:b]
        if b - a <= 1 or count_tokens(part) <= max_tokens:
            spans.append((a, b))
            return
        left_end, right_start = best_cut(part)
        left_end = max(1, min(left_end, b - a - 1))
        right_start = max(left_end, right_start)
        visit(a, a + left_end)
        visit(a + right_start, b)

    visit(0, len(sentence))
    return spans
