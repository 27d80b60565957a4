"""Plan generate() batches: sorted by length, bounded by a padded-token budget."""

from __future__ import annotations


def plan_batches(lengths: list[int], *, budget_tokens: int, max_batch: int) -> list[list[int]]:
    """Indices grouped into batches; each batch's rows × longest row stays within budget.

    Sorting by length keeps padding small, which is most of batching's win on CPU.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[i]  # ascending order: the newcomer is the longest in the batch
        if current and (len(current) >= max_batch or (len(current) + 1) * longest > budget_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
