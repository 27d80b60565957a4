"""Who may call: the caller found once per request, wherever its dialect puts its key; keys,
rate limits and quotas from service/accounts (kept in the store, so they hold across
replicas); the CORS allow-list.

`Access.admit` is the one door: it finds the key (`caller_key`), asks the accounts who that
is (refusing a missing or unknown key when the server has keys), counts the request against
the caller's rate limit, and leaves the Caller on the request's state, where billing, the
access log and the RateLimit-* headers read it. /v1 admits in a guard (its key is in a
header); the dialects and the form admit in the handler, once they have read the body.
"""

from __future__ import annotations

from typing import Any

from litestar.config.cors import CORSConfig
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.accounts.callers import Accounts, Caller
from service.accounts.keys import key_id
from service.accounts.usage import Charge
from service.http.bodies import Params
from service.settings import Settings

# Body, form or query fields a key may arrive in: LibreTranslate's, and DeepL's legacy one.
KEY_FIELDS = ("api_key", "auth_key")


def presented_key(headers: Any) -> str | None:
    """`Authorization: Bearer <key>`, or DeepL's `DeepL-Auth-Key <key>`."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return (
        token.strip() if scheme.lower() in ("bearer", "deepl-auth-key") and token.strip() else None
    )


def caller_key(headers: Any, found: Params | None = None) -> str | None:
    """The caller's key: the `Authorization` header (Bearer or DeepL-Auth-Key), else a
    `api_key` / `auth_key` field of the body (JSON, form, multipart) or the query."""
    key = presented_key(headers)
    if key is None and found is not None:
        key = next((v for v in map(found.one, KEY_FIELDS) if v), None)
    return key


class Access:
    """The door every route that does work goes through (a guard on /v1)."""

    def __init__(self, accounts: Accounts, settings: Settings) -> None:
        self.accounts = accounts
        self.open_form = settings.open_form
        self.form_per_minute = settings.form_rate_limit_per_minute

    async def required(self) -> bool:
        """Whether calls need a key (any configured, or any managed key live)."""
        return await self.accounts.keys.required()

    async def form_needs_key(self) -> bool:
        """With keys, the form's posts take one too, unless the operator opened them."""
        return not self.open_form and await self.required()

    async def admit(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        found: Params | None = None,
        *,
        form: bool = False,
        need_key: bool = True,
    ) -> Caller:
        key = caller_key(connection.headers, found)
        if key:  # named in the access log even when it is refused
            connection.state.key_id = key_id(key)
        address = connection.client.host if connection.client else "unknown"
        open_form = form and self.open_form and await self.required()
        caller, allowance = await self.accounts.admit(
            key,
            address,
            need_key=need_key and not open_form,
            per_address=self.form_per_minute if open_form else None,
        )
        connection.state.caller = caller
        if allowance is not None:
            connection.state.rate = allowance
        return caller

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        await self.admit(connection)

    def __deepcopy__(self, memo: dict[int, Any]) -> Access:
        # Litestar deep-copies a router (its guards too) when it registers it: the copy must
        # be this one, with the one store, not a second set of accounts and counters.
        return self

    async def hold(self, connection: ASGIConnection[Any, Any, Any, Any], chars: int) -> Charge:
        """Hold `chars` against the admitted caller's quota (429/456 past it)."""
        caller: Caller = connection.state.caller
        return await self.accounts.hold(caller, chars)


def cors_config(settings: Settings) -> CORSConfig | None:
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if not origins:
        return None  # no CORS headers at all: browsers on other origins are refused
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
