"""Which addresses a fetch may connect to. Public ones only: a link must not reach what the
server can reach and the caller cannot. A host spelled as an address is read here as the OS
would read it (`inet_aton`: 2130706433, 0177.0.0.1, 0x7f.1, 127.1 are all 127.0.0.1), so that
no spelling slips past as a "name"."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from service.fetch.types import Network

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Refused whatever the spelling (RFC 6890 and the IANA special-purpose registries). The first
# match names the reason, so the narrow entries come before the ranges that hold them.
REFUSED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "unspecified ('this network')"),
    (_V4("10.0.0.0/8"), "private (RFC 1918)"),
    (_V4("100.64.0.0/10"), "shared carrier-grade NAT (RFC 6598)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.169.254/32"), "link-local (the cloud metadata endpoint)"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private (RFC 1918)"),
    (_V4("192.0.0.0/24"), "IETF protocol assignment"),
    (_V4("192.0.2.0/24"), "documentation (TEST-NET-1)"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast"),
    (_V4("192.168.0.0/16"), "private (RFC 1918)"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation (TEST-NET-2)"),
    (_V4("203.0.113.0/24"), "documentation (TEST-NET-3)"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved"),
)
REFUSED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/96"), "IPv4-compatible (deprecated)"),
    (_V6("64:ff9b:1::/48"), "local-use NAT64"),
    (_V6("100::/64"), "discard-only"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("fc00::/7"), "unique local (ULA)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local (deprecated)"),
    (_V6("ff00::/8"), "multicast"),
)
# IPv6 forms that carry an IPv4 address in their last 32 bits: reaching one can reach that
# IPv4 host (through a translator or relay), so the IPv4 address is checked too.
_LOW_32 = (
    (_V6("::ffff:0:0:0/96"), "IPv4-translated"),
    (_V6("64:ff9b::/96"), "NAT64"),
    (_V6("::/96"), "IPv4-compatible"),
)

_NUMERIC = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL's host spells (brackets already removed, any zone id too), or None
    for a name. A host whose last label is a number is an IPv4 address to a browser and to
    `inet_aton`; one that is then no valid address (1.2.3.999, foo.123) raises ValueError
    rather than going to DNS as a name."""
    if ":" in host:
        return ipaddress.IPv6Address(host)
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()  # a trailing dot: "127.0.0.1." is still the address
    if not _NUMERIC.fullmatch(labels[-1]):
        return None
    if len(labels) > 4 or not all(_NUMERIC.fullmatch(label) for label in labels):
        raise ValueError(f"{host!r} looks like an IP address but is not one")
    try:
        parts = [_number(label) for label in labels]
    except ValueError:  # "08": not octal
        raise ValueError(f"{host!r} looks like an IP address but is not one") from None
    # inet_aton: every part but the last is one byte; the last fills the bytes left over
    # (127.1 is 127.0.0.1, 2130706433 is one 32-bit number).
    if any(p > 255 for p in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        raise ValueError(f"{host!r} looks like an IP address but is out of range")
    value = parts[-1]
    for i, part in enumerate(parts[:-1]):
        value += part << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _number(label: str) -> int:
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)  # octal, as inet_aton reads it; "08" raises ValueError
    return int(label)


def canonical(addr: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address is the IPv4 host itself: checked and connected as one."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def refusal(addr: IPAddress, allow: Iterable[Network] = ()) -> str | None:
    """Why `addr` may not be fetched, or None when it may: public, or inside an explicit
    allowance."""
    addr = canonical(addr)
    if any(addr in net for net in allow):
        return None
    if isinstance(addr, ipaddress.IPv4Address):
        return _why_v4(addr)
    for form, inner in _embedded(addr):
        why = _why_v4(inner)
        if why is not None:
            return f"{why}, as {form} ({inner})"
    for net6, why6 in REFUSED_V6:
        if addr in net6:
            return why6
    return None if addr.is_global else "not globally routable"


def _why_v4(addr: ipaddress.IPv4Address) -> str | None:
    for net, why in REFUSED_V4:
        if addr in net:
            return why
    # Anything else Python's registry knows as not global (a safety net for new ranges).
    return None if addr.is_global else "not globally routable"


def _embedded(addr: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    found: list[tuple[str, ipaddress.IPv4Address]] = []
    if addr.sixtofour is not None:
        found.append(("6to4", addr.sixtofour))
    if addr.teredo is not None:
        found.append(("Teredo", addr.teredo[1]))  # the client behind the tunnel
    for net, form in _LOW_32:
        if addr in net and int(addr) > 1:  # not :: or ::1, which are themselves
            found.append((form, ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)))
    return found
