"""What a URL may name before anything is resolved or connected: http or https, no userinfo,
a host, a port. The URL is parsed once, here; the connection is then built from these parts
(the checked address, the path), never from the string again, so no second parser can read
it differently."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from service.fetch.addresses import IPAddress, canonical, parse_ip_host
from service.fetch.errors import FetchRefused

MAX_URL_CHARS = 8192
SCHEMES = {"http": 80, "https": 443}
# A name as DNS spells it (after IDNA). Anything else, a percent sign say, is refused rather
# than handed to a resolver that may decode it differently.
_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Target:
    """One checked URL."""

    url: str
    scheme: str
    host: str  # lowercase ASCII name, or the canonical address when spelled as one
    port: int
    ip: IPAddress | None  # the host, when it is spelled as an address
    path: str  # path and query, as sent ("/" at least); the fragment stays with the client
    zone: str | None = None  # an IPv6 zone id ([fe80::1%25eth0]), refused once the address is

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"

    def pinned_url(self, addr: IPAddress) -> str:
        """The URL that connects to `addr` itself: nothing is resolved again after the check."""
        host = f"[{addr}]" if isinstance(addr, ipaddress.IPv6Address) else str(addr)
        return f"{self.scheme}://{host}:{self.port}{self.path}"


def check_url(url: str) -> Target:
    def refuse(why: str) -> FetchRefused:
        return FetchRefused(f"{_shown(url)}: {why}.")

    if len(url) > MAX_URL_CHARS:
        raise refuse(f"longer than {MAX_URL_CHARS} characters")
    if _CONTROL_OR_SPACE.search(url):
        raise refuse("the URL holds spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:  # a bad port, unbalanced brackets
        raise refuse(f"not a valid URL ({err})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise refuse(f"the scheme {scheme or '(none)'!r} is not fetched; only http and https")
    if "@" in parts.netloc:
        raise refuse("credentials in the URL (user@host) are not sent")
    if not parts.hostname:
        raise refuse("no host")
    if port == 0:
        raise refuse("port 0")
    host, ip, zone = _host(parts.hostname, bracketed=parts.netloc.startswith("["), refuse=refuse)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host, port or SCHEMES[scheme], ip, path, zone)


def _host(
    hostname: str, *, bracketed: bool, refuse: Callable[[str], FetchRefused]
) -> tuple[str, IPAddress | None, str | None]:
    if bracketed:
        literal, zone_sep, zone = hostname.partition("%")
        try:
            address = canonical(ipaddress.IPv6Address(literal))
        except ValueError:
            raise refuse(f"{hostname!r} is not an IPv6 address") from None
        # RFC 6874 spells the zone's "%" as "%25"; some write it bare.
        named = unquote(zone_sep + zone).removeprefix("%") if zone_sep else None
        return str(address), address, named
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise refuse(f"{hostname!r} is not a valid host name") from None
    try:
        ip = parse_ip_host(host)
    except ValueError as err:
        raise refuse(str(err)) from None
    if ip is not None:
        return str(ip), ip, None
    if not _NAME.fullmatch(host):
        raise refuse(f"{hostname!r} is not a valid host name")
    return host, None, None


def _shown(url: str) -> str:
    """The URL as a detail quotes it: bounded, and control characters escaped."""
    shown = url if len(url) <= 200 else url[:200] + "…"
    return _CONTROL_OR_SPACE.sub(lambda m: f"%{ord(m.group()):02X}", shown)
