"""An LRU cache of sentence translations: bylines and agency credits are translated once."""

from __future__ import annotations

import threading
from collections import OrderedDict


class SentenceCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[tuple[int, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, beam: int, sentences: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for s in sentences:
                key = (beam, s)  # the model is fixed per translator; decoding options vary
                if key in self._data:
                    self._data.move_to_end(key)
                    found[s] = self._data[key]
            self.hits += len(found)
            self.misses += len(sentences) - len(found)
        return found

    def put_many(self, beam: int, pairs: dict[str, str]) -> None:
        with self._lock:
            for s, t in pairs.items():
                self._data[(beam, s)] = t
                self._data.move_to_end((beam, s))
            while len(self._data) > self.size:
                self._data.popitem(last=False)
