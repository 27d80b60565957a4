"""Glossaries kept in the store, per owner: a key sees, uses and deletes only its own (the
server's callers without keys share one book). Every replica reads the same store, so a
glossary made through one is used by all; a compiled matcher is cached by the entries'
fingerprint, so an edit is never matched with its old entries."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from service.errors import InvalidField, LimitExceeded, NotFound
from service.store.base import Store
from service.terms.glossary import MAX_ENTRY_BYTES, Entry, as_tsv, check_size, fingerprint
from service.terms.match import Matcher

MAX_GLOSSARIES = 1000  # per owner, as DeepL's per account
INLINE_ENTRIES = 50  # compiled on the event loop up to so many (well under a millisecond)


# Compiled matchers kept, counted in entries (a matcher costs ~10 KB a hundred entries).
MATCHER_ENTRIES_CACHED = 100_000


@dataclass(frozen=True, slots=True)
class Glossary:
    id: str
    name: str
    created: str  # ISO 8601 with milliseconds and Z, as DeepL writes it
    entries: tuple[Entry, ...]

    @property
    def entry_count(self) -> int:
        return len(self.entries)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "id": self.id,
                "name": self.name,
                "created": self.created,
                "entries": [[e.source, e.target, int(e.keep)] for e in self.entries],
            },
            ensure_ascii=False,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Glossary:
        raw = json.loads(data)
        entries = tuple(Entry(s, t, bool(k)) for s, t, k in raw["entries"])
        return cls(raw["id"], raw["name"], raw["created"], entries)


def glossary_id(value: str) -> str:
    """A glossary id as DeepL writes them (a UUID), or a 400."""
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        raise InvalidField("Value for 'glossary_id' not supported.", field="glossary_id") from None


def glossary_name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidField("Parameter 'name' not specified.", field="name")
    if len(name.encode("utf-8")) > MAX_ENTRY_BYTES or any(c in name for c in "\n\r\t"):
        raise InvalidField(
            f"A glossary's name is one line of at most {MAX_ENTRY_BYTES} bytes.", field="name"
        )
    return name


class GlossaryBook:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._matchers: OrderedDict[str, Matcher] = OrderedDict()
        self._cached_entries = 0

    async def create(self, owner: str, name: str, entries: list[Entry]) -> Glossary:
        if len(await self.store.scan(_prefix(owner), limit=MAX_GLOSSARIES)) >= MAX_GLOSSARIES:
            raise LimitExceeded(
                f"A key keeps at most {MAX_GLOSSARIES} glossaries: delete some first.",
                limit=MAX_GLOSSARIES,
            )
        now = datetime.now(UTC)
        created = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        glossary = Glossary(str(uuid.uuid4()), name, created, tuple(entries))
        await self.store.set(_key(owner, glossary.id), glossary.to_json())
        return glossary

    async def get(self, owner: str, id_: str) -> Glossary:
        return Glossary.from_json(await self._read(owner, id_))

    async def _read(self, owner: str, id_: str) -> bytes:
        data = await self.store.get(_key(owner, glossary_id(id_)))
        if data is None:  # another key's glossary is as unknown as one never made
            raise NotFound("Glossary not found")
        return data

    async def stored_matcher(self, owner: str, id_: str) -> Matcher:
        """A stored glossary's matcher, compiled once per content: a request naming it costs
        a store read and a hash of its bytes, not a parse (an edit changes the bytes)."""
        data = await self._read(owner, id_)
        key = "stored:" + hashlib.blake2b(data, digest_size=16).hexdigest()
        found = self._cached(key)
        if found is None:
            entries = list(Glossary.from_json(data).entries)
            found = self._cache(key, await _compiled(entries))
        return found

    async def owned(self, owner: str) -> list[Glossary]:
        out = []
        for key in await self.store.scan(_prefix(owner), limit=MAX_GLOSSARIES):
            data = await self.store.get(key)
            if data is not None:  # deleted between the scan and the read
                out.append(Glossary.from_json(data))
        return sorted(out, key=lambda g: (g.created, g.id))

    async def save(self, owner: str, glossary: Glossary) -> Glossary:
        """An edited glossary (renamed, entries merged or replaced), under the same id; still
        within the size limit (merges add up)."""
        check_size(len(as_tsv(glossary.entries).encode("utf-8")))
        await self.get(owner, glossary.id)  # still there, and this owner's
        await self.store.set(_key(owner, glossary.id), glossary.to_json())
        return glossary

    async def delete(self, owner: str, id_: str) -> None:
        if not await self.store.delete(_key(owner, glossary_id(id_))):
            raise NotFound("Glossary not found")

    async def matcher(self, entries: list[Entry]) -> Matcher:
        """A request's own entries compiled (the same entries again: the same matcher)."""
        if not entries:
            return Matcher([])
        key = fingerprint(entries)
        return self._cached(key) or self._cache(key, await _compiled(entries))

    def _cached(self, key: str) -> Matcher | None:
        found = self._matchers.get(key)
        if found is not None:
            self._matchers.move_to_end(key)
        return found

    def _cache(self, key: str, matcher: Matcher) -> Matcher:
        self._matchers[key] = matcher
        self._cached_entries += matcher.size
        while self._cached_entries > MATCHER_ENTRIES_CACHED and len(self._matchers) > 1:
            self._cached_entries -= self._matchers.popitem(last=False)[1].size
        return matcher


async def _compiled(entries: list[Entry]) -> Matcher:
    """A matcher built off the event loop when it is more than a few entries (a 10 MiB
    glossary takes seconds)."""
    if len(entries) <= INLINE_ENTRIES:
        return Matcher(entries)
    return await anyio.to_thread.run_sync(Matcher, entries)


def _prefix(owner: str) -> str:
    # The owner hashed: a fixed length, so no owner's prefix is the start of another's
    # ("env" and "env:<hash>").
    return f"glossary:{hashlib.blake2b(owner.encode(), digest_size=12).hexdigest()}:"


def _key(owner: str, id_: str) -> str:
    return _prefix(owner) + id_
