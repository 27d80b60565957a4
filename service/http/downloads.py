"""Translated documents waiting to be downloaded (LibreTranslate's /translate_file answers
with a URL, not the file): in memory, each for DOWNLOAD_TTL_S, at most DOWNLOAD_FILES files
and DOWNLOAD_BYTES bytes — the oldest go first. A replica keeps its own: behind a load
balancer, route /download_file to the replica that answered (or use /v1/translate/file,
which answers with the file itself)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from pathlib import PurePath

from service.documents.formats import Format

DOWNLOAD_TTL_S = 1800.0  # LibreTranslate keeps them 30–60 minutes
DOWNLOAD_FILES = 256
DOWNLOAD_BYTES = 128 << 20


class Downloads:
    def __init__(
        self,
        ttl_s: float = DOWNLOAD_TTL_S,
        max_files: int = DOWNLOAD_FILES,
        max_bytes: int = DOWNLOAD_BYTES,
        clock=time.monotonic,
    ) -> None:
        self.ttl_s, self.max_files, self.max_bytes = ttl_s, max_files, max_bytes
        self._clock = clock
        self._files: OrderedDict[str, tuple[float, bytes, Format]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, data: bytes, kind: Format, source_name: str) -> str:
        """Keep a document; its name in the URL: `<token>.<stem>_en<suffix>`."""
        stem = "".join(
            c if c.isascii() and (c.isalnum() or c in "-_") else "_"
            for c in PurePath(source_name).stem
        )
        name = f"{secrets.token_urlsafe(16)}.{stem or 'document'}_en{kind.suffix}"
        with self._lock:
            self._expire()
            self._files[name] = (self._clock() + self.ttl_s, data, kind)
            self._bytes += len(data)
            while len(self._files) > self.max_files or self._bytes > self.max_bytes:
                self._drop(next(iter(self._files)))
        return name

    def get(self, name: str) -> tuple[bytes, Format] | None:
        with self._lock:
            self._expire()
            found = self._files.get(name)
        return (found[1], found[2]) if found else None

    def _expire(self) -> None:
        now = self._clock()
        while self._files and next(iter(self._files.values()))[0] <= now:
            self._drop(next(iter(self._files)))

    def _drop(self, name: str) -> None:
        _, data, _ = self._files.pop(name)
        self._bytes -= len(data)
