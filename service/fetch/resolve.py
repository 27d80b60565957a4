"""From a checked URL to the addresses a fetch may connect to. Every address a name
resolves to is checked, not only the one that would be used: a name that answers one public
and one private address is refused, since which one a client picks is not ours to rely on."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from service.fetch.addresses import IPAddress, canonical, refusal
from service.fetch.errors import FetchFailed, FetchRefused
from service.fetch.types import FetchPolicy, Resolver
from service.fetch.urls import Target


async def system_resolver(host: str, port: int) -> list[str]:
    """The OS's answer (getaddrinfo runs in the loop's executor, so a slow DNS server does
    not stall the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    target: Target, policy: FetchPolicy, resolve: Resolver
) -> list[IPAddress]:
    """Every address of the target, each allowed; the connection then goes to one of these
    and to nothing resolved later (a DNS answer that changes after the check is not used)."""
    if target.ip is not None:
        found = [target.ip]
    else:
        found = await _resolved(target, resolve)
    for addr in found:
        why = refusal(addr, policy.allow_networks)
        if why is not None:
            named = "" if target.ip is not None else f"{target.host} resolves to "
            raise FetchRefused(
                f"{target.url}: {named}{addr}, which is {why}; only public addresses are fetched."
            )
    if target.zone is not None:
        # The address passed (an allowance); the zone still names one of this server's own
        # interfaces, which no link from outside has any business choosing.
        raise FetchRefused(f"{target.url}: the zone id {target.zone!r} names a local interface.")
    return list(dict.fromkeys(canonical(addr) for addr in found))


async def _resolved(target: Target, resolve: Resolver) -> list[IPAddress]:
    try:
        answers = await resolve(target.host, target.port)
    except OSError as err:  # socket.gaierror: no such name, no DNS
        raise FetchFailed(f"{target.url}: {target.host} could not be resolved ({err}).") from None
    if not answers:
        raise FetchFailed(f"{target.url}: {target.host} has no address.")
    found: list[IPAddress] = []
    for answer in answers:
        try:
            found.append(ipaddress.ip_address(answer))
        except ValueError:
            raise FetchRefused(
                f"{target.url}: {target.host} resolved to {answer!r}, which is not an address."
            ) from None
    return found
