"""The link fetcher (service/fetch) against a real server on loopback, and its SSRF probes.

Every fetch that should succeed goes to a stdlib HTTP server on 127.0.0.1, reached only
through the explicit test allowance (`ALLOW`); without it the same URL is refused as
loopback. Refused probes never connect anywhere: the address is refused before a socket is
opened, and names are answered by fake resolvers, so no test needs the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.server
import ipaddress
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from service.fetch.errors import FetchFailed, FetchRefused, FetchTimedOut, FetchTooLarge
from service.fetch.fetcher import fetch_page
from service.fetch.types import FetchedPage, FetchPolicy, Resolver
from service.http.problems import problem_for

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
ALLOW = FetchPolicy(allow_networks=(LOOPBACK,), timeout_s=5.0)
# In the cedilla forms (ş ţ) that windows-1250 and ISO-8859-2 hold; ă ş ţ are not in Latin-1.
ROMANIAN = "Ştiri: ţară, mâine, învăţământ"


@dataclass
class Seen:
    """What a server received: (path, Host header, the local address it was reached on)."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]


class Handler(http.server.BaseHTTPRequestHandler):
    seen: Seen  # set per server by `serve`

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        local = self.connection.getsockname()[0]
        self.seen.requests.append((self.path, self.headers.get("Host", ""), local))
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        route = getattr(self, "page_" + url.path.strip("/").split("/")[0].replace("-", "_"))
        # The fetcher may stop reading: what the size and time caps are for.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(url.path, query)

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def page_meta_1250(self, path: str, query: dict[str, str]) -> None:
        html = f'<html><head><meta charset="windows-1250"></head><body>{ROMANIAN}</body></html>'
        self.send(200, html.encode("cp1250"), {"Content-Type": "text/html"})

    def page_http_equiv(self, path: str, query: dict[str, str]) -> None:
        html = (
            '<html><head><meta http-equiv="Content-Type" content="text/html; '
            f'charset=iso-8859-2"></head><body>{ROMANIAN}</body></html>'
        )
        self.send(200, html.encode("iso-8859-2"), {"Content-Type": "text/html"})

    def page_header_charset(self, path: str, query: dict[str, str]) -> None:
        # The header wins over a <meta> that says otherwise.
        html = f'<html><head><meta charset="utf-8"></head><body>{ROMANIAN}</body></html>'
        body = html.encode("iso-8859-2")
        self.send(200, body, {"Content-Type": "text/html; charset=ISO-8859-2"})

    def page_plain(self, path: str, query: dict[str, str]) -> None:
        body = ROMANIAN.encode("utf-8") + b" \xff"  # one stray byte: replaced, not fatal
        self.send(200, body, {"Content-Type": "text/plain"})

    def page_xhtml(self, path: str, query: dict[str, str]) -> None:
        body = f"<html><body>{ROMANIAN}</body></html>".encode()
        self.send(200, body, {"Content-Type": "application/xhtml+xml; charset=utf-8"})

    def page_untyped(self, path: str, query: dict[str, str]) -> None:
        kind = query.get("kind", "html")
        body = {
            "html": f"<!DOCTYPE html><html><body>{ROMANIAN}</body></html>".encode(),
            "binary": b"\x00\x01\x02\x03 not text",
            "pdf": b"%PDF-1.7\n1 0 obj",
        }[kind]
        self.send(200, body)

    def page_gzip(self, path: str, query: dict[str, str]) -> None:
        size = int(query.get("size", "0"))
        body = gzip.compress(b"a" * size if size else f"<p>{ROMANIAN}</p>".encode())
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
        self.send(200, body, headers)

    def page_hop(self, path: str, query: dict[str, str]) -> None:
        left = int(path.rsplit("/", 1)[1])
        if left == 0:
            self.send(200, b"<p>arrived</p>", {"Content-Type": "text/html"})
        else:  # relative, resolved against the current URL
            self.send(302, b"", {"Location": f"{left - 1}"})

    def page_to(self, path: str, query: dict[str, str]) -> None:
        status = int(query.get("status", "302"))
        self.send(status, b"", {"Location": query["url"]})

    def page_set_cookie(self, path: str, query: dict[str, str]) -> None:
        self.send(302, b"", {"Set-Cookie": "session=secret; Path=/", "Location": "/echo"})

    def page_echo(self, path: str, query: dict[str, str]) -> None:
        cookie = self.headers.get("Cookie", "(none)")
        text = f"host={self.headers.get('Host')} cookie={cookie} ua={self.headers['User-Agent']}"
        self.send(200, text.encode(), {"Content-Type": "text/plain"})

    def page_big(self, path: str, query: dict[str, str]) -> None:
        size = int(query["size"])
        if query.get("length") == "no":
            # HTTP/1.0 without Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(size // 8192):
                self.wfile.write(b"x" * 8192)
        else:
            self.send(200, b"x" * size, {"Content-Type": "text/plain"})

    def page_slow(self, path: str, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"x" * 10)
        self.wfile.flush()
        time.sleep(2.0)  # a daemon thread; the fetch gave up long before

    def page_pdf(self, path: str, query: dict[str, str]) -> None:
        self.send(200, b"%PDF-1.7\n", {"Content-Type": "application/pdf"})

    def page_missing(self, path: str, query: dict[str, str]) -> None:
        self.send(404, b"no such page", {"Content-Type": "text/html"})

    def page_huge_headers(self, path: str, query: dict[str, str]) -> None:
        self.send(200, b"ok", {"Content-Type": "text/plain", "X-Padding": "p" * 200_000})


