"""A response body read under a byte cap. The cap counts the bytes as they will be decoded:
a compressed body is inflated here, a chunk at a time and never past the cap, so that a
small gzip bomb cannot expand to gigabytes in memory before anything counts it."""

from __future__ import annotations

import zlib
from collections.abc import Callable

import httpx

from service.fetch.errors import FetchFailed, FetchTooLarge

# What we ask for (Accept-Encoding) and can inflate under the cap.
ENCODINGS = "gzip, deflate"


async def read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        # Refused before reading a byte of it.
        raise _too_large(url, max_bytes, int(declared))
    inflate = _inflater(response.headers.get("content-encoding", ""), url)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        data = inflate(raw, max_bytes - size + 1)  # one byte past the cap tells it is over
        size += len(data)
        if size > max_bytes:
            raise _too_large(url, max_bytes, None)
        chunks.append(data)
    return b"".join(chunks)


def _too_large(url: str, limit: int, actual: int | None) -> FetchTooLarge:
    said = f"{actual} bytes" if actual is not None else f"more than {limit} bytes"
    return FetchTooLarge(
        f"{url}: the page is {said}; at most {limit} are fetched.", limit=limit, actual=actual
    )


def _inflater(encoding: str, url: str) -> Callable[[bytes, int], bytes]:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return lambda data, _room: data
    if name not in ("gzip", "x-gzip", "deflate"):
        raise FetchFailed(f"{url}: the page is sent with content encoding {encoding!r}.")
    # 32 + MAX_WBITS reads a gzip or a zlib header, whichever comes: servers mix them up.
    inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)

    def inflate(data: bytes, room: int) -> bytes:
        try:
            # At most `room` bytes out; when fewer come, all of `data` was consumed.
            return inflater.decompress(data, room)
        except zlib.error as err:
            raise FetchFailed(f"{url}: the compressed page is corrupt ({err}).") from None

    return inflate
