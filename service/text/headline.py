"""A headline from an article's first sentence: as it is when it is short (a title line),
else cut to fit a heading — at a clause boundary when there is one, at a word otherwise."""

from __future__ import annotations

import re

LIMIT = 100  # characters: a heading that fits two lines of a phone screen
_CLAUSE_END = re.compile(r"[,;:–—](?=\s)|\s[-–—]\s")


def headline(sentence: str, limit: int = LIMIT) -> str:
    text = " ".join(sentence.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    clauses = [m.start() for m in _CLAUSE_END.finditer(head) if m.start() >= limit * 0.4]
    if clauses:
        return head[: clauses[-1]].rstrip() + "…"
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:limit]).rstrip(",;: ") + "…"