@dataclass
class Server:
    port: int
    seen: Seen

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


def serve(
    address: str, port: int = 0, tls: ssl.SSLContext | None = None
) -> tuple[http.server.ThreadingHTTPServer, Seen]:
    seen = Seen()
    handler = type("BoundHandler", (Handler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer((address, port), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server, seen


@pytest.fixture(scope="module")
def loopback() -> Iterator[Server]:
    server, seen = serve("127.0.0.1")
    yield Server(server.server_address[1], seen)
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(loopback: Server) -> Server:
    loopback.seen.requests.clear()
    return loopback


def fetch(
    url: str,
    policy: FetchPolicy = ALLOW,
    resolve: Resolver | None = None,
    tls: ssl.SSLContext | None = None,
) -> FetchedPage:
    return asyncio.run(fetch_page(url, policy, resolve, tls=tls))


def answers(table: dict[str, list[str]]) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


# --- pages served ---------------------------------------------------------------------------


def test_meta_charset_in_the_first_4_kib(site: Server) -> None:
    page = fetch(site.url("/meta-1250"))
    assert page == FetchedPage(
        site.url("/meta-1250"), site.url("/meta-1250"), "text/html", page.text
    )
    assert ROMANIAN in page.text


def test_http_equiv_charset(site: Server) -> None:
    assert ROMANIAN in fetch(site.url("/http-equiv")).text


def test_charset_in_the_header_wins_over_meta(site: Server) -> None:
    assert ROMANIAN in fetch(site.url("/header-charset")).text


def test_undecodable_bytes_become_replacement_characters(site: Server) -> None:
    page = fetch(site.url("/plain"))
    assert (page.content_type, page.text) == ("text/plain", ROMANIAN + " \ufffd")


def test_xhtml_is_a_page(site: Server) -> None:
    page = fetch(site.url("/xhtml"))
    assert page.content_type == "application/xhtml+xml" and ROMANIAN in page.text


def test_a_page_without_a_type_is_sniffed(site: Server) -> None:
    page = fetch(site.url("/untyped?kind=html"))
    assert page.content_type == "text/html" and ROMANIAN in page.text
    for kind in ("binary", "pdf"):
        with pytest.raises(FetchRefused, match=re.escape("without a type, and not HTML or text")):
            fetch(site.url(f"/untyped?kind={kind}"))


def test_gzip_is_inflated(site: Server) -> None:
    assert ROMANIAN in fetch(site.url("/gzip")).text


def test_the_request_sends_the_name_and_no_cookie(site: Server) -> None:
    """A cookie set by one hop is not sent to the next (nothing is kept); the user agent
    says who fetches."""
    page = fetch(site.url("/set-cookie"))
    assert f"host=127.0.0.1:{site.port} cookie=(none) ua=roen/" in page.text
    assert page.final_url == site.url("/echo")


# --- redirects ------------------------------------------------------------------------------


def test_two_redirects_are_followed(site: Server) -> None:
    page = fetch(site.url("/hop/2"))
    assert page.text == "<p>arrived</p>"
    assert (page.url, page.final_url) == (site.url("/hop/2"), site.url("/hop/0"))
    assert site.seen.paths() == ["/hop/2", "/hop/1", "/hop/0"]


def test_five_redirects_are_allowed_and_six_refused(site: Server) -> None:
    assert fetch(site.url("/hop/5")).text == "<p>arrived</p>"
    with pytest.raises(FetchRefused, match=re.escape("more than 5 redirects")):
        fetch(site.url("/hop/6"))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1, which is private"),
        ("http://169.254.169.254/latest/meta-data/", "the cloud metadata endpoint"),
        ("http://[::ffff:a9fe:a9fe]/latest/meta-data/", "the cloud metadata endpoint"),
        ("file:///etc/passwd", "scheme 'file'"),
    ],
)
def test_a_redirect_is_checked_from_scratch(
    site: Server, status: int, location: str, why: str
) -> None:
    """Refused although loopback, where the redirect came from, is allowed: each hop's
    address is checked, and these are not inside the allowance."""
    with pytest.raises(FetchRefused, match=re.escape(why)):
        fetch(site.url(f"/to?status={status}&url={location}"))
    assert len(site.seen.requests) == 1


def test_a_redirect_to_a_name_is_resolved_and_checked(site: Server) -> None:
    resolve = answers({"intranet.test": ["10.1.2.3"]})
    with pytest.raises(
        FetchRefused, match=re.escape("intranet.test resolves to 10.1.2.3, which is private")
    ):
        fetch(site.url("/to?url=http://intranet.test/"), resolve=resolve)


# --- caps -----------------------------------------------------------------------------------

SMALL = FetchPolicy(allow_networks=(LOOPBACK,), max_bytes=64 * 1024, timeout_s=5.0)


def test_a_body_at_the_cap_is_read(site: Server) -> None:
    assert len(fetch(site.url("/big?size=65536"), SMALL).text) == 65536


def test_a_content_length_over_the_cap_is_refused_at_once(site: Server) -> None:
    with pytest.raises(FetchTooLarge) as caught:
        fetch(site.url("/big?size=65537"), SMALL)
    assert (caught.value.limit, caught.value.actual) == (65536, 65537)
    assert "65537 bytes; at most 65536" in caught.value.detail


def test_a_body_without_a_length_is_cut_at_the_cap(site: Server) -> None:
    with pytest.raises(FetchTooLarge, match=re.escape("more than 65536 bytes")) as caught:
        fetch(site.url("/big?size=1048576&length=no"), SMALL)
    assert (caught.value.limit, caught.value.actual) == (65536, None)


def test_a_gzip_bomb_is_cut_at_the_cap(site: Server) -> None:
    """10 MB of zeros in a 10 KB body: inflated no further than the cap."""
    with pytest.raises(FetchTooLarge, match=re.escape("more than 65536 bytes")):
        fetch(site.url("/gzip?size=10000000"), SMALL)


def test_a_slow_page_times_out(site: Server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimedOut, match=re.escape("no complete page within 0.5 s")):
        fetch(site.url("/slow"), FetchPolicy(allow_networks=(LOOPBACK,), timeout_s=0.5))
    assert time.monotonic() - started < 1.5


def test_a_pdf_is_refused_by_its_type(site: Server) -> None:
    with pytest.raises(FetchRefused, match=re.escape("application/pdf is not a page")):
        fetch(site.url("/pdf"))


def test_a_404_is_refused_naming_the_status(site: Server) -> None:
    with pytest.raises(FetchFailed, match=re.escape("answered 404 Not Found")) as caught:
        fetch(site.url("/missing"))
    assert caught.value.status == 404


def test_headers_are_bounded(site: Server) -> None:
    with pytest.raises(FetchFailed, match=re.escape("not a valid HTTP answer")):
        fetch(site.url("/huge-headers"))


def test_nothing_listening_is_a_failure_to_connect() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchFailed, match=re.escape("could not connect")):
        fetch(f"http://127.0.0.1:{port}/")


