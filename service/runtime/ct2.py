"""A Marian checkpoint run by CTranslate2 (int8 by default): ~3× torch's speed on CPU.

It reads the runtime form only (`service.models.convert`: CTranslate2's files, the
SentencePiece models and vocabulary, `roen.json`), with the tokenizer of `marian_pieces`:
no torch, no transformers.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from service.errors import ModelLoadFailed
from service.models.convert import read_meta
from service.runtime.backend import BackendStats, Decoding, Output, Tokens, distinct
from service.runtime.decoding import collapse_loops, loop_start
from service.runtime.marian_pieces import MarianPieces


class CT2Backend:
    """A `Backend`: rows are SentencePiece pieces, as `translate_batch` takes them."""

    def __init__(
        self,
        folder: Path,
        *,
        name: str,
        threads: int,
        compute_type: str = "int8",
        device: str = "cpu",
        batch_tokens: int | None = None,
    ) -> None:
        import ctranslate2

        try:
            meta = read_meta(folder)
            self.tokenizer = MarianPieces(folder)
            self.translator = ctranslate2.Translator(
                str(folder),
                device=device,
                compute_type=compute_type,
                intra_threads=threads,
                inter_threads=1,
            )
        except Exception as err:
            raise ModelLoadFailed(f"Model '{name}' did not load from {folder}: {err}") from None
        self.name = name
        self.label = f"ctranslate2-{compute_type}-{device}"  # /v1/models, /health/ready
        self.path = folder
        self.batch_tokens = batch_tokens  # a card's budget; None on the CPU: the scheduler's
        self.max_input_tokens = self.max_output_tokens = int(meta["max_positions"]) - 2
        self.default_beam_size = int(meta["num_beams"])
        self._generated = 0
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> list[Tokens]:
        if not texts:
            return []
        return [self.tokenizer.pieces(text) for text in texts]

    def generate(self, rows: list[Tokens], decoding: Decoding) -> list[Output]:
        if not rows:
            return []
        max_new_tokens, floor = decoding.max_new_tokens, decoding.least()
        options: dict[str, Any] = {
            "beam_size": max(decoding.beam_size, decoding.hypotheses),
            "num_hypotheses": decoding.hypotheses,
            "max_input_length": 0,  # never truncate: the pipeline already split long input
            "max_decoding_length": max(max_new_tokens),
            "min_decoding_length": max(1, min(floor)),  # one number per batch in CTranslate2
            # The model's own log-probability of what it wrote, normalised by its length
            # (length_penalty 1): a segment's confidence. Free: the decoder has it anyway.
            "return_scores": True,
        }
        if options["beam_size"] == 1:
            # Greedy decoding reports each token: stop each row at its own budget, or as soon
            # as a phrase repeats a third time (trimmed below). Beam search cannot be stopped
            # per row: its rows are cut to their budgets afterwards.
            produced: list[list[int]] = [[] for _ in rows]

            def step(result: Any) -> bool:
                row = produced[result.batch_id]
                row.append(result.token_id)
                if len(row) >= max_new_tokens[result.batch_id]:
                    return True
                return len(row) > floor[result.batch_id] and loop_start(row) is not None

            options["callback"] = step
        with self._lock:
            results = self.translator.translate_batch([list(r) for r in rows], **options)
        out = []
        generated = 0
        for result, budget, least in zip(results, max_new_tokens, floor, strict=True):
            # Greedy rows stopped at a loop's third copy; beam rows may hold one anywhere.
            tokens = collapse_loops(result.hypotheses[0][:budget], keep=least)
            generated += len(tokens)
            text = self.tokenizer.detokenize(tokens)
            others = [
                self.tokenizer.detokenize(collapse_loops(h[:budget], keep=least))
                for h in result.hypotheses[1:]
            ]
            score = float(result.scores[0]) if result.scores else None
            out.append(Output(text, score, distinct(text, others)))
        with self._lock:
            self._generated += generated
        return out

    def stats(self) -> BackendStats:
        return BackendStats(generated_tokens=self._generated)

    def close(self) -> None:
        """Nothing to stop: CTranslate2 frees its memory with the object."""
