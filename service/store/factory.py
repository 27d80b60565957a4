"""The store ROEN_STORE_URL names: a SQLite file in ROEN_DATA_DIR by default."""

from __future__ import annotations

from urllib.parse import urlsplit

from service.errors import InvalidField
from service.settings import Settings
from service.store.base import Store
from service.store.memory import MemoryStore
from service.store.redis import RedisStore
from service.store.sqlite import SqliteStore

REDIS_SCHEMES = ("redis", "rediss", "valkey", "valkeys", "unix")


def open_store(settings: Settings) -> Store:
    url = settings.store_url.strip()
    scheme = urlsplit(url).scheme.lower() if url else ""
    if not url:
        return SqliteStore(settings.data_dir / "roen.sqlite3", settings.store_timeout_s * 4)
    if scheme == "memory":
        return MemoryStore()
    if scheme in REDIS_SCHEMES:
        return RedisStore(url, settings.store_timeout_s)
    raise InvalidField(
        f"ROEN_STORE_URL must be empty (SQLite in ROEN_DATA_DIR), memory://, or redis:// "
        f"(valkey:// too), not {scheme or url!r}.",
        field="store_url",
    )