# --- the address checks ---------------------------------------------------------------------


def test_loopback_without_the_allowance_is_refused(site: Server) -> None:
    for host in ("127.0.0.1", "localhost"):  # localhost through the OS's own resolver
        with pytest.raises(
            FetchRefused, match=re.escape("which is loopback; only public addresses")
        ):
            fetch(site.url("/meta-1250", host=host), FetchPolicy())
    assert site.seen.requests == []


# (URL, what the refusal names). None of these is inside an allowance, none is connected to.
LITERAL_PROBES = [
    ("file:///etc/passwd", "scheme 'file' is not fetched"),
    ("ftp://example.com/", "scheme 'ftp' is not fetched"),
    ("gopher://example.com:70/_GET", "scheme 'gopher' is not fetched"),
    ("data:text/html,<p>hi</p>", "scheme 'data' is not fetched"),
    ("javascript:alert(1)", "scheme 'javascript' is not fetched"),
    ("//example.com/", "scheme '(none)' is not fetched"),
    ("http://user:pass@example.com/", "credentials in the URL"),
    ("http://example.com@127.0.0.1/", "credentials in the URL"),
    ("http:///etc/passwd", "no host"),
    ("http://example.com:0/", "port 0"),
    ("http://example.com:99999/", "not a valid URL"),
    ("http://exa mple.com/", "spaces or control characters"),
    ("http://example.com/\r\nX-Injected: 1", "spaces or control characters"),
    ("http://127.0.0.1/", "127.0.0.1, which is loopback"),
    ("http://2130706433/", "127.0.0.1, which is loopback"),
    ("http://017700000001/", "127.0.0.1, which is loopback"),
    ("http://0177.0.0.1/", "127.0.0.1, which is loopback"),
    ("http://0x7f.0.0.1/", "127.0.0.1, which is loopback"),
    ("http://0x7f000001/", "127.0.0.1, which is loopback"),
    ("http://127.1/", "127.0.0.1, which is loopback"),
    ("http://127.0.0.1./", "127.0.0.1, which is loopback"),
    ("http://[::1]/", "::1, which is loopback"),
    ("http://[::ffff:127.0.0.1]/", "127.0.0.1, which is loopback"),
    ("http://[::ffff:7f00:1]/", "127.0.0.1, which is loopback"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", "127.0.0.1, which is loopback"),
    ("http://[fe80::1%25eth0]/", "fe80::1, which is link-local"),
    ("http://[::1%25lo]/", "::1, which is loopback"),
    ("http://10.0.0.1/", "which is private (RFC 1918)"),
    ("http://172.16.5.4/", "which is private (RFC 1918)"),
    ("http://192.168.1.1/", "which is private (RFC 1918)"),
    ("http://169.254.169.254/latest/meta-data/", "link-local (the cloud metadata endpoint)"),
    ("http://0xa9fea9fe/", "link-local (the cloud metadata endpoint)"),
    ("http://169.254.1.1/", "which is link-local"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://224.0.0.1/", "which is multicast"),
    ("http://0.0.0.0/", "which is unspecified"),
    ("http://0/", "0.0.0.0, which is unspecified"),
    ("http://240.0.0.1/", "which is reserved"),
    ("http://255.255.255.255/", "which is broadcast"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.51.100.7/", "documentation"),
    ("http://203.0.113.9/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://192.0.0.8/", "IETF protocol assignment"),
    ("http://[::]/", "which is unspecified"),
    ("http://[fd00::1]/", "unique local"),
    ("http://[fe80::1]/", "which is link-local"),
    ("http://[fec0::1]/", "site-local"),
    ("http://[ff02::1]/", "which is multicast"),
    ("http://[2001:db8::1]/", "documentation"),
    ("http://[100::1]/", "discard-only"),
    ("http://[2002:7f00:1::]/", "loopback, as 6to4 (127.0.0.1)"),
    ("http://[2002:a9fe:a9fe::]/", "cloud metadata endpoint), as 6to4"),
    ("http://[64:ff9b::a9fe:a9fe]/", "cloud metadata endpoint), as NAT64"),
    ("http://[64:ff9b::10.0.0.1]/", "private (RFC 1918), as NAT64"),
    ("http://[64:ff9b:1::1]/", "local-use NAT64"),
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "loopback, as Teredo (127.0.0.1)"),
    ("http://[::127.0.0.1]/", "loopback, as IPv4-compatible"),
    ("http://[::8.8.8.8]/", "IPv4-compatible (deprecated)"),
    ("http://[::ffff:0:10.0.0.1]/", "private (RFC 1918), as IPv4-translated"),
    ("http://1.2.3.999/", "looks like an IP address but is out of range"),
    ("http://08.0.0.1/", "looks like an IP address but is not one"),
    ("http://example.123/", "looks like an IP address but is not one"),
    ("http://%31%32%37.0.0.1/", "looks like an IP address but is not one"),
    ("http://exa%6dple.com/", "not a valid host name"),
]


@pytest.mark.parametrize(("url", "why"), LITERAL_PROBES, ids=[p[0] for p in LITERAL_PROBES])
def test_literal_probe_is_refused(url: str, why: str) -> None:
    async def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError(f"{url} should be refused before resolving {host}")

    with pytest.raises(FetchRefused, match=re.escape(why)):
        fetch(url, FetchPolicy(), resolve=no_dns)


RESOLVED_PROBES = [
    (["10.1.2.3"], "name.test resolves to 10.1.2.3, which is private"),
    (["93.184.215.14", "10.0.0.7"], "resolves to 10.0.0.7, which is private"),
    (["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::1"], "resolves to ::1, which is loopback"),
    (["169.254.169.254"], "the cloud metadata endpoint"),
    (["127.0.0.53"], "which is loopback"),
    (["::ffff:10.0.0.1"], "::ffff:a00:1, which is private"),
    (["fd12:3456::1"], "unique local"),
    (["fe80::1%eth0"], "which is link-local"),
    (["100.100.100.200"], "carrier-grade NAT"),
    (["64:ff9b::7f00:1"], "loopback, as NAT64"),
    (["not-an-address"], "which is not an address"),
]


@pytest.mark.parametrize(("addresses", "why"), RESOLVED_PROBES)
def test_resolved_probe_is_refused(addresses: list[str], why: str) -> None:
    """Every address a name resolves to is checked, before any connection."""
    with pytest.raises(FetchRefused, match=re.escape(why)):
        fetch("https://name.test/", FetchPolicy(), answers({"name.test": addresses}))


def test_an_unknown_name_fails_to_resolve() -> None:
    with pytest.raises(FetchFailed, match=re.escape("nowhere.test could not be resolved")):
        fetch("http://nowhere.test/", FetchPolicy(), answers({}))


def test_a_zone_id_is_refused_even_inside_an_allowance() -> None:
    policy = FetchPolicy(allow_networks=(ipaddress.ip_network("::1/128"),))
    with pytest.raises(FetchRefused, match=re.escape("the zone id 'lo' names a local interface")):
        fetch("http://[::1%25lo]:9/", policy)


def test_an_allowance_is_exact() -> None:
    """127.0.0.1/32 allowed does not allow 127.0.0.2, nor any other spelling's neighbours."""
    policy = FetchPolicy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    with pytest.raises(FetchRefused, match=re.escape("127.0.0.2, which is loopback")):
        fetch("http://127.0.0.2:9/", policy)


# --- pinning --------------------------------------------------------------------------------


@pytest.fixture
def trap(site: Server) -> Iterator[Seen]:
    """A second server on 127.0.0.2, the same port: where a second DNS answer would lead."""
    try:
        server, seen = serve("127.0.0.2", site.port)
    except OSError as err:  # 127.0.0.2 is loopback on Linux: the suite's machines
        pytest.fail(f"cannot listen on 127.0.0.2 ({err}): the rebinding test needs it")
    yield seen
    server.shutdown()
    server.server_close()


def rebinding() -> tuple[Resolver, list[str]]:
    """A resolver that answers the allowed 127.0.0.1 once, then 127.0.0.2 (outside the
    allowance, where the trap listens): a DNS rebinding attack in miniature."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["127.0.0.2"]

    return resolve, calls


ONLY_127_0_0_1 = FetchPolicy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),))


def test_the_connection_goes_to_the_checked_address(site: Server, trap: Seen) -> None:
    """The name is resolved once and the connection made to that checked address: the server
    on 127.0.0.1 gets the request with the name in Host; the trap on 127.0.0.2, where a
    second resolution would lead, gets nothing. (`rebind.test` resolves nowhere on a real
    DNS, so a connection made by name would have failed outright.)"""
    resolve, calls = rebinding()
    page = fetch(site.url("/echo", host="rebind.test"), ONLY_127_0_0_1, resolve)
    assert f"host=rebind.test:{site.port} " in page.text
    assert calls == ["rebind.test"]
    assert site.seen.requests == [("/echo", f"rebind.test:{site.port}", "127.0.0.1")]
    assert trap.requests == []


def test_each_hop_is_resolved_and_checked_again(site: Server, trap: Seen) -> None:
    """A redirect to the same name is resolved again, and its new answer checked: refused."""
    resolve, calls = rebinding()
    hop = site.url("/echo", host="rebind.test")
    with pytest.raises(
        FetchRefused, match=re.escape("rebind.test resolves to 127.0.0.2, which is loopback")
    ):
        fetch(site.url(f"/to?url={hop}", host="rebind.test"), ONLY_127_0_0_1, resolve)
    assert calls == ["rebind.test", "rebind.test"]
    assert trap.requests == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for pinned.test only (no IP address in it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("needs the openssl command: bash scripts/ensure_test_tools.sh installs it")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=pinned.test", "-addext", "subjectAltName=DNS:pinned.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_site(certificate: tuple[Path, Path]) -> Iterator[Server]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sni: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: sni.append(name)
    server, seen = serve("127.0.0.1", tls=context)
    seen.sni = sni
    yield Server(server.server_address[1], seen)
    server.shutdown()
    server.server_close()


def test_https_is_pinned_with_the_name_in_sni_and_verified(
    tls_site: Server, certificate: tuple[Path, Path]
) -> None:
    """Connected to 127.0.0.1, yet the TLS handshake names pinned.test (SNI) and the
    certificate, which holds no IP address, is verified against that name."""
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    resolve = answers({"pinned.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    url = tls_site.url("/echo", host="pinned.test", scheme="https")
    page = fetch(url, ONLY_127_0_0_1, resolve, tls=trust)
    assert f"host=pinned.test:{tls_site.port} " in page.text
    assert tls_site.seen.sni == ["pinned.test"]
    # The same address under a name the certificate does not hold: verification fails.
    other = tls_site.url("/echo", host="other.test", scheme="https")
    with pytest.raises(FetchFailed, match=r"could not connect .*certificate"):
        fetch(other, ONLY_127_0_0_1, resolve, tls=trust)
    # And the default trust (certifi's roots) does not know this certificate at all.
    with pytest.raises(FetchFailed, match=re.escape("certificate verify failed")):
        fetch(url, ONLY_127_0_0_1, resolve)


# --- the statuses the HTTP edge gives ------------------------------------------------------


def test_each_error_maps_to_its_status() -> None:
    assert problem_for(FetchRefused("x")).status == 422
    assert problem_for(FetchFailed("x", status=404)).status == 422
    too_large = problem_for(FetchTooLarge("x", limit=10, actual=11))
    assert (too_large.status, too_large.extra) == (413, {"limit": 10, "actual": 11})
    assert problem_for(FetchTimedOut("x")).status == 504
