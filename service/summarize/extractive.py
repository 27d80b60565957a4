"""Extractive summaries: pick the sentences that best cover the article, in article order.

Relevance is similarity to the article's centroid plus a lead prior (news puts the gist
first); selection is MMR, so the second pick is not a paraphrase of the first.
"""

from __future__ import annotations

import torch

from service.summarize.embeddings import SentenceEmbedder
from service.summarize.types import SummaryResult

LEAD_WEIGHT = 0.15  # how much an early position counts against centroid similarity
DIVERSITY = 0.3  # MMR trade-off: 0 = pure relevance, 1 = pure novelty
MIN_WORDS = 5  # shorter lines (bylines, captions) are picked only when nothing else is left


class ExtractiveSummarizer:
    method = "extractive"

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.embedder = embedder

    def summarize(self, sentences: list[str], *, max_sentences: int) -> SummaryResult:
        candidates = [i for i, s in enumerate(sentences) if s.strip()]
        if len(candidates) <= max_sentences:
            chosen = candidates
        else:
            chosen = self._select([sentences[i] for i in candidates], max_sentences)
            chosen = [candidates[i] for i in chosen]
        picked = [sentences[i].strip() for i in sorted(chosen)]
        return SummaryResult(" ".join(picked), picked, self.method)

    def _select(self, sentences: list[str], k: int) -> list[int]:
        vectors = self.embedder.embed(sentences)
        centroid = torch.nn.functional.normalize(vectors.mean(0), dim=0)
        n = len(sentences)
        lead = torch.tensor([1.0 / (1.0 + i) for i in range(n)])
        relevance = vectors @ centroid + LEAD_WEIGHT * lead
        long_enough = torch.tensor([len(s.split()) >= MIN_WORDS for s in sentences])
        relevance = torch.where(long_enough, relevance, relevance - 10.0)
        similarity = vectors @ vectors.T
        chosen: list[int] = []
        for _ in range(k):
            if chosen:
                redundancy = similarity[:, chosen].max(dim=1).values
                score = (1 - DIVERSITY) * relevance - DIVERSITY * redundancy
            else:
                score = relevance.clone()
            score[chosen] = -float("inf")
            chosen.append(int(score.argmax()))
        return chosen
