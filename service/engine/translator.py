"""Whole documents in, whole documents out: the glue between the text room and a backend.

texts → normalise → layout (sentences + glue) → split over-long sentences
      → unique sentences → length-sorted, token-budget batches → backend.generate
      → put back in order → rebuild each document around its original glue
"""

from __future__ import annotations

from dataclasses import dataclass

from service.engine.batching import plan_batches
from service.engine.cache import SentenceCache
from service.engine.interface import Segment, Seq2SeqBackend, TranslationResult
from service.engine.quality import segment_warnings
from service.errors import LimitExceeded
from service.text.layout import Piece, layout
from service.text.normalize import normalize_text
from service.text.split_long import split_to_fit


@dataclass(slots=True)
class _Sentence:
    piece: Piece
    parts: list[str]  # what goes to the model: the sentence, or its pieces when too long
    glue: list[str]  # whitespace between consecutive parts (len(parts) - 1)


class Translator:
    """Translates documents with any `Seq2SeqBackend`; thread-safe if the backend is."""

    def __init__(
        self,
        backend: Seq2SeqBackend,
        *,
        model_name: str,
        max_segment_tokens: int = 256,
        batch_tokens: int = 4096,
        max_batch_size: int = 64,
        default_beam_size: int | None = None,
        cache: SentenceCache | None = None,
        max_parts: int | None = None,
    ) -> None:
        self.backend = backend
        self.model_name = model_name
        self.max_segment_tokens = min(max_segment_tokens, backend.max_input_tokens)
        self.batch_tokens = batch_tokens
        self.max_batch_size = max_batch_size
        self.default_beam_size = default_beam_size or backend.default_beam_size
        self.cache = cache
        self.max_parts = max_parts

    def translate(
        self, texts: list[str], *, beam_size: int | None = None
    ) -> list[TranslationResult]:
        beams = beam_size or self.default_beam_size
        docs = [layout(normalize_text(t)) for t in texts]
        sentences = [
            [_Sentence(p, [p.text], []) for p in doc if p.kind == "sentence"] for doc in docs
        ]
        flat = [s for doc in sentences for s in doc]
        self._split_long(flat)
        parts = [part for s in flat for part in s.parts]
        if self.max_parts is not None and len(parts) > self.max_parts:
            raise LimitExceeded(
                f"The text holds {len(parts):,} sentences (counting pieces of over-long ones); "
                f"this server translates at most {self.max_parts:,} per request "
                "(ROEN_MAX_SEGMENTS). Split the text into several requests.",
                limit=self.max_parts,
                actual=len(parts),
            )
        english = self._translate_unique(parts, beams)
        return [self._rebuild(d, s, english) for d, s in zip(docs, sentences, strict=True)]

    def _split_long(self, sentences: list[_Sentence]) -> None:
        counts = self.backend.count_tokens([s.piece.text for s in sentences]) if sentences else []
        for sentence, count in zip(sentences, counts, strict=True):
            if count <= self.max_segment_tokens:
                continue
            text = sentence.piece.text
            spans = split_to_fit(
                text, lambda t: self.backend.count_tokens([t])[0], self.max_segment_tokens
            )
            sentence.parts = [text[a:b] for a, b in spans]
            sentence.glue = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]

    def _translate_unique(self, sources: list[str], beams: int) -> dict[str, str]:
        unique = list(dict.fromkeys(sources))  # boilerplate repeated in a request: once
        out = self.cache.get_many(beams, unique) if self.cache else {}
        todo = [s for s in unique if s not in out]
        if not todo:
            return out
        fresh: dict[str, str] = {}
        if getattr(self.backend, "schedules_batches", False):
            # A cross-request batcher plans batches itself, mixing in other requests.
            fresh = dict(zip(todo, self.backend.generate(todo, beam_size=beams), strict=True))
        else:
            lengths = self.backend.count_tokens(todo)
            # Beam search multiplies the rows the model works on; keep the budget honest.
            budget = max(self.batch_tokens // beams, max(lengths))
            for batch in plan_batches(lengths, budget_tokens=budget, max_batch=self.max_batch_size):
                texts = [todo[i] for i in batch]
                fresh.update(zip(texts, self.backend.generate(texts, beam_size=beams), strict=True))
        if self.cache:
            self.cache.put_many(beams, fresh)
        return out | fresh

    @staticmethod
    def _rebuild(
        doc: list[Piece], sentences: list[_Sentence], english: dict[str, str]
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
            out.append(target)
            segments.append(Segment(piece.text, target, piece.paragraph, warnings))
        return TranslationResult("".join(out), segments)
