"""The store in this process's memory: nothing shared, nothing kept at exit. For tests, and
for an operator who says so (ROEN_STORE_URL=memory://). Bounded: past `max_entries`, expired
entries go first, then the oldest."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from service.store.base import Hold


class MemoryStore:
    def __init__(self, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self._clock = clock
        # key → (value, expires at or None); counters and windows are values too
        self._data: OrderedDict[str, tuple[object, float | None]] = OrderedDict()
        self._holds: dict[str, dict[str, tuple[int, float]]] = {}

    @property
    def description(self) -> str:
        return "memory (this process only)"

    def _live(self, key: str) -> object | None:
        found = self._data.get(key)
        if found is None:
            return None
        value, expires = found
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    def _put(self, key: str, value: object, ttl_s: float | None) -> None:
        self._data[key] = (value, None if ttl_s is None else self._clock() + ttl_s)
        self._data.move_to_end(key)
        if len(self._data) > self.max_entries:
            now = self._clock()
            for k in [k for k, (_, e) in self._data.items() if e is not None and e <= now]:
                del self._data[k]
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    async def get(self, key: str) -> bytes | None:
        value = self._live(key)
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        self._put(key, value, ttl_s)

    async def delete(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    async def scan(self, prefix: str, limit: int = 10_000) -> list[str]:
        return [k for k in list(self._data) if k.startswith(prefix) and self._live(k) is not None][
            :limit
        ]

    async def counter(self, key: str) -> int:
        value = self._live(key)
        return value if isinstance(value, int) else 0

    async def add(self, key: str, amount: int) -> int:
        total = await self.counter(key) + amount
        self._put(key, total, None)
        return total

    async def hit(self, key: str, window_s: float, amount: int = 1) -> tuple[int, float]:
        found = self._data.get(key)
        now = self._clock()
        if found is None or found[1] is None or found[1] <= now or not isinstance(found[0], int):
            self._put(key, amount, window_s)
            return amount, window_s
        count = found[0] + amount
        self._data[key] = (count, found[1])
        return count, found[1] - now

    def _held(self, key: str, now: float) -> dict[str, tuple[int, float]]:
        holds = self._holds.setdefault(key, {})
        for member in [m for m, (_, until) in holds.items() if until <= now]:
            del holds[member]
        return holds

    async def reserve(self, key: str, member: str, amount: int, limit: int, ttl_s: float) -> Hold:
        now = self._clock()
        holds = self._held(key, now)
        used = await self.counter(key)
        held = sum(a for a, _ in holds.values())
        if used + held + amount > limit:
            return Hold(False, used, held)
        holds[member] = (amount, now + ttl_s)
        return Hold(True, used, held)

    async def commit(self, key: str, member: str, amount: int) -> int:
        self._holds.get(key, {}).pop(member, None)
        return await self.add(key, amount)

    async def release(self, key: str, member: str) -> None:
        self._holds.get(key, {}).pop(member, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None
