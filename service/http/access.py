"""Who may call: optional API keys, per-key rate limits, CORS allow-list.

The caller's key is found in one place (`caller_key`), wherever its dialect puts it, and
`ApiKeyGuard.admit` both checks it and records its hash for the access log: every route
that takes a key goes through it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from litestar import Request
from litestar.config.cors import CORSConfig
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.memory import MemoryStore

from service.errors import Forbidden, Unauthenticated
from service.http.bodies import Params
from service.settings import Settings

OPEN_PATHS = ("/health", "/metrics", "/static", "/docs", "/favicon.ico")
RATE_LIMIT_STORE = "roen_rate_limit"
FORM_RATE_LIMIT_STORE = "roen_form_rate_limit"


def key_id(key: str) -> str:
    """A short, stable name for a key in logs and rate-limit buckets — never the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def presented_key(headers: Any) -> str | None:
    """`Authorization: Bearer <key>`, or DeepL's `DeepL-Auth-Key <key>`."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return (
        token.strip() if scheme.lower() in ("bearer", "deepl-auth-key") and token.strip() else None
    )


# Body, form or query fields a key may arrive in: LibreTranslate's, and DeepL's legacy one.
KEY_FIELDS = ("api_key", "auth_key")


def caller_key(headers: Any, found: Params | None = None) -> str | None:
    """The caller's key: the `Authorization` header (Bearer or DeepL-Auth-Key), else a
    `api_key` / `auth_key` field of the body (JSON, form, multipart) or the query."""
    key = presented_key(headers)
    if key is None and found is not None:
        key = next((v for v in map(found.one, KEY_FIELDS) if v), None)
    return key


class ApiKeyGuard:
    """A Litestar guard: 401 without a key, 403 with one that is not configured."""

    def __init__(self, keys: list[str]) -> None:
        self._keys = [k.encode() for k in keys]

    @property
    def required(self) -> bool:
        """Whether any key is configured (with none, the API is open)."""
        return bool(self._keys)

    def check(self, key: str | None) -> None:
        if key is None:
            raise Unauthenticated("Send your API key as `Authorization: Bearer <key>`.")
        candidate = key.encode()
        # compare_digest with every key (no early exit): timing says nothing about which matched
        matched = [hmac.compare_digest(candidate, k) for k in self._keys]
        if not any(matched):
            raise Forbidden("This API key is not accepted by this server.")

    def admit(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        found: Params | None = None,
        *,
        required: bool = True,
    ) -> None:
        """Check the caller's key when keys are configured (and `required` here), and note
        its hash for the access log."""
        key = caller_key(connection.headers, found)
        if self.required and required:
            self.check(key)
        if key:
            connection.state.key_id = key_id(key)

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        """Async: Litestar runs a sync guard in a worker thread, a hop per request."""
        self.admit(connection)


def identity_of(keys: list[str]) -> Callable[[Request[Any, Any, Any]], str]:
    """Who a request counts as, for rate limits: something the client cannot choose. A
    configured key names its holder; anything else (no key, a made-up one) is counted by
    the peer address — which uvicorn takes from X-Forwarded-For only when the peer is one
    of ROEN_TRUSTED_PROXIES."""
    valid = {key_id(k) for k in keys}

    def identity(request: Request[Any, Any, Any]) -> str:
        key = presented_key(request.headers)
        if key and key_id(key) in valid:
            return "key:" + key_id(key)
        return "addr:" + (request.client.host if request.client else "unknown")

    return identity


class BoundedMemoryStore(MemoryStore):
    """The rate limiter's buckets, at most `max_entries` of them: expired ones are dropped
    first, then the oldest — a flood of made-up clients cannot grow memory without end."""

    def __init__(self, max_entries: int) -> None:
        super().__init__()
        self.max_entries = max_entries

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        await super().set(key, value, expires_in)
        if len(self._store) > self.max_entries:
            await self.delete_expired()
            while len(self._store) > self.max_entries:
                self._store.pop(next(iter(self._store)))


def rate_limit_config(settings: Settings) -> RateLimitConfig | None:
    if not settings.rate_limit_per_minute:
        return None
    return RateLimitConfig(
        rate_limit=("minute", settings.rate_limit_per_minute),
        exclude=[f"^{p}" for p in OPEN_PATHS],
        identifier_for_request=identity_of(settings.keys()),
        store=RATE_LIMIT_STORE,
    )


def form_rate_limit_config(settings: Settings) -> RateLimitConfig | None:
    """An open form (keys configured, ROEN_OPEN_FORM) is the one keyless door to the
    models: each address gets its own, lower limit there, on top of the general one."""
    if not (settings.keys() and settings.open_form):
        return None
    return RateLimitConfig(
        rate_limit=("minute", settings.form_rate_limit_per_minute),
        check_throttle_handler=lambda request: request.method == "POST",  # not the page
        identifier_for_request=lambda r: "form:" + (r.client.host if r.client else "unknown"),
        store=FORM_RATE_LIMIT_STORE,
    )


def cors_config(settings: Settings) -> CORSConfig | None:
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if not origins:
        return None  # no CORS headers at all: browsers on other origins are refused
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
