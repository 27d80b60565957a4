"""Stop degenerate loops ("the the the …", "of the war of the war of the war") while decoding.

A plain `no_repeat_ngram_size` also forbids legitimate repeats far apart in a sentence
("of the" twice); a loop is the same n-gram *back to back* three times. So: when the last
2k tokens are one k-gram twice, the first token of that k-gram is banned as the next token.
"""

from __future__ import annotations

import re
from typing import Any

import torch
from transformers import LogitsProcessor


class LoopBlocker(LogitsProcessor):
    def __init__(self, max_ngram: int = 8, skip_prefix: int = 1) -> None:
        self.max_ngram = max_ngram
        self.skip_prefix = skip_prefix  # the decoder start token is not output

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        length = input_ids.shape[1] - self.skip_prefix
        for k in range(1, min(self.max_ngram, length // 2) + 1):
            end = input_ids.shape[1]
            twice = (input_ids[:, end - 2 * k : end - k] == input_ids[:, end - k :]).all(dim=1)
            rows = twice.nonzero().squeeze(1)
            if rows.numel():
                scores[rows, input_ids[rows, end - k]] = -float("inf")
        return scores


class RowLengthCap(LogitsProcessor):
    """Force EOS once a row has its own source-relative number of tokens.

    generate()'s max_new_tokens is one number per batch (the longest source's), which would
    let a short sentence batched beside a long one run on; this bounds each row by its own.
    """

    def __init__(
        self,
        budgets: list[int],
        *,
        num_beams: int,
        eos_token_id: int,
        skip_prefix: int = 1,
        pinned: bool = False,
    ):
        self.budgets = torch.tensor(budgets).repeat_interleave(num_beams)
        self.eos = eos_token_id
        self.skip_prefix = skip_prefix
        self.pinned = pinned  # benchmarks: EOS also banned *before* the budget

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        produced = input_ids.shape[1] - self.skip_prefix
        budgets = self.budgets[: input_ids.shape[0]]
        rows = (budgets <= produced).nonzero().squeeze(1)
        if rows.numel():
            scores[rows] = -float("inf")
            scores[rows, self.eos] = 0.0
        if self.pinned:
            scores[(budgets > produced).nonzero().squeeze(1), self.eos] = -float("inf")
        return scores


def loop_start(tokens: list[Any], max_ngram: int = 8) -> int | None:
    """Where a third back-to-back copy of a k-gram begins at the end of `tokens`, if it does.

    For decoders with no logits hook (CTranslate2): the row is stopped there and the copy
    cut, which leaves the same text the torch LoopBlocker allows (two copies at most).
    """
    n = len(tokens)
    for k in range(1, max_ngram + 1):
        if 3 * k > n:
            break
        if tokens[n - k :] == tokens[n - 2 * k : n - k] == tokens[n - 3 * k : n - 2 * k]:
            return n - k
    return None


_WORD_LOOP = re.compile(r"(\b\S+(?:\s+\S+){0,5}?)(?:\s+\1\b){2,}", re.UNICODE)


def has_word_loop(text: str) -> bool:
    """Whether the text repeats some 1–6-word phrase three times back to back."""
    return bool(_WORD_LOOP.search(text))
