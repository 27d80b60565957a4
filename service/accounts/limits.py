"""Requests per minute, per caller, counted in the store: a window opens at a caller's first
request and lasts a minute; every replica counts in the same window, so a key limited to 30
gets 30 through, whichever replicas answer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.errors import RateLimited
from service.store.base import Store

WINDOW_S = 60.0


@dataclass(frozen=True, slots=True)
class Allowance:
    """What the RateLimit-* headers say."""

    limit: int
    remaining: int
    reset_s: int


class RateLimits:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def take(self, identity: str, per_minute: int, setting: str) -> Allowance:
        """One request of `identity`'s; RateLimited past `per_minute` (named by `setting`)."""
        count, left_s = await self.store.hit(f"rate:{identity}", WINDOW_S)
        reset = max(1, math.ceil(left_s))
        if count > per_minute:
            raise RateLimited(
                f"This client has used its request quota ({setting}); retry in {reset} s.",
                retry_after_s=reset,
                limit=per_minute,
            )
        return Allowance(per_minute, per_minute - count, reset)
