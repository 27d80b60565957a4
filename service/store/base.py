"""The one store for what must outlive a process or be shared by replicas: keys, usage,
rate-limit windows, LibreTranslate's downloads.

    Store (Protocol)
    ├── MemoryStore   one process, gone at exit (tests; ROEN_STORE_URL=memory://)
    ├── SqliteStore   the default: a file in ROEN_DATA_DIR, survives restarts, shared by
    │                 the processes of one host
    └── RedisStore    ROEN_STORE_URL=redis://… (Redis or Valkey): shared by replicas

Every operation that counts is one atomic step in the store (a Lua script, a transaction),
never a read and a write across the network. Each call is bounded in time; a store that
does not answer raises StoreUnavailable (503 with Retry-After), and nothing is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from service.errors import Overloaded


class StoreUnavailable(Overloaded):
    title = "State store unavailable"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            detail
            or "The server's state store (ROEN_STORE_URL) did not answer in time; retry in a "
            "few seconds.",
            retry_after_s=2,
        )


@dataclass(frozen=True, slots=True)
class Hold:
    """A reservation against a counter: granted or not, and the counter as it stood."""

    granted: bool
    used: int  # committed so far
    held: int  # reserved by requests under way (not yet committed), this one excluded


class Store(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        """Write `value`; with `ttl_s`, it is gone after that many seconds."""
        ...

    async def delete(self, key: str) -> bool: ...

    async def scan(self, prefix: str, limit: int = 10_000) -> list[str]:
        """Keys starting with `prefix` (at most `limit`), in no promised order."""
        ...

    async def counter(self, key: str) -> int:
        """A counter's value (0 if it was never counted)."""
        ...

    async def add(self, key: str, amount: int) -> int:
        """Add to a counter, atomically; its new value."""
        ...

    async def hit(self, key: str, window_s: float, amount: int = 1) -> tuple[int, float]:
        """`amount` more in `key`'s window: the window opens at its first event and lasts
        `window_s`. The total so far in it (this one included) and seconds until it ends."""
        ...

    async def reserve(self, key: str, member: str, amount: int, limit: int, ttl_s: float) -> Hold:
        """Hold `amount` against counter `key` if what is committed, plus what others hold,
        plus `amount` stays within `limit`. A hold not committed or released within
        `ttl_s` lapses (its process died): it is never counted."""
        ...

    async def commit(self, key: str, member: str, amount: int) -> int:
        """Drop the hold `member` and count `amount`, in one step (called once per hold;
        a hold that lapsed meanwhile is counted all the same: the work was answered).
        The counter's new value."""
        ...

    async def release(self, key: str, member: str) -> None: ...

    async def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers."""
        ...

    async def close(self) -> None: ...

    @property
    def description(self) -> str:
        """What it is and where, for /health/ready and the logs (no password)."""
        ...
