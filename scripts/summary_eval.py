"""Extractive summaries of newsdev2016's 111 English reference articles, before and after the
summariser learnt to keep a sentence that leans back ("But …", "He …") with its antecedent.

    python scripts/summary_eval.py [--lengths 3 5 8] [--show 3]

Both runs use the real all-MiniLM-L6-v2 embedder (from its wheel) on the same vectors; "old"
is the same summariser with no sentence counted as leaning back. Per summary length it prints:

- opens: share of picked sentences that open anaphorically (by service.summarize.anaphora);
- dangles: share that open anaphorically without their predecessor in the summary, i.e.
  that a reader meets out of context (the detector judges both, so read them with --show);
- R1/R2 art: ROUGE-1/2 recall against the whole article (how much of it the summary covers);
- R1/R2 lead: ROUGE-1/2 F1 against the article's first three sentences after the headline
  (news puts the gist first, so the lead is a cheap stand-in for a reference summary);
- words: mean summary length.

Only articles longer than the summary are counted: for the others both runs return them whole.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np

from service.models.prepare import embedder as embedder_of
from service.settings import Settings
from service.summarize.anaphora import opens_anaphorically
from service.summarize.embeddings import SentenceEmbedder
from service.summarize.extractive import ExtractiveSummarizer

SGM = Path(__file__).resolve().parents[2] / "shared/data/wmt16/newsdev2016-roen-ref.en.sgm"
_CLOSED = re.compile(r"[.!?…”\"»)]$")  # a segment without closing punctuation is a headline
LEAD = 3


def articles() -> list[tuple[str, list[str]]]:
    text = SGM.read_text(encoding="utf-8")
    return [
        (docid, [s.strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", body, re.S)])
        for docid, body in re.findall(r'<doc[^>]*docid="([^"]+)"[^>]*>(.*?)</doc>', text, re.S)
    ]


class CachedEmbedder:
    """Embeds each article once for both runs."""

    def __init__(self, inner: SentenceEmbedder) -> None:
        self.inner = inner
        self.cache: dict[tuple[str, ...], np.ndarray] = {}

    def embed(self, sentences: list[str]) -> np.ndarray:
        key = tuple(sentences)
        if key not in self.cache:
            self.cache[key] = self.inner.embed(sentences)
        return self.cache[key]


def ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return Counter(zip(*(words[i:] for i in range(n)), strict=False))


def rouge(summary: str, reference: str, n: int) -> tuple[float, float]:
    """ROUGE-n recall and F1 (clipped n-gram counts, lower-cased words, no stemming)."""
    got, ref = ngrams(summary, n), ngrams(reference, n)
    overlap = sum((got & ref).values())
    recall = overlap / max(1, sum(ref.values()))
    precision = overlap / max(1, sum(got.values()))
    return recall, 2 * recall * precision / (recall + precision) if overlap else 0.0


def score(sentences: list[str], picked: list[str]) -> dict[str, float]:
    summary = " ".join(picked)
    body = sentences[1:] if not _CLOSED.search(sentences[0]) else sentences
    lead, article = " ".join(body[:LEAD]), " ".join(sentences)
    index = {s: i for i, s in enumerate(sentences)}
    positions = {index[s] for s in picked}
    opens = [index[s] > 0 and opens_anaphorically(s) for s in picked]
    dangles = [o and index[s] - 1 not in positions for o, s in zip(opens, picked, strict=True)]
    return {
        "opens": sum(opens),
        "dangles": sum(dangles),
        "picked": len(picked),
        "R1 art": rouge(summary, article, 1)[0],
        "R2 art": rouge(summary, article, 2)[0],
        "R1 lead": rouge(summary, lead, 1)[1],
        "R2 lead": rouge(summary, lead, 2)[1],
        "words": len(summary.split()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lengths", type=int, nargs="+", default=[3, 5, 8])
    ap.add_argument("--show", type=int, default=0, help="print this many changed summaries")
    args = ap.parse_args()
    embedder = CachedEmbedder(SentenceEmbedder(embedder_of(Settings()).runtime(), threads=2))
    runs = {
        "old": ExtractiveSummarizer(embedder, leans_back=lambda s: False),
        "new": ExtractiveSummarizer(embedder),
    }
    docs = articles()
    started = time.perf_counter()
    print(f"{len(docs)} articles, {sum(len(s) for _, s in docs)} sentences from {SGM.name}")
    header = "R1 art  R2 art  R1 lead R2 lead  words"
    for k in args.lengths:
        long = [(d, s) for d, s in docs if len(s) > k]
        totals = {name: Counter[str]() for name in runs}
        changed = []
        for docid, sentences in long:
            picks = {n: r.summarize(sentences, max_sentences=k).sentences for n, r in runs.items()}
            for name, picked in picks.items():
                totals[name].update(score(sentences, picked))
            if picks["old"] != picks["new"]:
                changed.append((docid, picks))
        print(f"\nmax_sentences={k}: {len(long)} articles, {len(changed)} summaries changed")
        print(f"{'':4} {'opens':>6} {'dangles':>8}  {header}")
        for name, t in totals.items():
            rates = [t["opens"] / t["picked"], t["dangles"] / t["picked"]]
            means = [t[m] / len(long) for m in ("R1 art", "R2 art", "R1 lead", "R2 lead")]
            print(
                f"{name:4} {rates[0]:6.1%} {rates[1]:8.1%}  "
                + "  ".join(f"{m:6.3f}" for m in means)
                + f"  {t['words'] / len(long):5.1f}"
            )
        for docid, picks in changed[: args.show]:
            print(f"\n  {docid}")
            for name, picked in picks.items():
                for s in picked:
                    print(f"    {name} {'*' if opens_anaphorically(s) else ' '} {s[:110]}")
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
