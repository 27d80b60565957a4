"""Texts to rows for the model and back: the text room on either side of the scheduler.
(Files are `service/documents`; this is about the sentences of any text.)

encode_texts:  texts → normalise → layout (sentences + glue) → terms masked (service/terms)
               → unique sentences → cache → encode once → split the over-long at
               clause or word boundaries → rows
rebuild:       English for each row → terms restored → each document put back around its
               original glue
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from service.errors import LimitExceeded
from service.pipeline.cache import SentenceCache
from service.pipeline.types import Segment, TranslationResult
from service.runtime.backend import Backend, Output, Tokens
from service.terms.apply import Masked, Terms
from service.text.layout import Piece, layout
from service.text.normalize import normalize_text
from service.text.split_long import split_to_fit
from service.text.warnings import segment_warnings

MASKED_SLACK = 2_000  # characters a short text's terms may add beyond twice its length


@dataclass(slots=True)
class _Sentence:
    piece: Piece
    masked: Masked  # the sentence as the model reads it: its terms and spans masked
    parts: list[str]  # what goes to the model: the masked sentence, or its pieces
    glue: list[str] = field(default_factory=list)  # whitespace between consecutive parts


@dataclass(slots=True)
class Encoded:
    """What a request's texts became for the model, with the decoding it asked for."""

    docs: list[list[Piece]]
    sentences: list[list[_Sentence]]
    known: dict[str, Output]  # parts already translated (sentence cache)
    todo: list[str]  # parts to translate, each once
    rows: list[Tokens]  # their tokens, in the same order
    terms: Terms  # what restores each sentence's kept terms and spans
    beam_size: int  # how its rows are decoded (and which cache entries answer them)
    hypotheses: int = 1  # 1 + the alternatives asked for (then the cache is not read)


def encode_texts(
    texts: list[str],
    backend: Backend,
    *,
    beam_size: int,
    max_segment_tokens: int,
    max_parts: int | None,
    cache: SentenceCache | None,
    terms: Terms,
    hypotheses: int = 1,
) -> Encoded:
    docs = [layout(normalize_text(t)) for t in texts]
    sentences = [
        [_Sentence(p, m := terms.mask(p.text), [m.text]) for p in doc if p.kind == "sentence"]
        for doc in docs
    ]
    flat = [s for doc in sentences for s in doc]
    _check_parts(len(flat), max_parts)  # before any tokenising: splitting only adds parts
    _check_masked(sum(len(s.piece.text) for s in flat), sum(len(s.masked.text) for s in flat))
    # The cache and the model see the masked text: under another glossary it differs.
    unique = list(dict.fromkeys(s.masked.text for s in flat))  # boilerplate repeated: once
    if hypotheses > 1:  # the cache keeps no alternatives: decoded afresh
        cache = None
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
        text = sentence.masked.text
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
    rows = [tokens[p] for p in todo]
    return Encoded(docs, sentences, known, todo, rows, terms, beam_size, hypotheses)


def _check_masked(source: int, masked: int) -> None:
    """A glossary's English stands in for its terms: twice the text's length at most, so
    that the limits (counted on the source) still bound what the model reads."""
    if masked > 2 * source + MASKED_SLACK:
        raise LimitExceeded(
            f"With the glossary's English in place of its terms the text is {masked:,} "
            f"characters, more than twice its {source:,}: shorten the glossary's English "
            "or the text.",
            limit=2 * source + MASKED_SLACK,
            actual=masked,
        )


def _check_parts(parts: int, limit: int | None) -> None:
    if limit is not None and parts > limit:
        raise LimitExceeded(
            f"The text holds {parts:,} sentences (counting pieces of over-long ones); "
            f"this server translates at most {limit:,} per request "
            "(ROEN_MAX_SEGMENTS). Split the text into several requests.",
            limit=limit,
            actual=parts,
        )


def assemblers(encoded: Encoded, not_romanian: Callable[[str], bool]) -> list[Assembler]:
    return [
        Assembler(doc, sentences, not_romanian, encoded.terms)
        for doc, sentences in zip(encoded.docs, encoded.sentences, strict=True)
    ]


def rebuild(
    encoded: Encoded, english: dict[str, Output], not_romanian: Callable[[str], bool]
) -> list[TranslationResult]:
    """`english` maps every part of `encoded` (known and translated) to its translation;
    `not_romanian` tells a text (and a sentence) that is clearly in another language."""
    docs = assemblers(encoded, not_romanian)
    for doc in docs:
        doc.ready(english)
    return [doc.result() for doc in docs]


class Assembler:
    """One encoded text put back together, segment by segment in document order, as
    the English of their parts arrives: `ready(english)` gives the segments completed since
    the last call (a stream shows each once it and every one before it are done);
    `result()` puts the whole text back around its original glue."""

    def __init__(
        self,
        doc: list[Piece],
        sentences: list[_Sentence],
        not_romanian: Callable[[str], bool],
        terms: Terms,
    ) -> None:
        self._terms = terms
        self._doc = doc
        self._pieces = [p for p in doc if p.kind != "glue"]
        self._sentences = iter(sentences)
        self._waiting: _Sentence | None = None
        self._not_romanian = not_romanian
        self.segments: list[Segment] = []

    @property
    def total(self) -> int:
        return len(self._pieces)

    def ready(self, english: dict[str, Output]) -> list[Segment]:
        done: list[Segment] = []
        while len(self.segments) + len(done) < len(self._pieces):
            piece = self._pieces[len(self.segments) + len(done)]
            if piece.kind == "verbatim":
                done.append(Segment(piece.text, piece.text, piece.paragraph))
                continue
            sentence = self._waiting or next(self._sentences)
            if any(part not in english for part in sentence.parts):
                self._waiting = sentence
                break
            self._waiting = None
            done.append(self._segment(piece, sentence, english))
        self.segments.extend(done)
        return done

    def result(self) -> TranslationResult:
        """The whole text; every segment must be ready."""
        each = iter(self.segments)
        out = [p.text if p.kind == "glue" else next(each).translation for p in self._doc]
        source = "".join(p.text for p in self._doc)
        warnings = ("not_romanian",) if self._not_romanian(source) else ()
        return TranslationResult("".join(out), self.segments, source, warnings)

    def _segment(self, piece: Piece, sentence: _Sentence, english: dict[str, Output]) -> Segment:
        outputs = [english[part] for part in sentence.parts]
        target = outputs[0].text
        for glue, out in zip(sentence.glue, outputs[1:], strict=True):
            target += (glue or " ") + out.text
        kept = self._terms.restore(sentence.masked, target)
        warnings = segment_warnings(piece.text, kept.text, split=len(sentence.parts) > 1)
        if self._not_romanian(piece.text):
            warnings += ("not_romanian",)
        # Alternatives are whole sentences: one split into pieces has none to offer.
        others = outputs[0].alternatives if len(outputs) == 1 else ()
        return Segment(
            piece.text,
            kept.text,
            piece.paragraph,
            warnings + kept.warnings,
            terms=kept.terms,
            confidence=confidence(outputs, sentence.parts),
            alternatives=tuple(self._terms.restore(sentence.masked, alt).text for alt in others),
        )


def confidence(outputs: list[Output], parts: list[str]) -> float | None:
    """exp of the mean log-probability per token the model gave, over a sentence's pieces
    (weighted by their length): 1.0 = certain of every token. None when unscored."""
    if any(out.score is None for out in outputs):
        return None
    weights = [max(len(part), 1) for part in parts]
    mean = sum(w * (out.score or 0.0) for w, out in zip(weights, outputs, strict=True))
    return round(math.exp(mean / sum(weights)), 3)
