"""An LRU cache of sentence translations: bylines and agency credits are translated once.
Each entry keeps the model's score with its English (a cached sentence has its confidence
too), never alternatives (a call that asks for them decodes afresh)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from service.runtime.backend import Output


class SentenceCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[tuple[int, str], Output] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, beam: int, sentences: list[str]) -> dict[str, Output]:
        found: dict[str, Output] = {}
        with self._lock:
            for s in sentences:
                key = (beam, s)  # the model is fixed per translator; decoding options vary
                if key in self._data:
                    self._data.move_to_end(key)
                    found[s] = self._data[key]
            self.hits += len(found)
            self.misses += len(sentences) - len(found)
        return found

    def put_many(self, beam: int, pairs: dict[str, Output]) -> None:
        with self._lock:
            for s, t in pairs.items():
                self._data[(beam, s)] = Output(t.text, t.score) if t.alternatives else t
                self._data.move_to_end((beam, s))
            while len(self._data) > self.size:
                self._data.popitem(last=False)
