"""A seq2seq checkpoint (Marian for translation, BART-style for summaries) run with torch."""

from __future__ import annotations

import threading
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, LogitsProcessor, LogitsProcessorList
from transformers.utils import logging as hf_logging

from service.errors import ModelLoadFailed
from service.runtime.backend import BackendStats, Decoding, Output, Tokens, distinct
from service.runtime.decoding import MAX_LOOP_NGRAM


class LoopBlocker(LogitsProcessor):
    """When the last 2k tokens are one k-gram twice, ban the token that would start a third."""

    def __init__(self, max_ngram: int = MAX_LOOP_NGRAM, skip_prefix: int = 1) -> None:
        self.max_ngram = max_ngram
        self.skip_prefix = skip_prefix  # the decoder start token is not output

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        length = input_ids.shape[1] - self.skip_prefix
        for k in range(1, min(self.max_ngram, length // 2) + 1):
            end = input_ids.shape[1]
            twice = (input_ids[:, end - 2 * k : end - k] == input_ids[:, end - k :]).all(dim=1)
            rows = twice.nonzero().squeeze(1)
            if rows.numel():
                scores[rows, input_ids[rows, end - k]] = -float("inf")
        return scores


class RowLengths(LogitsProcessor):
    """Each row between its own minimum and maximum number of new tokens.

    generate()'s max_new_tokens is one number per batch (the longest source's), which would
    let a short sentence batched beside a long one run on: EOS is forced once a row has its
    own budget, and banned while it is below its own minimum.
    """

    def __init__(
        self, most: list[int], least: list[int], *, num_beams: int, eos: int, skip_prefix: int = 1
    ):
        self.most = torch.tensor(most).repeat_interleave(num_beams)
        self.least = torch.tensor(least).repeat_interleave(num_beams)
        self.eos = eos
        self.skip_prefix = skip_prefix

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        produced = input_ids.shape[1] - self.skip_prefix
        rows = input_ids.shape[0]
        done = (self.most[:rows] <= produced).nonzero().squeeze(1)
        if done.numel():
            scores[done] = -float("inf")
            scores[done, self.eos] = 0.0
        early = (self.least[:rows] > produced).nonzero().squeeze(1)
        if early.numel():
            scores[early, self.eos] = -float("inf")
        return scores


class TorchSeq2Seq:
    """A `Backend` on torch; rows are token ids. One batch at a time owns the cores."""

    def __init__(self, path: Path, *, name: str, threads: int, quantize: bool = False) -> None:
        torch.set_num_threads(threads)
        hf_logging.disable_progress_bar()  # per-weight loading bars are noise in a CLI or log
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForSeq2SeqLM.from_pretrained(path)
        except Exception as err:
            raise ModelLoadFailed(f"Model '{name}' in {path} could not be loaded: {err}") from None
        # We count tokens of whole sentences *before* splitting them; the tokenizer must not
        # warn (or truncate) on those: the 512 limit is enforced by the pipeline.
        self.tokenizer.model_max_length = 1_000_000
        model.eval()
        # Checkpoints carry max_length=512; our per-row budgets are the bound we mean, so
        # drop theirs rather than have generate() warn on every call.
        self.checkpoint_max_length = model.generation_config.max_length
        model.generation_config.max_length = None
        if quantize:
            model = torch.ao.quantization.quantize_dynamic(
                model, {torch.nn.Linear}, dtype=torch.qint8
            )
        self.model = model
        self.name = name
        self.label = "torch-int8" if quantize else "torch-fp32"
        self.batch_tokens: int | None = None  # the CPU's: the scheduler's own budget
        self.path = path
        config = model.config
        positions = int(getattr(config, "max_position_embeddings", 512) or 512)
        self.max_input_tokens = self.max_output_tokens = positions - 2
        self.default_beam_size = int(getattr(model.generation_config, "num_beams", 1) or 1)
        gen = model.generation_config
        eos = gen.eos_token_id if gen.eos_token_id is not None else config.eos_token_id
        self.eos_id = int(eos[0] if isinstance(eos, list) else eos)
        pad = gen.pad_token_id if gen.pad_token_id is not None else config.pad_token_id
        self.pad_id = int(pad) if pad is not None else 0
        self._generated = 0
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> list[Tokens]:
        if not texts:
            return []
        ids: list[Tokens] = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        return ids

    def generate(self, rows: list[Tokens], decoding: Decoding) -> list[Output]:
        if not rows:
            return []
        width = max(len(r) for r in rows)
        if width > self.max_input_tokens + 2:
            raise ValueError(f"batch row of {width} tokens exceeds {self.max_input_tokens + 2}")
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):  # right padding, as the tokenizer pads
            ids[i, : len(row)] = torch.tensor(list(row), dtype=torch.long)
            mask[i, : len(row)] = 1
        most, hyps = decoding.max_new_tokens, decoding.hypotheses
        beams = max(decoding.beam_size, hyps)
        processors = LogitsProcessorList(
            [LoopBlocker(), RowLengths(most, decoding.least(), num_beams=beams, eos=self.eos_id)]
        )
        with self._lock, torch.inference_mode():
            out = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                num_beams=beams,
                num_return_sequences=hyps,
                do_sample=False,
                max_new_tokens=max(most) + 1,  # RowLengths, not this, ends each row
                logits_processor=processors,
            )
        generated = out[:, 1:]  # after the decoder start token; EOS and padding are not output
        produced = int(((generated != self.eos_id) & (generated != self.pad_id)).sum())
        with self._lock:
            self._generated += produced
        texts = [t.strip() for t in self.tokenizer.batch_decode(out, skip_special_tokens=True)]
        # No scores here (the reference backend): confidence comes from CTranslate2's.
        return [
            Output(texts[i], None, distinct(texts[i], texts[i + 1 : i + hyps]))
            for i in range(0, len(texts), hyps)
        ]

    def stats(self) -> BackendStats:
        return BackendStats(generated_tokens=self._generated)

    def close(self) -> None:
        """Nothing to stop: the weights are freed with the object."""
