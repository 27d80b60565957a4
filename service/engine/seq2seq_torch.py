"""A seq2seq checkpoint (Marian for translation, BART-style for summaries) run with torch."""

from __future__ import annotations

import threading
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, LogitsProcessorList
from transformers.utils import logging as hf_logging

from service.engine.repetition import LoopBlocker, RowLengthCap
from service.errors import ModelLoadFailed


def output_budget(source_tokens: int, max_positions: int, pin_ratio: float | None = None) -> int:
    """Longest output allowed for a source: generous for ro→en (English is rarely longer
    than 1.5× the Romanian), and the hard stop that ends a loop the blocker missed.
    With `pin_ratio` (benchmarks on random weights, which never emit EOS) it is the exact
    length every row gets."""
    if pin_ratio:
        return max(1, min(round(source_tokens * pin_ratio), max_positions - 2))
    return max(8, min(int(source_tokens * 1.5) + 10, max_positions - 2))


class TorchSeq2Seq:
    """One loaded checkpoint. `generate` is serialised: one batch at a time owns the cores."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        threads: int,
        quantize: bool = False,
        pin_ratio: float | None = None,
    ) -> None:
        torch.set_num_threads(threads)
        hf_logging.disable_progress_bar()  # per-weight loading bars are noise in a CLI or log
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForSeq2SeqLM.from_pretrained(path)
        except Exception as err:
            raise ModelLoadFailed(f"Model '{name}' in {path} could not be loaded: {err}") from None
        # We count tokens of whole sentences *before* splitting them; the tokenizer must not
        # warn (or truncate) on those: the 512 limit is enforced by the translator.
        self.tokenizer.model_max_length = 1_000_000
        model.eval()
        # Checkpoints carry max_length=512; our per-batch max_new_tokens is the bound we
        # mean, so drop theirs rather than have generate() warn on every call.
        self.checkpoint_max_length = model.generation_config.max_length
        model.generation_config.max_length = None
        if quantize:
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        self.model = model
        self.name = name
        self.path = path
        config = model.config
        self.max_positions = int(getattr(config, "max_position_embeddings", 512) or 512)
        self.max_input_tokens = self.max_positions - 2
        self.default_beam_size = int(getattr(model.generation_config, "num_beams", 1) or 1)
        self.pin_ratio = pin_ratio
        gen = model.generation_config
        eos = gen.eos_token_id if gen.eos_token_id is not None else config.eos_token_id
        self.eos_id = int(eos[0] if isinstance(eos, list) else eos)
        pad = gen.pad_token_id if gen.pad_token_id is not None else config.pad_token_id
        self.pad_id = int(pad) if pad is not None else -1
        self.generated_tokens = 0  # for /metrics and the benchmark
        self._lock = threading.Lock()

    def count_tokens(self, texts: list[str]) -> list[int]:
        ids = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        return [len(x) for x in ids]

    def generate(
        self,
        texts: list[str],
        *,
        beam_size: int,
        max_new_tokens: int | None = None,
    ) -> list[str]:
        if not texts:
            return []
        batch = self.tokenizer(texts, return_tensors="pt", padding=True)
        source_len = int(batch["input_ids"].shape[1])
        if source_len > self.max_positions:
            raise ValueError(f"batch row of {source_len} tokens exceeds {self.max_positions}")
        processors = LogitsProcessorList([LoopBlocker()])
        eos = self.eos_id
        if max_new_tokens is None:
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            budgets = [output_budget(n, self.max_positions, self.pin_ratio) for n in lengths]
            max_new_tokens = max(budgets) + 1  # the row cap, not forced_eos, ends each row
            processors.append(
                RowLengthCap(
                    budgets, num_beams=beam_size, eos_token_id=eos, pinned=bool(self.pin_ratio)
                )
            )
        with self._lock, torch.inference_mode():
            out = self.model.generate(
                **batch,
                num_beams=beam_size,
                do_sample=False,
                max_new_tokens=max_new_tokens,
                logits_processor=processors,
            )
        generated = out[:, 1:]  # after the decoder start token; EOS and padding are not output
        produced = int(((generated != eos) & (generated != self.pad_id)).sum())
        with self._lock:
            self.generated_tokens += produced
        return [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
