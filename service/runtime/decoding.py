"""Decoding limits every backend applies: how long an output may be, where a loop begins.

A loop is the same k-gram *back to back* three times ("the the the", "of the war of the war
of the war"). A plain `no_repeat_ngram_size` would also forbid legitimate repeats far apart
in a sentence ("of the" twice), so the check is for adjacent copies only.
"""

from __future__ import annotations

from typing import Any

MAX_LOOP_NGRAM = 8


def output_budget(source_tokens: int, max_output_tokens: int) -> int:
    """Longest output allowed for a source: generous for ro→en (English is rarely longer
    than 1.5× the Romanian), and the hard stop that ends a loop the loop check missed."""
    return max(8, min(int(source_tokens * 1.5) + 10, max_output_tokens))


def loop_start(tokens: list[Any], max_ngram: int = MAX_LOOP_NGRAM) -> int | None:
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


def collapse_loops(tokens: list[Any], keep: int = 0, max_ngram: int = MAX_LOOP_NGRAM) -> list[Any]:
    """`tokens` with every third (and later) back-to-back copy of a k-gram removed, wherever
    it is — what the torch LoopBlocker prevents while decoding, done afterwards for decoders
    that cannot be steered token by token (CTranslate2's beam search). The first `keep`
    tokens are left as they are (a pinned minimum length). Linear in len(tokens)."""
    out: list[Any] = list(tokens[:keep])
    for token in tokens[keep:]:
        out.append(token)
        n = len(out)
        for k in range(1, max_ngram + 1):
            if 3 * k > n - keep:
                break
            if out[n - k :] == out[n - 2 * k : n - k] == out[n - 3 * k : n - 2 * k]:
                del out[n - k :]
                break
    return out
