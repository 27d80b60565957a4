"""A Marian checkpoint run by CTranslate2 (int8 by default): ~3× torch's speed on CPU.

The checkpoint is converted once with ctranslate2's TransformersConverter into
`<model_cache>/ct2/<name>-<compute type>-<fingerprint>/` and reused at the next start;
the Hugging Face tokenizer (SentencePiece) stays the one the checkpoint ships.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from service.engine.repetition import loop_start
from service.engine.seq2seq_torch import output_budget
from service.errors import ModelLoadFailed

log = logging.getLogger("roen.engines")


def _fingerprint(checkpoint: Path) -> str:
    """Changes when the weights or config change, so a stale conversion is never reused."""
    digest = hashlib.sha256(str(checkpoint.resolve()).encode())
    for name in sorted(p.name for p in checkpoint.iterdir()):
        if name.endswith((".json", ".safetensors", ".bin")):
            stat = (checkpoint / name).resolve().stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def converted_path(checkpoint: Path, name: str, cache_dir: Path, compute_type: str) -> Path:
    """Keyed by content: the same checkpoint under another name reuses its conversion."""
    key = f"{compute_type}-{_fingerprint(checkpoint)}"
    existing = sorted((cache_dir / "ct2").glob(f"*-{key}"))
    if existing:
        return existing[0]
    slug = "".join(c if c.isalnum() or c in "-." else "-" for c in name.strip("/"))[-60:]
    return cache_dir / "ct2" / f"{slug}-{key}"


def ensure_converted(checkpoint: Path, name: str, cache_dir: Path, compute_type: str) -> Path:
    target = converted_path(checkpoint, name, cache_dir, compute_type)
    if (target / "model.bin").is_file():
        return target
    log.info("converting %s to CTranslate2 (%s) into %s, once", name, compute_type, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        # In a child process: the converter holds the whole fp32 model in memory, and a
        # serving process should not keep that peak (or those pages) for its lifetime.
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "service.engine.seq2seq_ct2",
                str(checkpoint),
                str(tmp / "model"),
                compute_type,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "converter failed"
            )
        (tmp / "model").rename(target)  # atomic: a half-written conversion is never used
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert(checkpoint: str, out: str, compute_type: str) -> None:
    from ctranslate2.converters import TransformersConverter

    quantization = None if compute_type in ("default", "auto") else compute_type
    TransformersConverter(checkpoint).convert(out, quantization=quantization, force=True)


class CT2Seq2Seq:
    """Same interface as TorchSeq2Seq for the translator (count_tokens, generate)."""

    def __init__(
        self,
        checkpoint: Path,
        *,
        name: str,
        cache_dir: Path,
        threads: int,
        compute_type: str = "int8",
        pin_ratio: float | None = None,
    ) -> None:
        import ctranslate2
        from transformers import AutoConfig, AutoTokenizer, GenerationConfig

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(checkpoint)
            config = AutoConfig.from_pretrained(checkpoint)
            path = ensure_converted(checkpoint, name, cache_dir, compute_type)
            self.translator = ctranslate2.Translator(
                str(path),
                device="cpu",
                compute_type=compute_type,
                intra_threads=threads,
                inter_threads=1,
            )
        except Exception as err:
            raise ModelLoadFailed(
                f"Model '{name}' could not be prepared for CTranslate2: {err}"
            ) from None
        self.tokenizer.model_max_length = 1_000_000  # we count before splitting; no warnings
        self.name = name
        self.path = path
        self.compute_type = compute_type
        self.max_positions = int(getattr(config, "max_position_embeddings", 512) or 512)
        self.max_input_tokens = self.max_positions - 2
        try:
            beams = GenerationConfig.from_pretrained(checkpoint).num_beams
        except OSError:
            beams = getattr(config, "num_beams", 1)
        self.default_beam_size = int(beams or 1)
        self.pin_ratio = pin_ratio
        self.generated_tokens = 0  # for /metrics and the benchmark
        self._lock = threading.Lock()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(x) for x in self.tokenizer(texts, add_special_tokens=True)["input_ids"]]

    def generate(
        self,
        texts: list[str],
        *,
        beam_size: int,
        max_new_tokens: int | None = None,
    ) -> list[str]:
        if not texts:
            return []
        ids = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        sources = [self.tokenizer.convert_ids_to_tokens(x) for x in ids]
        budgets = [
            max_new_tokens or output_budget(len(x), self.max_positions, self.pin_ratio) for x in ids
        ]
        options: dict[str, Any] = {
            "beam_size": beam_size,
            "max_input_length": 0,  # never truncate: the translator already split long input
            "max_decoding_length": max(budgets),
            # pinned (benchmarks): no row may stop before the shortest budget; the callback
            # stops each at its own (greedy), beam search runs to the batch's longest
            "min_decoding_length": min(budgets) if self.pin_ratio else 1,
        }
        if beam_size == 1 and max_new_tokens is None:
            # Greedy decoding reports each token: stop each row at its own budget, or as soon
            # as a phrase repeats a third time (trimmed below).
            produced: list[list[int]] = [[] for _ in texts]

            check_loops = not self.pin_ratio  # pinned benchmark rows run to their length

            def step(result: Any) -> bool:
                row = produced[result.batch_id]
                row.append(result.token_id)
                if len(row) >= budgets[result.batch_id]:
                    return True
                return check_loops and loop_start(row) is not None

            options["callback"] = step
        with self._lock:
            results = self.translator.translate_batch(sources, **options)
            self.generated_tokens += sum(len(r.hypotheses[0]) for r in results)
        out = []
        for result in results:
            tokens = result.hypotheses[0]
            cut = None if self.pin_ratio else loop_start(tokens)
            if cut is not None:
                tokens = tokens[:cut]
            out.append(self.tokenizer.convert_tokens_to_string(tokens).strip())
        return out


if __name__ == "__main__":
    _convert(*sys.argv[1:4])
