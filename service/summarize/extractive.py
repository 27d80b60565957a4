"""Extractive summaries: pick the sentences that best cover the article, in article order.

Relevance is similarity to the article's centroid plus a lead prior (news puts the gist
first); selection is MMR, so the second pick is not a paraphrase of the first. A sentence
that leans on the one before it ("But …", "He …", "After that …") is not lifted out alone:
it is picked together with that sentence when there is room for both, and otherwise only
when nothing else is left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from service.summarize.anaphora import opens_anaphorically
from service.summarize.types import SummaryResult

LEAD_WEIGHT = 0.15  # how much an early position counts against centroid similarity
DIVERSITY = 0.3  # MMR trade-off: 0 = pure relevance, 1 = pure novelty
MIN_WORDS = 5  # shorter lines (bylines, captions) are picked only when nothing else is left
# A leaning sentence that brings its predecessor along spends two slots on one point, so it
# must beat a self-contained sentence by this much (MMR score units, relevance ~0.2-0.8).
# On newsdev2016 (scripts/summary_eval.py) 0.05-0.2 measure alike; 0 lets pairs crowd out
# coverage.
PAIR_PENALTY = 0.05
LAST_RESORT = 10.0  # subtracted from a score: picked only when nothing else is left


class Embedder(Protocol):
    """What the selection uses of an embedder (embeddings.SentenceEmbedder in production)."""

    def embed(self, sentences: list[str]) -> np.ndarray:
        """One L2-normalised row per sentence."""
        ...


class ExtractiveSummarizer:
    method = "extractive"

    def __init__(
        self, embedder: Embedder, *, leans_back: Callable[[str], bool] = opens_anaphorically
    ) -> None:
        self.embedder = embedder
        # Injected, so that scripts/summary_eval.py can run the selection without it
        # (`lambda s: False` is the summariser as it was before) and tests can name the
        # sentences that lean back.
        self.leans_back = leans_back

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        candidates = [i for i, s in enumerate(sentences) if s.strip()]
        if len(candidates) <= max_sentences:
            chosen = candidates
        else:
            chosen = self._select([sentences[i] for i in candidates], max_sentences)
            chosen = [candidates[i] for i in chosen]
        order = sorted(chosen)
        picked = [sentences[i].strip() for i in order]
        return SummaryResult(" ".join(picked), picked, self.method, order)

    def _select(self, sentences: list[str], k: int) -> list[int]:
        vectors = self.embedder.embed(sentences)
        vectors = np.asarray(vectors, dtype=np.float64)
        mean = vectors.mean(0)
        centroid = mean / max(float(np.linalg.norm(mean)), 1e-12)
        n = len(sentences)
        lead = 1.0 / (1.0 + np.arange(n))
        relevance = vectors @ centroid + LEAD_WEIGHT * lead
        long_enough = [len(s.split()) >= MIN_WORDS for s in sentences]
        relevance = np.where(long_enough, relevance, relevance - LAST_RESORT)
        # The first sentence has nothing before it to lean on: the reader starts there too.
        leaning = [i for i in range(1, n) if self.leans_back(sentences[i])]
        similarity = vectors @ vectors.T
        chosen: list[int] = []
        while len(chosen) < k:
            if chosen:
                redundancy = similarity[:, chosen].max(axis=1)
                score = (1 - DIVERSITY) * relevance - DIVERSITY * redundancy
            else:
                score = relevance.copy()
            pairs = self._pairs(leaning, chosen, long_enough, room=k - len(chosen))
            for i in leaning:
                if i - 1 not in chosen:
                    score[i] -= PAIR_PENALTY if i in pairs else LAST_RESORT
            score[chosen] = -float("inf")
            best = int(score.argmax())
            if best in pairs:
                chosen.append(best - 1)
            chosen.append(best)
        return chosen

    @staticmethod
    def _pairs(
        leaning: list[int], chosen: list[int], long_enough: list[bool], room: int
    ) -> set[int]:
        """The leaning sentences that can be picked with their predecessor: two slots are free
        and the predecessor stands on its own (long enough, and not leaning further back)."""
        if room < 2:
            return set()
        leans = set(leaning)
        return {
            i
            for i in leaning
            if i - 1 not in chosen
            and long_enough[i - 1]
            and (i - 1 not in leans or i - 2 in chosen)
        }
