"""A format's translator called directly, in this thread, with no caps and no model: the
pieces come back as they went (or as a test's `markup` says), and the work runs inline, so
that this thread's CPU time measures it. And the doubling check every format's cost test
makes with it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from service.documents.budget import Budget, DocumentCaps
from service.documents.formats import format_of
from service.documents.types import Translate, Translators
from tests.support.timing import interleaved_cpu_seconds

UNCAPPED = DocumentCaps(
    max_unpacked_bytes=1 << 30, max_parts=10**6, max_tags=10**9, max_pieces=10**9, max_chars=None
)


async def same(parts: list[str]) -> list[str]:
    """A "translation" that gives every piece back as it came."""
    return list(parts)


async def inline(fn: Callable[[], object], size: int = 0) -> object:
    """The worker-thread step run on this thread instead."""
    return fn()


def translate_directly(
    suffix: str, data: bytes, markup: Translate = same, budget: Budget | None = None
) -> bytes:
    """The format's translator called as the pipeline calls it: `markup` stands for the HTML
    path, the budget is uncapped unless given."""
    translators = Translators(same, markup, inline, budget or Budget(UNCAPPED))

    async def translated() -> bytes:
        return await format_of("a" + suffix).translate(data, translators)

    return asyncio.run(translated())


def assert_linear(run: Callable[[bytes], object], small: bytes, large: bytes) -> None:
    """`run` over `large` (about twice `small`) costs at most 2.5 times `run` over `small`:
    doubling an input at most doubles the work, with room for the machine's noise."""
    run(small)  # imports and caches warmed
    once, twice = interleaved_cpu_seconds(lambda: run(small), lambda: run(large))
    assert twice <= 2.5 * max(once, 0.01), (
        f"{once:.3f}s for {len(small):,} bytes, {twice:.3f}s for {len(large):,} bytes"
    )
