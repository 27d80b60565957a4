"""Characters billed per account and month, as DeepL bills them: the source characters of
what was translated. A call with a quota holds its characters before the work (so that
replicas racing each other cannot pass the quota together), and counts them once when it is
answered; a call that fails releases its hold, and the hold of a process that died lapses
(`HOLD_S`): nothing is counted for work that was not delivered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from service.accounts.keys import Account
from service.errors import QuotaExceeded
from service.store.base import Store

# A hold lasts a little longer than the longest request may (ROEN_REQUEST_TIMEOUT_S).
HOLD_MARGIN_S = 60.0


def month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def resets_at(now: datetime | None = None) -> str:
    """The first instant of next month (UTC), when monthly quotas start again."""
    now = now or datetime.now(UTC)
    year, mon = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, mon, 1, tzinfo=UTC).isoformat(timespec="seconds")


class Charge:
    """One call's characters against its account: `commit()` once answered, `release()`
    otherwise (idempotent: the first of them decides)."""

    def __init__(self, usage: Usage, key: str, chars: int, member: str | None) -> None:
        self._usage, self.key, self.chars, self._member = usage, key, chars, member
        self.settled = False

    async def commit(self, chars: int | None = None) -> None:
        if self.settled:
            return
        self.settled = True
        billed = self.chars if chars is None else chars
        if self._member is None:
            await self._usage.store.add(self.key, billed)
        else:
            await self._usage.store.commit(self.key, self._member, billed)

    async def release(self) -> None:
        if self.settled:
            return
        self.settled = True
        if self._member is not None:
            await self._usage.store.release(self.key, self._member)


class Usage:
    def __init__(self, store: Store, request_timeout_s: float) -> None:
        self.store = store
        self.hold_s = request_timeout_s + HOLD_MARGIN_S

    def key(self, name: str, when: datetime | None = None) -> str:
        return f"usage:{name}:{month(when)}"

    async def hold(self, name: str, account: Account | None, chars: int) -> Charge:
        """Hold `chars` for `name`'s call: QuotaExceeded if it would pass the quota."""
        key = self.key(name)
        limit = account.characters_per_month if account else None
        if limit is None:
            return Charge(self, key, chars, None)
        member = uuid.uuid4().hex
        hold = await self.store.reserve(key, member, chars, limit, self.hold_s)
        if not hold.granted:
            used, resets = hold.used + hold.held, resets_at()
            raise QuotaExceeded(
                f"This key's monthly quota is {limit:,} characters; {used:,} are used, and "
                f"this request needs {chars:,}. It resets at {resets}.",
                limit=limit,
                used=used,
                resets_at=resets,
            )
        return Charge(self, key, chars, member)

    async def used(self, name: str) -> int:
        return await self.store.counter(self.key(name))
