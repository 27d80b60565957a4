"""Whole documents in, whole documents out: the text room on either side of the scheduler.

prepare:  texts → normalise → layout (sentences + glue) → unique sentences → cache
          → encode once → split the over-long at clause or word boundaries → rows
rebuild:  English for each row → each document put back around its original glue
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from service.errors import LimitExceeded
from service.pipeline.cache import SentenceCache
from service.pipeline.types import Segment, TranslationResult
from service.runtime.backend import Backend, Tokens
from service.text.layout import Piece, layout
from service.text.normalize import normalize_text
from service.text.split_long import split_to_fit
from service.text.warnings import segment_warnings


@dataclass(slots=True)
class _Sentence:
    piece: Piece
    parts: list[str]  # what goes to the model: the sentence, or its pieces when too long
    glue: list[str] = field(default_factory=list)  # whitespace between consecutive parts


@dataclass(slots=True)
class Prepared:
    docs: list[list[Piece]]
    sentences: list[list[_Sentence]]
    known: dict[str, str]  # parts already translated (sentence cache)
    todo: list[str]  # parts to translate, each once
    rows: list[Tokens]  # their tokens, in the same order


def prepare(
    texts: list[str],
    backend: Backend,
    *,
    beam_size: int,
    max_segment_tokens: int,
    max_parts: int | None,
    cache: SentenceCache | None,
) -> Prepared:
    docs = [layout(normalize_text(t)) for t in texts]
    sentences = [[_Sentence(p, [p.text]) for p in doc if p.kind == "sentence"] for doc in docs]
    flat = [s for doc in sentences for s in doc]
    _check_parts(len(flat), max_parts)  # before any tokenising: splitting only adds parts
    unique = list(dict.fromkeys(s.piece.text for s in flat))  # boilerplate repeated: once
    known = cache.get_many(beam_size, unique) if cache else {}
    misses = [u for u in unique if u not in known]
    # Each sentence is tokenised once, here; the scheduler and the backend reuse the tokens.
    tokens: dict[str, Tokens] = dict(zip(misses, backend.encode(misses), strict=True))

    def count(text: str) -> int:  # only over-long sentences get here, for their pieces
        if text not in tokens:
            tokens[text] = backend.encode([text])[0]
        return len(tokens[text])

    limit = min(max_segment_tokens, backend.max_input_tokens)
    pieces: list[str] = []
    for sentence in flat:
        text = sentence.piece.text
        if text in known or len(tokens[text]) <= limit:
            continue
        spans = split_to_fit(text, count, limit)
        sentence.parts = [text[a:b] for a, b in spans]
        sentence.glue = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
        pieces.extend(sentence.parts)
    _check_parts(sum(len(s.parts) for s in flat), max_parts)
    if pieces and cache:
        known |= cache.get_many(beam_size, [p for p in dict.fromkeys(pieces) if p not in known])
    parts = dict.fromkeys(part for s in flat for part in s.parts)
    todo = [p for p in parts if p not in known]
    return Prepared(docs, sentences, known, todo, [tokens[p] for p in todo])


def _check_parts(parts: int, limit: int | None) -> None:
    if limit is not None and parts > limit:
        raise LimitExceeded(
            f"The text holds {parts:,} sentences (counting pieces of over-long ones); "
            f"this server translates at most {limit:,} per request "
            "(ROEN_MAX_SEGMENTS). Split the text into several requests.",
            limit=limit,
            actual=parts,
        )


def rebuild(
    prepared: Prepared, english: dict[str, str], not_romanian: Callable[[str], bool]
) -> list[TranslationResult]:
    """`english` maps every part of `prepared` (known and translated) to its translation;
    `not_romanian` tells a text (and a sentence) that is clearly in another language."""
    results = []
    for doc, sentences in zip(prepared.docs, prepared.sentences, strict=True):
        result = _rebuild(doc, sentences, english, not_romanian)
        if not_romanian(result.source):
            result = replace(result, warnings=("not_romanian",))
        results.append(result)
    return results


def _rebuild(
    doc: list[Piece],
    sentences: list[_Sentence],
    english: dict[str, str],
    not_romanian: Callable[[str], bool],
) -> TranslationResult:
    out: list[str] = []
    segments: list[Segment] = []
    todo = iter(sentences)
    for piece in doc:
        if piece.kind == "glue":
            out.append(piece.text)
            continue
        warnings: tuple[str, ...] = ()
        if piece.kind == "verbatim":
            target = piece.text
        else:
            sentence = next(todo)
            target = english[sentence.parts[0]]
            for glue, part in zip(sentence.glue, sentence.parts[1:], strict=True):
                target += (glue or " ") + english[part]
            warnings = segment_warnings(piece.text, target, split=len(sentence.parts) > 1)
            if not_romanian(piece.text):
                warnings += ("not_romanian",)
        out.append(target)
        segments.append(Segment(piece.text, target, piece.paragraph, warnings))
    return TranslationResult("".join(out), segments, "".join(p.text for p in doc))
