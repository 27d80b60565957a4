"""What a fetch is given and what it returns."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# (host, port) → the addresses it resolves to, as strings. Tests inject fakes; the default
# (`resolve.system_resolver`) asks the OS, off the event loop.
Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 2 * 1024 * 1024  # of the decoded body (a compressed body is inflated)
    timeout_s: float = 10.0  # the whole fetch: resolving, connecting, redirects, the body
    max_redirects: int = 5
    # Explicit exceptions to the address checks: the tests' 127.0.0.0/8, an operator's
    # intranet. Nothing is allowed by default.
    allow_networks: tuple[Network, ...] = ()
    user_agent: str = "roen/0.1 (self-hosted translation service; fetching a page to digest)"


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str  # text/html, application/xhtml+xml or text/plain (no parameters)
    text: str  # decoded (see decode.py for where the charset comes from)

    @property
    def markup(self) -> Literal["text", "html"]:
        """How the page is read: "html" (a page, its article extracted) or "text"."""
        return "text" if self.content_type == "text/plain" else "html"
