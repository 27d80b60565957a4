"""The store on Redis or Valkey (ROEN_STORE_URL=redis://…): what replicas share. redis-py's
asyncio client; each counting step one Lua script (atomic on the server, timed by the
server's clock, so replicas' clocks do not matter). Every call is bounded by the store
timeout: a server that does not answer is StoreUnavailable (503), and the client reconnects
by itself when it is back."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio

from service.store.base import Hold, StoreUnavailable

T = TypeVar("T")
PREFIX = "roen:"
MAX_CONNECTIONS = 32  # per replica

_HIT = """
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if n == tonumber(ARGV[2]) or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""
# holds: a hash of member → "amount:expires_ms" beside the counter
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local held = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local amount, untl = string.match(all[i + 1], '(%d+):(%d+)')
  if tonumber(untl) <= now then
    redis.call('HDEL', KEYS[2], all[i])
  else
    held = held + tonumber(amount)
  end
end
local amount = tonumber(ARGV[2])
if used + held + amount > tonumber(ARGV[3]) then
  return {0, used, held}
end
redis.call('HSET', KEYS[2], ARGV[1], amount .. ':' .. (now + tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, used, held}
"""
_COMMIT = """
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('INCRBY', KEYS[1], ARGV[2])
"""


class RedisStore:
    def __init__(self, url: str, timeout_s: float = 0.5) -> None:
        from redis.asyncio import BlockingConnectionPool, Redis

        self.url = url
        self.timeout_s = timeout_s
        # A bounded pool that makes a burst wait its turn (within the timeout) rather than
        # open a connection per request or fail at once when all are busy.
        pool = BlockingConnectionPool.from_url(
            url.replace("valkey://", "redis://", 1).replace("valkeys://", "rediss://", 1),
            max_connections=MAX_CONNECTIONS,
            timeout=timeout_s,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=30,
        )
        self._redis = Redis(connection_pool=pool)
        self._hit = self._redis.register_script(_HIT)
        self._reserve = self._redis.register_script(_RESERVE)
        self._commit = self._redis.register_script(_COMMIT)

    @property
    def description(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme} ({parts.hostname}:{parts.port or 6379}{parts.path})"

    async def _call(self, call: Awaitable[T]) -> T:
        from redis.exceptions import RedisError

        try:
            with anyio.fail_after(self.timeout_s * 4):  # connect, send, answer: all bounded
                return await call
        except (RedisError, OSError, TimeoutError) as err:
            raise StoreUnavailable(
                f"The state store ({self.description}) did not answer ({type(err).__name__}); "
                "retry in a few seconds."
            ) from None

    async def get(self, key: str) -> bytes | None:
        value: Any = await self._call(self._redis.get(PREFIX + key))
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        ms = None if ttl_s is None else max(1, int(ttl_s * 1000))
        await self._call(self._redis.set(PREFIX + key, value, px=ms))

    async def delete(self, key: str) -> bool:
        return bool(await self._call(self._redis.delete(PREFIX + key)))

    async def scan(self, prefix: str, limit: int = 10_000) -> list[str]:
        async def run() -> list[str]:
            found: list[str] = []
            async for key in self._redis.scan_iter(match=_glob(PREFIX + prefix) + "*", count=500):
                found.append(key.decode()[len(PREFIX) :])
                if len(found) >= limit:
                    break
            return found

        return await self._call(run())

    async def counter(self, key: str) -> int:
        value: Any = await self._call(self._redis.get(PREFIX + key))
        return int(value) if value is not None else 0

    async def add(self, key: str, amount: int) -> int:
        return int(await self._call(self._redis.incrby(PREFIX + key, amount)))

    async def hit(self, key: str, window_s: float, amount: int = 1) -> tuple[int, float]:
        count, ttl_ms = await self._call(
            self._hit(keys=[PREFIX + key], args=[max(1, int(window_s * 1000)), amount])
        )
        return int(count), int(ttl_ms) / 1000

    async def reserve(self, key: str, member: str, amount: int, limit: int, ttl_s: float) -> Hold:
        granted, used, held = await self._call(
            self._reserve(
                keys=[PREFIX + key, PREFIX + key + ":holds"],
                args=[member, amount, limit, max(1, int(ttl_s * 1000))],
            )
        )
        return Hold(bool(granted), int(used), int(held))

    async def commit(self, key: str, member: str, amount: int) -> int:
        total = await self._call(
            self._commit(keys=[PREFIX + key, PREFIX + key + ":holds"], args=[member, amount])
        )
        return int(total)

    async def release(self, key: str, member: str) -> None:
        await self._call(self._redis.hdel(PREFIX + key + ":holds", member))

    async def ping(self) -> None:
        await self._call(self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose(close_connection_pool=True)


def _glob(text: str) -> str:
    """`text` matched literally by SCAN's glob pattern."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
