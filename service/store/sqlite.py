"""The default store: one SQLite file in ROEN_DATA_DIR. No set-up, kept across restarts, and
shared by the `roen serve` processes of one host (WAL mode, each counting step one
`BEGIN IMMEDIATE` transaction).

A step runs on the event loop when the file is free (tens of microseconds: a WAL write, no
fsync), since a hop to a worker thread and back costs more than the step and, under many
clients, delayed their next requests enough to thin the batches. When another process holds
the write lock, the step goes to a worker thread, one at a time per process, to wait for it
there; locked past the timeout it is StoreUnavailable, not a hang."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from service.store.base import Hold, StoreUnavailable

T = TypeVar("T")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL);
CREATE TABLE IF NOT EXISTS holds (
    key TEXT NOT NULL, member TEXT NOT NULL, amount INTEGER NOT NULL, expires REAL NOT NULL,
    PRIMARY KEY (key, member)
);
"""
# Expired rows are swept every this many writes (reads skip them meanwhile).
_SWEEP_EVERY = 1000


class SqliteStore:
    def __init__(self, path: Path, timeout_s: float = 2.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(
            path, timeout=timeout_s, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at each checkpoint
        self._db.executescript(_SCHEMA)
        # The loop's own connection never waits for a lock: busy, the step goes to a thread.
        self._now = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        self._now.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(1)
        self._writes = 0

    @property
    def description(self) -> str:
        return f"sqlite ({self.path})"

    async def _run(self, fn: Callable[[sqlite3.Connection, float], T]) -> T:
        try:
            return _step(self._now, fn)
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise StoreUnavailable(
                    f"The state store ({self.path}) cannot be used (OperationalError: {err}); "
                    "retry in a few seconds."
                ) from None
        return await self._waiting(fn)  # another process writes: wait for it in a thread

    async def _waiting(self, fn: Callable[[sqlite3.Connection, float], T]) -> T:
        def call() -> T:
            with self._lock:
                try:
                    return fn(self._db, time.time())
                except BaseException as err:
                    # Whatever failed, the shared connection leaves no transaction open (it
                    # would hold the write lock, and later writes would join it).
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    if not isinstance(err, sqlite3.Error):
                        raise
                    failed = f"{type(err).__name__}: {err}"  # locked past the timeout, disk full
            raise StoreUnavailable(
                f"The state store ({self.path}) cannot be used ({failed}); retry in a few seconds."
            )

        return await anyio.to_thread.run_sync(call, limiter=self._limiter)

    def _write(self, db: sqlite3.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            for table in ("kv", "counters", "holds"):
                db.execute(f"DELETE FROM {table} WHERE expires <= ?", (now,))

    async def get(self, key: str) -> bytes | None:
        def run(db: sqlite3.Connection, now: float) -> bytes | None:
            row = db.execute(
                "SELECT value FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)",
                (key, now),
            ).fetchone()
            return bytes(row[0]) if row else None

        return await self._run(run)

    async def set(self, key: str, value: bytes, ttl_s: float | None = None) -> None:
        def run(db: sqlite3.Connection, now: float) -> None:
            self._write(db, now)
            db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                (key, value, None if ttl_s is None else now + ttl_s),
            )

        await self._run(run)

    async def delete(self, key: str) -> bool:
        def run(db: sqlite3.Connection, now: float) -> bool:
            return db.execute("DELETE FROM kv WHERE key = ?", (key,)).rowcount > 0

        return await self._run(run)

    async def scan(self, prefix: str, limit: int = 10_000) -> list[str]:
        def run(db: sqlite3.Connection, now: float) -> list[str]:
            rows = db.execute(
                "SELECT key FROM kv WHERE substr(key, 1, ?) = ? "
                "AND (expires IS NULL OR expires > ?) LIMIT ?",
                (len(prefix), prefix, now, limit),
            )
            return [r[0] for r in rows]

        return await self._run(run)

    async def counter(self, key: str) -> int:
        def run(db: sqlite3.Connection, now: float) -> int:
            return _counter(db, key, now)

        return await self._run(run)

    async def add(self, key: str, amount: int) -> int:
        def run(db: sqlite3.Connection, now: float) -> int:
            return _add(db, key, amount)

        return await self._run(run)

    async def hit(self, key: str, window_s: float, amount: int = 1) -> tuple[int, float]:
        def run(db: sqlite3.Connection, now: float) -> tuple[int, float]:
            self._write(db, now)
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT value, expires FROM counters WHERE key = ? AND expires > ?", (key, now)
            ).fetchone()
            count, ends = (row[0] + amount, row[1]) if row else (amount, now + window_s)
            db.execute(
                "INSERT OR REPLACE INTO counters (key, value, expires) VALUES (?, ?, ?)",
                (key, count, ends),
            )
            db.execute("COMMIT")
            return count, ends - now

        return await self._run(run)

    async def reserve(self, key: str, member: str, amount: int, limit: int, ttl_s: float) -> Hold:
        def run(db: sqlite3.Connection, now: float) -> Hold:
            self._write(db, now)
            db.execute("BEGIN IMMEDIATE")
            used = _counter(db, key, now)
            (held,) = db.execute(
                "SELECT COALESCE(SUM(amount), 0) FROM holds WHERE key = ? AND expires > ?",
                (key, now),
            ).fetchone()
            granted = used + held + amount <= limit
            if granted:
                db.execute(
                    "INSERT OR REPLACE INTO holds (key, member, amount, expires) "
                    "VALUES (?, ?, ?, ?)",
                    (key, member, amount, now + ttl_s),
                )
            db.execute("COMMIT")
            return Hold(granted, used, held)

        return await self._run(run)

    async def commit(self, key: str, member: str, amount: int) -> int:
        def run(db: sqlite3.Connection, now: float) -> int:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM holds WHERE key = ? AND member = ?", (key, member))
            total = _add(db, key, amount)
            db.execute("COMMIT")
            return total

        return await self._run(run)

    async def release(self, key: str, member: str) -> None:
        def run(db: sqlite3.Connection, now: float) -> None:
            db.execute("DELETE FROM holds WHERE key = ? AND member = ?", (key, member))

        await self._run(run)

    async def ping(self) -> None:
        await self._run(lambda db, now: db.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        with self._lock:
            self._db.close()
            self._now.close()


def _step(db: sqlite3.Connection, fn: Callable[[sqlite3.Connection, float], T]) -> T:
    """`fn` on `db`, rolled back whole if anything in it fails."""
    try:
        return fn(db, time.time())
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _counter(db: sqlite3.Connection, key: str, now: float) -> int:
    row = db.execute(
        "SELECT value FROM counters WHERE key = ? AND (expires IS NULL OR expires > ?)",
        (key, now),
    ).fetchone()
    return int(row[0]) if row else 0


def _add(db: sqlite3.Connection, key: str, amount: int) -> int:
    row = db.execute(
        "INSERT INTO counters (key, value, expires) VALUES (?, ?, NULL) "
        "ON CONFLICT(key) DO UPDATE SET value = value + excluded.value RETURNING value",
        (key, amount),
    ).fetchone()
    return int(row[0])
