"""Checks on translated HTML that more than one test makes (the API's, the documents', the
clients' and the model's): every tag, attribute and never-translated byte kept, nested as it
was, and — with the word-for-word fake (harness.fakes.WordMark) — every word translated
once. And the soup of pieces that property tests build markup from."""

from __future__ import annotations

import re
from collections import Counter

from service.text.html_blocks import Block, blocks
from service.text.markup import VOID, runs
from tests.support.fakes import COPIED

# Pieces of tag soup: every property over markup is tried on strings of them.
SOUP = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<br>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    '<span translate="no">',
    "</span>",
    "&amp;",
    "&lt;",
    "<",
    ">",
    '"',
    "text ",
    "ș",
]

_LETTERS = re.compile(r"[^\W\d_]+")
_MARKED = re.compile(r"([^\W\d_]+)-en")


def assert_kept(source: str, out: str) -> None:
    """The structure kept (below), and every word translated once (the fake marks each),
    none lost, none added."""
    assert_structure_kept(source, out)
    # Block by block (their boundaries are the source's): the words as a reader sees them
    # (a tag inside a word does not split it), or — for a block translated run by run —
    # the words of each run.
    src_blocks = [b for b in blocks(source) if isinstance(b, Block)]
    dst_blocks = [b for b in blocks(out) if isinstance(b, Block)]
    assert len(src_blocks) == len(dst_blocks)
    for a, b in zip(src_blocks, dst_blocks, strict=True):
        if Counter(letter_words(_LETTERS, said(a))) != Counter(letter_words(_MARKED, said(b))):
            assert run_words(a, _LETTERS) == run_words(b, _MARKED), (a.text, b.text)


def said(block: Block) -> str:
    """A block's text without what is never translated inside it (opaque elements) and
    without what the fake copies."""
    text, pos = [], 0
    for span in block.spans:
        if span.opaque and span.start >= pos:
            text.append(block.text[pos : span.start])
            pos = span.end
    text.append(block.text[pos:])
    return re.sub(COPIED, " ", " ".join(text))


def assert_structure_kept(source: str, out: str) -> None:
    """Every element, attribute and never-translated byte kept, nested as it was; balanced
    if the source was."""
    src, dst = runs(source), runs(out)
    assert Counter(tags(src)) == Counter(tags(dst))
    assert [r.raw for r in src if r.skip] == [r.raw for r in dst if r.skip]
    assert Counter(parents(source)) == Counter(parents(out))
    if balanced(source):
        assert balanced(out)


def run_words(block: Block, words: re.Pattern[str]) -> Counter[str]:
    texts = [re.sub(COPIED, " ", r.text) for r in block.runs if r.text]
    return Counter(w for text in texts for w in letter_words(words, text))


def letter_words(words: re.Pattern[str], text: str) -> list[str]:
    """(Text with no letter — "¼", "2026" — is never sent to the model.)"""
    return [w for w in words.findall(text) if any(ch.isalpha() for ch in w)]


def tags(pieces) -> list[str]:
    return [r.raw for r in pieces if r.kind in ("open", "close", "void")]


def parents(markup: str) -> list[tuple[str, str]]:
    """(parent tag, child tag) for every element: the nesting, whatever the order."""
    stack: list[str] = []
    out = []
    for r in runs(markup):
        if r.kind in ("open", "void"):
            out.append((stack[-1] if stack else "", r.raw))
            if r.kind == "open" and r.name not in VOID:
                stack.append(r.raw)
        elif r.kind == "close" and stack:
            stack.pop()
    return out


def balanced(markup: str) -> bool:
    stack: list[str] = []
    for r in runs(markup):
        if r.kind == "open":
            stack.append(r.name)
        elif r.kind == "close" and (not stack or stack.pop() != r.name):
            return False
    return not stack
