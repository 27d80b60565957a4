"""A document as a lossless sequence of pieces: sentences to translate and the glue between.

Concatenating every piece's text gives back the normalised input exactly, so the
translation is rebuilt by swapping each sentence for its English and keeping the glue
(line breaks, blank lines, indentation, the spaces between sentences) as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.segment import sentence_spans

_URL_OR_EMAIL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$", re.I
)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    kind: str  # "sentence": goes to the model; "verbatim": kept as is; "glue": whitespace
    paragraph: int  # index of the paragraph it belongs to (blank lines separate paragraphs)
    line: int  # index of the line in the document


def _sentence_kind(sentence: str) -> str:
    # Text with no letter ("***", "2026", "—") or a lone URL/e-mail would only be
    # garbled by the model: it is a segment, but it passes through unchanged.
    if not any(ch.isalpha() for ch in sentence) or _URL_OR_EMAIL.match(sentence):
        return "verbatim"
    return "sentence"


def layout(text: str) -> list[Piece]:
    """Pieces of an already normalised text (LF line endings)."""
    pieces: list[Piece] = []
    paragraph = 0
    seen_text_in_paragraph = False
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            pieces.append(Piece("\n", "glue", paragraph, line_no - 1))
        if not line.strip():
            if seen_text_in_paragraph:
                paragraph += 1
                seen_text_in_paragraph = False
            if line:
                pieces.append(Piece(line, "glue", paragraph, line_no))
            continue
        seen_text_in_paragraph = True
        pos = 0
        for start, end in sentence_spans(line):
            if start > pos:
                pieces.append(Piece(line[pos:start], "glue", paragraph, line_no))
            sentence = line[start:end]
            pieces.append(Piece(sentence, _sentence_kind(sentence), paragraph, line_no))
            pos = end
        if pos < len(line):
            pieces.append(Piece(line[pos:], "glue", paragraph, line_no))
    return pieces


# A blank line is any line of whitespace only, as in layout(): [^\S\n] is "space but not \n".
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def paragraphs(text: str) -> list[str]:
    """The paragraphs that hold text (blank lines separate them), in order."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text) if p.strip()]


def paragraph_count(text: str) -> int:
    return len(paragraphs(text))
