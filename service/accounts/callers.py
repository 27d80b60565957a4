"""Who is calling, once per request: the account a key belongs to (or none), checked,
and counted against its rate limit. Auth, limits, quotas, usage and the access log all read
the one Caller this returns."""

from __future__ import annotations

from dataclasses import dataclass

from service.accounts.keys import ANONYMOUS, Account, KeyBook
from service.accounts.limits import Allowance, RateLimits
from service.accounts.usage import Charge, Usage
from service.errors import Forbidden, Unauthenticated
from service.settings import Settings
from service.store.base import Store


@dataclass(frozen=True, slots=True)
class Caller:
    account: Account | None
    address: str

    @property
    def name(self) -> str:
        """Whose usage this is: the account, or everyone without one."""
        return self.account.name if self.account else ANONYMOUS


class Accounts:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.keys = KeyBook(store, settings.keys(), cache_s=settings.key_cache_s)
        self.limits = RateLimits(store)
        self.usage = Usage(store, settings.request_timeout_s)
        self.per_minute = settings.rate_limit_per_minute

    async def admit(
        self,
        secret: str | None,
        address: str,
        *,
        need_key: bool = True,
        per_address: int | None = None,
    ) -> tuple[Caller, Allowance | None]:
        """The caller of a request, checked and counted. `need_key`: refuse it without a
        valid key when the server has keys; `per_address`: count it by address against this
        limit instead (an open web form: ROEN_FORM_RATE_LIMIT_PER_MINUTE)."""
        account = await self.keys.find(secret) if secret else None
        caller = Caller(account, address)
        refused = need_key and account is None and await self.keys.required()
        # Counted before a refusal too: guessing keys costs a caller its address's requests.
        allowance = await self._count(caller, per_address)
        if refused:
            if secret is None:
                raise Unauthenticated("Send your API key as `Authorization: Bearer <key>`.")
            raise Forbidden("This API key is not accepted by this server.")
        return caller, allowance

    async def _count(self, caller: Caller, per_address: int | None) -> Allowance | None:
        if per_address is not None:
            return await self.limits.take(
                f"form:{caller.address}", per_address, "ROEN_FORM_RATE_LIMIT_PER_MINUTE"
            )
        account = caller.account
        own = account.requests_per_minute if account else None
        limit = own or self.per_minute
        if not limit:
            return None
        setting = "this key's requests per minute" if own else "ROEN_RATE_LIMIT_PER_MINUTE"
        who = f"key:{account.name}" if account else f"addr:{caller.address}"
        return await self.limits.take(who, limit, setting)

    async def hold(self, caller: Caller, chars: int) -> Charge:
        return await self.usage.hold(caller.name, caller.account, chars)
