"""A BERT encoder (all-MiniLM-L6-v2 and its kind) in numpy, on float16 weights.

Why not CTranslate2's Encoder, which served this before: CTranslate2 computes in float32
on this kind of CPU, so it widened the 46 MB of float16 weights to 91 MB in memory, for
every replica, all the time. Here the weights stay float16 and memory-mapped (replicas on
one host share the pages); each layer's matrices are widened to float32 only while that
layer runs (7 MB at a time). The vectors are the same to a cosine of 0.99999.

The weights file is written by `roen models download` (service.models.convert), in the
safetensors layout (an 8-byte header length, a JSON header, then the raw arrays), under
BERT's own names but laid out for numpy's products: each linear layer's matrix as
[inputs, outputs], contiguous (a transposed operand runs at 60 % of the speed), and a
layer's query, key and value as one matrix (`attention.qkv`), one product.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from service.models.convert import EMBEDDER_WEIGHTS

_DTYPES = {"F16": np.float16, "F32": np.float32}
# erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and BERT's GELU
# is the exact one, not the tanh approximation.
_P = np.float32(0.3275911)
_A = [np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736)]
_A_LAST = np.float32(0.254829592)
_CHUNK = 1 << 15  # elementwise work in cache-sized pieces: 2.5× faster than whole arrays


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """Every array of a safetensors file, memory-mapped read-only (nothing copied)."""
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header: dict[str, Any] = json.loads(f.read(size))
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        arrays[name] = raw[begin:end].view(_DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return arrays


def gelu_(x: np.ndarray) -> np.ndarray:
    """Exact GELU, x · Φ(x), in place on a contiguous float32 array."""
    assert x.flags.c_contiguous, "gelu_ works in place: a strided view would be copied"
    flat = x.reshape(-1)
    t, e = np.empty(_CHUNK, np.float32), np.empty(_CHUNK, np.float32)
    for start in range(0, flat.size, _CHUNK):
        v = flat[start : start + _CHUNK]
        tt, ee = t[: v.size], e[: v.size]
        np.abs(v, out=ee)
        ee *= np.float32(0.7071067811865476)  # |x| / √2
        np.multiply(ee, _P, out=tt)
        tt += 1
        np.reciprocal(tt, out=tt)
        np.square(ee, out=ee)
        np.negative(ee, out=ee)
        np.exp(ee, out=ee)
        poly = tt * _A[0]
        for a in _A[1:]:
            poly += a
            poly *= tt
        poly += _A_LAST
        poly *= tt
        poly *= ee  # 1 − erf(|x| / √2)
        np.copysign(poly, v, out=ee)
        ee *= v
        ee *= np.float32(0.5)  # x/2 · sign(x) · (1 − erf)
        np.subtract(np.maximum(v, 0), ee, out=v)  # = x/2 · (1 + erf(x / √2))
    return x


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(-1, keepdims=True)
    x /= np.sqrt(np.square(x).mean(-1, keepdims=True) + np.float32(eps))
    x *= gamma
    x += beta
    return x


class BertEncoder:
    """Last hidden states of a post-norm BERT encoder with absolute positions."""

    def __init__(self, folder: Path, *, heads: int, layers: int, eps: float) -> None:
        w = read_weights(folder / EMBEDDER_WEIGHTS)
        self.heads, self.layers, self.eps = heads, layers, eps
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.w = w
        self.dimensions = int(self.words.shape[1])

    def _f32(self, name: str) -> np.ndarray:
        return np.asarray(self.w[name], dtype=np.float32)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        out = x @ self._f32(name + ".weight")
        out += self._f32(name + ".bias")
        return out

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self._f32(name + ".weight"), self._f32(name + ".bias"), self.eps)

    def mean_pooled(self, rows: list[list[int]]) -> np.ndarray:
        """The mean of each row's last hidden states, [len(rows), dimensions] in float32.

        Tokens travel packed, [tokens, dimensions], with no padding: the linear layers (four
        fifths of the work) see only real tokens, so a batch's short rows cost no more than
        their own length. Only attention runs padded, per row, with padding masked out."""
        lengths = np.array([len(r) for r in rows])
        assert lengths.min() > 0, "every row has its [CLS] and [SEP] at least"
        count, length, heads = len(rows), int(lengths.max()), self.heads
        size = self.dimensions // heads
        mask = np.arange(length)[None, :] < lengths[:, None]
        where = mask.reshape(-1)  # packed token i is padded position np.flatnonzero(where)[i]
        ids = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows])
        h = self.words[ids].astype(np.float32)
        h += self.positions[np.nonzero(mask)[1]].astype(np.float32)
        h += self.token_type.astype(np.float32)
        h = self._norm(h, "embeddings.LayerNorm")
        # Padding gets no attention: −1e9 before the softmax.
        padding = np.where(mask, np.float32(0), np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1 / np.sqrt(size))

        padded = np.zeros((count * length, 3 * self.dimensions), np.float32)

        def heads_of(x: np.ndarray, *order: int) -> np.ndarray:
            # Contiguous per head, keys already transposed: numpy's stacked products on
            # strided views run 4× slower than on contiguous ones.
            return np.ascontiguousarray(x.reshape(count, length, heads, size).transpose(order))

        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            padded[where] = self._linear(h, p + "attention.qkv")  # padding rows stay 0
            q, k, v = np.split(padded, 3, axis=1)
            q, k, v = heads_of(q, 0, 2, 1, 3), heads_of(k, 0, 2, 3, 1), heads_of(v, 0, 2, 1, 3)
            scores = q @ k
            scores *= scale
            scores += padding
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(count * length, heads * size)
            h += self._linear(context[where], p + "attention.output.dense")
            h = self._norm(h, p + "attention.output.LayerNorm")
            inner = gelu_(self._linear(h, p + "intermediate.dense"))
            h += self._linear(inner, p + "output.dense")
            h = self._norm(h, p + "output.LayerNorm")
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pooled: np.ndarray = np.add.reduceat(h, starts, axis=0) / lengths[:, None]
        return pooled
