"""Benchmark inputs from the shared WMT16 data: single sentences and whole articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

_CLOSED = re.compile(r"[.!?…”\"»)]$")


# `../shared/data` beside the checkout (where CI and developers have it).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def sgm_articles(path: Path) -> list[str]:
    """Each <doc> as plain text: <p> paragraphs separated by blank lines; a <seg> without
    closing punctuation (a headline) on its own line, as a real article has it."""
    articles = []
    for doc in re.findall(r"<doc[^>]*>(.*?)</doc>", path.read_text(encoding="utf-8"), re.S):
        paragraphs = []
        for para in re.findall(r"<p>(.*?)</p>", doc, re.S):
            text = ""
            for seg in (s.strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", para, re.S)):
                text += seg + (" " if _CLOSED.search(seg) else "\n")
            paragraphs.append(text.strip())
        articles.append("\n\n".join(paragraphs))
    return articles


def sentences_in_range(
    path: Path,
    count_tokens: Callable[[list[str]], list[int]],
    lo: int,
    hi: int,
    n: int,
    from_line: int = 0,
) -> list[str]:
    found = path.read_text(encoding="utf-8").splitlines()[from_line:]
    lines = [x.strip() for x in found if x.strip()]
    counts = count_tokens(lines)
    return [s for s, c in zip(lines, counts, strict=True) if lo <= c <= hi][:n]


def glossary_entries(paths: list[Path], n: int = 1000) -> str:
    """A newsroom-sized glossary as TSV: the `n` most frequent capitalised words and word
    pairs inside sentences (names, institutions, places) of the data, each kept as itself
    without diacritics — so that the benchmark's sentences hold many matches, as news does."""
    from collections import Counter

    from service.terms.romanian import fold

    found: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            words = re.findall(r"[^\W\d_]+", line)[1:]  # the first word is capitalised anyway
            for a, b in zip(words, [*words[1:], ""][: len(words)], strict=True):
                if a[:1].isupper() and len(a) > 2:
                    found[a] += 1
                    if b[:1].isupper() and len(b) > 2:
                        found[f"{a} {b}"] += 1
    entries: dict[str, str] = {}
    for term, _ in found.most_common():
        key = fold(term)
        if key not in entries:
            entries[key] = f"{term}\t{fold(term).title()}"
        if len(entries) == n:
            break
    return "\n".join(entries.values()) + "\n"
