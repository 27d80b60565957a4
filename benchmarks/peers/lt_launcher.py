"""LibreTranslate as its own console script runs it, with one change made in this process
only: the output lengths are pinned, by the rule roen's benchmark pins roen's and raw
CTranslate2's (random weights never emit end-of-sentence).

Run with LibreTranslate's venv python and LibreTranslate's own arguments; the environment
gives ROEN_BENCH_PIN (the ratio) and ROEN_BENCH_TOKENS (a file this process keeps the count
of generated tokens in, as roen's /metrics does).

The pin: each row decodes exactly round(PIN × (source tokens + 1)) tokens. The +1 is
Marian's `</s>`, which roen's and raw CTranslate2's rows carry and argostranslate's do not,
so that all three generate the same length for the same sentence. Everything else — the
sentence splitter, argostranslate's batching (32 tokens per batch, its default), beam size,
length penalty, waitress's threads — is LibreTranslate's.
"""

from __future__ import annotations

import os
import sys
import threading
import types
from typing import Any

PIN = float(os.environ["ROEN_BENCH_PIN"])
TOKENS = os.environ["ROEN_BENCH_TOKENS"]
_lock = threading.Lock()
_generated = [0]


class PinnedTranslator:
    """ctranslate2.Translator for argostranslate, every row pinned."""

    def __init__(self, **params: Any) -> None:
        import ctranslate2

        self.inner = ctranslate2.Translator(**params)

    def translate_batch(self, rows: list[list[str]], **options: Any) -> Any:
        lengths = [max(1, round((len(r) + 1) * PIN)) for r in rows]
        options["max_decoding_length"] = max(lengths)
        options["min_decoding_length"] = min(lengths)
        if options.get("beam_size", 1) == 1:  # a row stops at its own length, as in roen
            produced = [0] * len(rows)

            def stop(step: Any) -> bool:
                produced[step.batch_id] += 1
                return produced[step.batch_id] >= lengths[step.batch_id]

            options["callback"] = stop
        results = self.inner.translate_batch(rows, **options)
        done = sum(min(len(r.hypotheses[0]), n) for r, n in zip(results, lengths, strict=True))
        with _lock:
            _generated[0] += done
            with open(TOKENS, "w") as f:
                f.write(str(_generated[0]))
        return results


def main() -> None:
    import argostranslate.translate

    # argostranslate builds its translator as `ctranslate2.Translator(**params)`
    argostranslate.translate.ctranslate2 = types.SimpleNamespace(Translator=PinnedTranslator)  # type: ignore[attr-defined]
    from libretranslate.main import main as libretranslate

    sys.argv = ["libretranslate", *sys.argv[1:]]
    libretranslate()


if __name__ == "__main__":
    main()
