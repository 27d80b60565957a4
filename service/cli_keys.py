"""`roen keys …`: API keys and their usage, managed in the store the servers use (the same
ROEN_STORE_URL / ROEN_DATA_DIR), while they run: a change reaches every replica within
ROEN_KEY_CACHE_S. The secret is printed once, by `add`; the store keeps only its hash."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from service.settings import Settings


def _run(work: Callable[[Any], Awaitable[int]]) -> int:
    from service.accounts.callers import Accounts
    from service.store.factory import open_store

    settings = Settings()

    async def main() -> int:
        store = open_store(settings)
        try:
            return await work(Accounts(store, settings))
        finally:
            await store.close()

    return asyncio.run(main())


def _limit(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def cmd_add(args: argparse.Namespace) -> int:
    async def work(accounts: Any) -> int:
        secret = await accounts.keys.add(
            args.name,
            requests_per_minute=args.requests_per_minute,
            characters_per_month=args.characters_per_month,
        )
        print(secret)
        return 0

    return _run(work)


def cmd_list(args: argparse.Namespace) -> int:
    async def work(accounts: Any) -> int:
        rows = await accounts.keys.list()
        if args.json:
            for a in rows:
                print(a.to_json().decode())
            return 0
        print(f"{'name':24} {'req/min':>9} {'chars/month':>14}  created                    state")
        for a in rows:
            state = "revoked" if a.revoked else "active"
            print(
                f"{a.name:24} {_limit(a.requests_per_minute):>9} "
                f"{_limit(a.characters_per_month):>14}  {a.created:26} {state}"
            )
        return 0

    return _run(work)


def cmd_revoke(args: argparse.Namespace) -> int:
    async def work(accounts: Any) -> int:
        await accounts.keys.revoke(args.name)
        print(f"revoked {args.name}")
        return 0

    return _run(work)


def cmd_usage(args: argparse.Namespace) -> int:
    from service.accounts.usage import month, resets_at

    async def work(accounts: Any) -> int:
        names = [args.name] if args.name else [a.name for a in await accounts.keys.list()]
        rows = []
        for name in names:
            account = await accounts.keys.get(name)
            used = await accounts.usage.used(name)
            rows.append((name, used, account.characters_per_month))
        if args.json:
            for name, used, quota in rows:
                row = {"name": name, "month": month(), "characters": used, "limit": quota}
                print(json.dumps(row))
            return 0
        print(f"{month()} (resets {resets_at()})")
        for name, used, quota in rows:
            print(f"{name:24} {used:>14,} of {_limit(quota)}")
        return 0

    return _run(work)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def add_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage API keys, their limits and usage")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    add = ksub.add_parser("add", help="create a key; its secret is printed once")
    add.add_argument("name", help="a name for the key (its holder): letters, digits, . _ -")
    add.add_argument(
        "--requests-per-minute", type=_positive, metavar="N", help="default: the server's"
    )
    add.add_argument(
        "--characters-per-month", type=_positive, metavar="N", help="a quota (default: none)"
    )
    add.set_defaults(func=cmd_add)
    ls = ksub.add_parser("list", help="the keys, their limits and state (never the secrets)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    rv = ksub.add_parser("revoke", help="stop a key (every replica within seconds)")
    rv.add_argument("name")
    rv.set_defaults(func=cmd_revoke)
    us = ksub.add_parser("usage", help="characters billed this month, per key")
    us.add_argument("name", nargs="?")
    us.add_argument("--json", action="store_true")
    us.set_defaults(func=cmd_usage)
