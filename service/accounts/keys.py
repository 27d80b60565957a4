"""API keys: named, stored hashed (SHA-256 of a random secret: never in clear), each with its
own requests per minute and characters per month. Managed with `roen keys …` while the
servers run; every replica sees a change within `cache_s`. Keys from ROEN_API_KEYS /
ROEN_API_KEYS_FILE keep working: accounts named `env:<hash>`, with the server's rate limit
and no quota."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

import msgspec

from service.errors import InvalidField, NotFound
from service.store.base import Store

SECRET_PREFIX = "roen_"
ANONYMOUS = "anonymous"  # whose usage the calls without a key are
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Each entry of the cache: (when it was read, what was found)
_Cached = tuple[float, "Account | None"]


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_id(secret: str) -> str:
    """A short, stable name for a key in logs — never the key."""
    return key_hash(secret)[:12]


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    requests_per_minute: int | None = None  # None: the server's ROEN_RATE_LIMIT_PER_MINUTE
    characters_per_month: int | None = None  # None: no quota
    created: str = ""
    revoked: bool = False

    def to_json(self) -> bytes:
        return msgspec.json.encode(asdict(self))

    @classmethod
    def from_json(cls, data: bytes) -> Account:
        return cls(**msgspec.json.decode(data))


class KeyBook:
    def __init__(
        self,
        store: Store,
        static_keys: list[str] | None = None,
        *,
        cache_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._static = {key_hash(k): Account(f"env:{key_id(k)}") for k in static_keys or []}
        self.cache_s = cache_s
        self._clock = clock
        self._found: dict[str, _Cached] = {}
        self._managed: tuple[float, bool] | None = None

    async def required(self) -> bool:
        """Whether calls need a key: any configured, or any ever added with `roen keys` —
        revoking them all closes the server, never opens it."""
        if self._static:
            return True
        now = self._clock()
        if self._managed is None or now - self._managed[0] > self.cache_s:
            self._managed = (now, await self.store.counter("keys:added") > 0)
        return self._managed[1]

    async def find(self, secret: str) -> Account | None:
        """The account a secret belongs to (None: unknown or revoked); store answers are
        remembered `cache_s`, so a revoked key stops working within that."""
        digest = key_hash(secret)
        static = next((a for h, a in self._static.items() if hmac.compare_digest(h, digest)), None)
        if static is not None:
            return static
        now = self._clock()
        cached = self._found.get(digest)
        if cached is not None and now - cached[0] <= self.cache_s:
            return cached[1]
        account = None
        name = await self.store.get(f"keyhash:{digest}")
        if name is not None:
            record = await self.store.get(f"key:{name.decode()}")
            account = Account.from_json(record) if record else None
        found = account if account is not None and not account.revoked else None
        if len(self._found) > 10_000:  # made-up keys must not grow it without end
            self._found.clear()
        self._found[digest] = (now, found)
        return found

    async def add(
        self,
        name: str,
        *,
        requests_per_minute: int | None = None,
        characters_per_month: int | None = None,
    ) -> str:
        """A new key; its secret is returned once and stored only as a hash."""
        if not _NAME.match(name) or name == ANONYMOUS:
            raise InvalidField(
                "A key's name is 1–64 letters, digits, '.', '_' or '-', starting with a letter "
                f"or digit (and not {ANONYMOUS!r}: the usage of callers without a key).",
                field="name",
            )
        if await self.store.get(f"key:{name}") is not None:
            raise InvalidField(f"A key named {name!r} exists already.", field="name")
        secret = SECRET_PREFIX + secrets.token_urlsafe(24)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        account = Account(name, requests_per_minute, characters_per_month, created)
        # The account first, its hash last: a key half-added (the store failing between the
        # two) cannot be used, and `add` can be run again.
        await self.store.set(f"key:{name}", account.to_json())
        await self.store.add("keys:added", 1)
        await self.store.set(f"keyhash:{key_hash(secret)}", name.encode())
        return secret

    async def list(self) -> list[Account]:
        names = sorted(k.removeprefix("key:") for k in await self.store.scan("key:"))
        accounts = []
        for name in names:
            record = await self.store.get(f"key:{name}")
            if record is not None:
                accounts.append(Account.from_json(record))
        return accounts

    async def get(self, name: str) -> Account:
        record = await self.store.get(f"key:{name}")
        if record is None:
            raise NotFound(f"No key named {name!r}.")
        return Account.from_json(record)

    async def revoke(self, name: str) -> Account:
        account = await self.get(name)
        if not account.revoked:
            account = replace(account, revoked=True)
            await self.store.set(f"key:{name}", account.to_json())
        return account
