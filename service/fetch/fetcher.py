"""`fetch_page`: a link in, a page's text out, under a policy. Redirects are followed here, by
hand, so that every hop goes through the same checks as the first URL."""

from __future__ import annotations

import asyncio
import functools
import ssl
from urllib.parse import urljoin

import httpx

from service.fetch.addresses import IPAddress
from service.fetch.body import ENCODINGS, read_capped
from service.fetch.decode import PAGE_TYPES, decode, media_type, sniff
from service.fetch.errors import FetchFailed, FetchRefused, FetchTimedOut
from service.fetch.resolve import checked_addresses, system_resolver
from service.fetch.types import FetchedPage, FetchPolicy, Resolver
from service.fetch.urls import Target, check_url

REDIRECTS = {301, 302, 303, 307, 308}
ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.8"


async def fetch_page(
    url: str,
    policy: FetchPolicy,
    resolve: Resolver | None = None,
    *,
    tls: ssl.SSLContext | None = None,
) -> FetchedPage:
    """The page at `url`, or a `FetchRefused`, `FetchFailed`, `FetchTooLarge` or
    `FetchTimedOut` that says why not. `tls` verifies https (default: the certifi roots, as
    httpx's default; an operator's intranet CA, or a test's, goes here)."""
    try:
        async with asyncio.timeout(policy.timeout_s):
            return await _follow(url, policy, resolve or system_resolver, tls or _default_tls())
    except (TimeoutError, httpx.TimeoutException):
        raise FetchTimedOut(f"{url}: no complete page within {policy.timeout_s:g} s.") from None
    except httpx.RemoteProtocolError as err:  # malformed, cut short, headers over 100 KiB
        raise FetchFailed(f"{url}: not a valid HTTP answer ({err}).") from None
    except httpx.HTTPError as err:
        raise FetchFailed(f"{url}: the transfer failed ({err}).") from None


async def _follow(
    url: str, policy: FetchPolicy, resolve: Resolver, tls: ssl.SSLContext
) -> FetchedPage:
    current = url
    for _hop in range(policy.max_redirects + 1):
        target = check_url(current)
        addresses = await checked_addresses(target, policy, resolve)
        # A client per hop: its connection belongs to one checked (address, hostname) pair, so
        # a TLS connection verified for one name never carries a request for another, and no
        # cookie a hop sets is sent to the next.
        async with _client(policy, tls) as client:
            response = await _send(client, target, addresses, policy)
            try:
                if response.status_code in REDIRECTS:
                    current = _next_url(target, response)
                    continue
                return await _page(url, target, response, policy)
            finally:
                await response.aclose()
    raise FetchRefused(f"{url}: more than {policy.max_redirects} redirects.")


def _client(policy: FetchPolicy, tls: ssl.SSLContext) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        verify=tls,
        trust_env=False,  # no proxy, no .netrc, no SSL_CERT_FILE from the environment
        follow_redirects=False,  # followed in _follow, each hop checked
        timeout=httpx.Timeout(policy.timeout_s),
        limits=httpx.Limits(max_connections=1),
    )


async def _send(
    client: httpx.AsyncClient, target: Target, addresses: list[IPAddress], policy: FetchPolicy
) -> httpx.Response:
    """Connect to the checked addresses in turn (the next only when one cannot be reached),
    each by its address: the name is sent in Host and, for https, in SNI, and the certificate
    is verified against it (httpcore's `sni_hostname`: the TLS server_hostname, which
    `check_hostname` verifies)."""
    headers = {
        "Host": target.host_header,
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": ENCODINGS,
    }
    # For https to a name: SNI and the certificate check use the name. To an address literal
    # nothing is needed: the address is the name the certificate must hold.
    named_https = target.scheme == "https" and target.ip is None
    extensions = {"sni_hostname": target.host} if named_https else {}
    failures: list[str] = []
    for addr in addresses:
        request = client.build_request(
            "GET", target.pinned_url(addr), headers=headers, extensions=extensions
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError as err:  # refused, unreachable, a certificate not for host
            failures.append(f"{addr}: {err}")
    raise FetchFailed(f"{target.url}: could not connect ({'; '.join(failures)}).")


def _next_url(target: Target, response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        raise FetchFailed(
            f"{target.url}: a {response.status_code} redirect without a Location.",
            status=response.status_code,
        )
    return urljoin(target.url, location.strip())


async def _page(
    url: str, target: Target, response: httpx.Response, policy: FetchPolicy
) -> FetchedPage:
    status = response.status_code
    if not 200 <= status < 300:
        raise FetchFailed(
            f"{target.url}: the server answered {status} {response.reason_phrase}.".rstrip(),
            status=status,
        )
    media, charset = media_type(response.headers.get("content-type"))
    if media is not None and media not in PAGE_TYPES:
        # Refused before the body is read: a PDF or a video is not fetched to be thrown away.
        raise FetchRefused(f"{target.url}: {media} is not a page (HTML or text).")
    body = await read_capped(response, policy.max_bytes, target.url)
    media = media or sniff(body)
    if media is None:
        raise FetchRefused(f"{target.url}: served without a type, and not HTML or text.")
    return FetchedPage(url, target.url, media, decode(body, media, charset))


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """httpx's default verification (certifi's roots), built on first use and then shared."""
    return httpx.create_ssl_context(trust_env=False)
