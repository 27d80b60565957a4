"""The store's contract, the same assertions on each implementation: in memory, the SQLite
default, and a real Redis server (started here on a free port). Counting is atomic under
concurrency; holds lapse; an unreachable store is a bounded 503, and it recovers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store.base import Store, StoreUnavailable
from service.store.memory import MemoryStore
from service.store.redis import RedisStore
from service.store.sqlite import SqliteStore
from tests.support.services import RedisServer

# The contract is about counting, not latency: a loaded CI machine once took over the shipped
# 0.5 s to open the pool's connections for a 200-call burst. The bounded-503 behaviour has its
# own test below, on a short timeout.
CONTRACT_TIMEOUT_S = 5.0


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    # No redis-server is a failure naming the script that installs it (`make test` runs it),
    # never a skip: the Redis store is not tested without one.
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        yield SqliteStore(tmp_path / "roen.sqlite3")
    else:
        server = request.getfixturevalue("redis_server")
        asyncio.run(_flush(server.url))
        yield RedisStore(server.url, CONTRACT_TIMEOUT_S)


async def _flush(url: str) -> None:
    """An empty database for each test, emptied with redis-py itself (not the store under
    test)."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


def run(store: Store, work):  # one event loop per test: redis-py's pool belongs to it
    async def main():
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(main())


def test_values_expire_and_scan_finds_by_prefix(store):
    async def work(s: Store):
        await s.set("key:a", b"1")
        await s.set("key:b", b"2", ttl_s=0.3)
        await s.set("other", b"3")
        assert sorted(await s.scan("key:")) == ["key:a", "key:b"]
        await asyncio.sleep(0.5)
        assert await s.get("key:b") is None and await s.get("key:a") == b"1"
        assert await s.scan("key:") == ["key:a"]
        assert await s.delete("key:a") and not await s.delete("key:a")

    run(store, work)


def test_counters_are_exact_under_concurrency(store):
    async def work(s: Store):
        await asyncio.gather(*(s.add("usage:k", n) for n in range(1, 201)))
        assert await s.counter("usage:k") == sum(range(1, 201))
        assert await s.counter("never") == 0

    run(store, work)


def test_a_window_counts_from_its_first_hit_and_ends(store):
    async def work(s: Store):
        counts = sorted([c for c, _ in await asyncio.gather(*(s.hit("w", 0.5) for _ in range(40)))])
        assert counts == list(range(1, 41))  # each hit saw its own count: none lost
        total, left = await s.hit("w", 0.5, amount=10)
        assert total == 50 and 0 < left <= 0.5
        await asyncio.sleep(0.7)
        assert (await s.hit("w", 0.5))[0] == 1  # a new window

    run(store, work)


def test_holds_keep_concurrent_callers_within_the_limit(store):
    async def work(s: Store):
        holds = await asyncio.gather(*(s.reserve("q", f"m{i}", 100, 1000, 30) for i in range(20)))
        granted = [i for i, h in enumerate(holds) if h.granted]
        assert len(granted) == 10  # 10 × 100 fit in 1000, whatever the interleaving
        for i in granted[:5]:
            await s.commit("q", f"m{i}", 100)
        for i in granted[5:]:
            await s.release("q", f"m{i}")
        assert await s.counter("q") == 500
        again = await s.reserve("q", "late", 500, 1000, 30)
        assert again.granted and again.used == 500 and again.held == 0
        assert not (await s.reserve("q", "over", 1, 1000, 30)).granted

    run(store, work)


def test_a_hold_whose_process_died_lapses_uncounted(store):
    async def work(s: Store):
        assert (await s.reserve("q", "dead", 900, 1000, 0.3)).granted
        assert not (await s.reserve("q", "b", 200, 1000, 30)).granted
        await asyncio.sleep(0.5)
        assert (await s.reserve("q", "b", 200, 1000, 30)).granted
        assert await s.counter("q") == 0

    run(store, work)


def test_an_unreachable_redis_is_a_bounded_503_and_recovers():
    first = RedisServer().start()
    again = RedisServer(port=first.port)
    store = RedisStore(first.url, timeout_s=0.3)

    async def work() -> float:
        await store.add("c", 1)
        first.stop()
        started = time.perf_counter()
        with pytest.raises(StoreUnavailable) as down:
            await store.add("c", 1)
        waited = time.perf_counter() - started
        assert down.value.retry_after_s == 2 and "did not answer" in down.value.detail
        again.start()  # the same address, an empty server
        assert await store.add("c", 5) == 5  # reconnected by itself: no restart
        await store.close()
        return waited

    try:
        waited = asyncio.run(work())
    finally:
        first.stop()
        again.stop()
    assert waited < 2
