"""Translated documents waiting to be downloaded (LibreTranslate's /translate_file answers
with a URL, not the file): in the store, so that any replica can hand out what another
translated; each for DOWNLOAD_TTL_S. What all of them may hold together is bounded too:
at most DOWNLOAD_BYTES stored in any DOWNLOAD_TTL_S window (beyond: 503 with Retry-After),
so a flood of uploads cannot fill the store."""

from __future__ import annotations

import math
import secrets
from pathlib import PurePath

from service.documents.formats import FORMATS, Format
from service.errors import Overloaded
from service.store.base import Store

DOWNLOAD_TTL_S = 1800.0  # LibreTranslate keeps them 30–60 minutes
DOWNLOAD_BYTES = 128 << 20


class Downloads:
    def __init__(
        self, store: Store, ttl_s: float = DOWNLOAD_TTL_S, max_bytes: int = DOWNLOAD_BYTES
    ) -> None:
        self.store, self.ttl_s, self.max_bytes = store, ttl_s, max_bytes

    async def put(self, data: bytes, kind: Format, source_name: str) -> str:
        """Keep a document; its name in the URL: `<token>.<stem>_en<suffix>`."""
        stem = "".join(
            c if c.isascii() and (c.isalnum() or c in "-_") else "_"
            for c in PurePath(source_name).stem
        )
        name = f"{secrets.token_urlsafe(16)}.{stem or 'document'}_en{kind.suffix}"
        stored, left_s = await self.store.hit("downloads:bytes", self.ttl_s, len(data))
        if stored > self.max_bytes:
            raise Overloaded(
                "Too many translated documents are waiting to be downloaded on this server; "
                "retry later, or use /v1/translate/file, which answers with the document.",
                retry_after_s=max(1, math.ceil(left_s)),
            )
        await self.store.set(f"download:{name}", data, self.ttl_s)
        return name

    async def delete(self, name: str) -> None:
        await self.store.delete(f"download:{name}")

    async def get(self, name: str) -> tuple[bytes, Format] | None:
        data = await self.store.get(f"download:{name}")
        kind = FORMATS.get(PurePath(name).suffix.lower())
        return (data, kind) if data is not None and kind is not None else None
