"""The runtime form of a model, made once, as a step of its own: a translation model
converted for CTranslate2, an embedder written as float16 arrays for summarize/bert.py.

`roen models download` and `import-opus-mt` convert; serving only looks the result up
(`find_converted`) and refuses a checkpoint that was not converted, naming the command.
So a serving process never imports torch or transformers, and a container can carry the
converted folders alone (the `baked` image target).

A runtime folder is `<model_cache>/ct2/<name>-<quantisation>-<fingerprint>/` and holds
all that serving reads: the weights (CTranslate2's model files, or the embedder's
`weights.safetensors`), the tokenizer files, and `roen.json`
(its names, where it came from, and the few checkpoint settings the runtime needs).
A changed checkpoint gets a new fingerprint, so a stale conversion is never used while the
checkpoint is on disk; without the checkpoint (a baked image) the folder is found by name.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from service.errors import ModelError, ModelMissing, ModelNotConverted

log = logging.getLogger("roen.models")

Kind = Literal["marian", "embedder"]
META = "roen.json"
# The weights file each kind's runtime reads: a folder without it is not a conversion.
EMBEDDER_WEIGHTS = "weights.safetensors"  # what summarize/bert.py maps
_WEIGHTS: dict[str, str] = {"marian": "model.bin", "embedder": EMBEDDER_WEIGHTS}
# What each kind's runtime reads besides its weights (copied when present).
_TOKENIZER_FILES: dict[str, tuple[str, ...]] = {
    "marian": ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"),
    "embedder": ("tokenizer.json",),
}


_HUB_BLOB = re.compile(r"[0-9a-f]{64}")


def revision(folder: Path) -> str | None:
    """The fingerprint of the checkpoint a runtime folder was converted from (None for a
    checkpoint served as it is, by the torch backend)."""
    try:
        meta = json.loads((folder / META).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    found = meta.get("fingerprint") if isinstance(meta, dict) else None
    return str(found) if found else None


def _fingerprint(checkpoint: Path) -> str:
    """Changes when the weights, config or tokenizer change, so a stale conversion is never
    served; stays the same when the folder is copied, mounted elsewhere in a container or
    reinstalled by pip (neither path nor times count: the content does)."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in checkpoint.iterdir()):
        if name.endswith((".json", ".safetensors", ".bin", ".spm", ".txt")):
            file = (checkpoint / name).resolve()
            if _HUB_BLOB.fullmatch(file.name):
                content = file.name  # a hub snapshot's large file: its blob is named by its hash
            else:
                with file.open("rb") as f:  # ~0.3 s for an opus-mt checkpoint
                    content = hashlib.file_digest(f, "sha256").hexdigest()
            digest.update(f"{name}:{content}".encode())
    return digest.hexdigest()[:12]


def converted_path(checkpoint: Path, name: str, cache_dir: Path, quantization: str) -> Path:
    """Keyed by content: the same checkpoint under another name reuses its conversion."""
    key = f"{quantization}-{_fingerprint(checkpoint)}"
    existing = sorted((cache_dir / "ct2").glob(f"*-{key}"))
    if existing:
        return existing[0]
    slug = "".join(c if c.isalnum() or c in "-." else "-" for c in name.strip("/"))[-60:]
    return cache_dir / "ct2" / f"{slug}-{key}"


def read_meta(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / META).read_text("utf-8")))


def _weights(folder: Path) -> Path | None:
    """The weights file of a finished conversion (its kind named in roen.json), else None."""
    if not (folder / META).is_file():
        return None
    weights = folder / _WEIGHTS.get(read_meta(folder).get("kind", "marian"), "model.bin")
    return weights if weights.is_file() else None


def _complete(folder: Path) -> bool:
    return _weights(folder) is not None


def find_converted(
    name: str, cache_dir: Path, quantization: str, checkpoint: Path | None
) -> Path | None:
    """The runtime folder for `name`: the one made from `checkpoint` when it is on disk (a
    conversion of an older version of it does not count), else the newest one by that name."""
    if checkpoint is not None:
        path = converted_path(checkpoint, name, cache_dir, quantization)
        return path if _complete(path) else None
    found = []
    for meta_file in (cache_dir / "ct2").glob(f"*-{quantization}-*/{META}"):
        folder = meta_file.parent
        meta = read_meta(folder)
        weights = _weights(folder)
        if weights and meta["quantization"] == quantization and name in meta["names"]:
            found.append((weights.stat().st_mtime_ns, folder))
    return max(found)[1] if found else None


def runtime_folder(
    name: str, cache_dir: Path, quantization: str, checkpoint: Callable[[], Path]
) -> Path:
    """The runtime folder of model `name`, or ModelMissing naming the command that makes it.
    `checkpoint()` locates the checkpoint (or raises ModelMissing): it is optional, since a
    baked image carries only the conversion."""
    try:
        source: Path | None = checkpoint()
    except ModelMissing as missing:
        source, absent = None, missing
    folder = find_converted(name, cache_dir, quantization, source)
    if folder is not None:
        return folder
    if source is None:
        raise absent
    raise ModelNotConverted(name, str(cache_dir.resolve()))


def check_converter(name: str) -> None:
    """ModelError unless torch and transformers are installed (before anything is fetched)."""
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelError(
            f"Converting '{name}' needs {' and '.join(missing)}, which a serving install leaves "
            "out: install roen's `convert` extra (pip install 'roen[convert]'), or convert "
            "with the `full` container image."
        )


def ensure_converted(
    checkpoint: Path, name: str, cache_dir: Path, quantization: str, kind: Kind = "marian"
) -> Path:
    """Convert `checkpoint` unless done already; needs the `convert` extra (torch,
    transformers), which the converter imports in a child process."""
    target = converted_path(checkpoint, name, cache_dir, quantization)
    if _complete(target):
        _add_name(target, name)
        return target
    check_converter(name)
    log.info("converting %s (%s, %s) into %s", name, kind, quantization, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        # In a child process: the converter holds the whole fp32 model in memory, and the
        # calling process should not keep that peak (or those pages, or torch) afterwards.
        command = [sys.executable, "-m", __name__, kind, str(checkpoint), str(tmp / "model")]
        proc = subprocess.run(
            [*command, quantization],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            why = lines[-1] if lines else f"the converter exited with {proc.returncode}"
            raise ModelError(f"Converting '{name}' failed: {why}")
        for file in _TOKENIZER_FILES[kind]:
            if (checkpoint / file).is_file():
                shutil.copyfile(checkpoint / file, tmp / "model" / file)
        meta = {
            "kind": kind,
            "names": [name],
            "checkpoint": str(checkpoint.resolve()),
            "fingerprint": _fingerprint(checkpoint),
            "quantization": quantization,
            **_settings(checkpoint, kind),
        }
        (tmp / "model" / META).write_text(json.dumps(meta, indent=1), "utf-8")
        if _complete(target):  # another process converted it meanwhile: use that one
            return target
        if target.is_dir():  # unfinished, or another kind's form (a float16 CTranslate2
            # embedder from roen 0.x): never served, so moved aside and replaced
            target.rename(tmp / "stale")
        try:
            (tmp / "model").rename(target)  # atomic: a half-written conversion is never used
        except OSError:
            if not _complete(target):  # else another process converted it meanwhile: use it
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _settings(checkpoint: Path, kind: Kind) -> dict[str, Any]:
    """The checkpoint settings the runtime uses, read here so that it needs no transformers."""
    config = _json(checkpoint / "config.json")
    if kind == "embedder":
        return {
            "max_positions": int(config.get("max_position_embeddings") or 512),
            "heads": int(config["num_attention_heads"]),
            "layers": int(config["num_hidden_layers"]),
            "layer_norm_eps": float(config.get("layer_norm_eps") or 1e-12),
        }
    generation = _json(checkpoint / "generation_config.json")
    return {
        "max_positions": int(config.get("max_position_embeddings") or 512),
        "num_beams": int(generation.get("num_beams") or config.get("num_beams") or 1),
    }


def _json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text("utf-8"))) if path.is_file() else {}


def _add_name(folder: Path, name: str) -> None:
    """A conversion reused under another name is then found by that name too."""
    meta = read_meta(folder)
    if name not in meta["names"]:
        meta["names"].append(name)
        tmp = folder / f".{META}.tmp"
        tmp.write_text(json.dumps(meta, indent=1), "utf-8")
        tmp.replace(folder / META)


def _convert(checkpoint: str, out: str, quantization: str) -> None:
    from ctranslate2.converters import TransformersConverter

    quantize = None if quantization in ("default", "auto", "float32") else quantization
    TransformersConverter(checkpoint).convert(out, quantization=quantize, force=True)


def _write_embedder(checkpoint: str, out: str, quantization: str) -> None:
    """The encoder's weights as float16 arrays in the layout summarize/bert.py multiplies
    by: each linear layer's matrix as [inputs, outputs] (torch keeps [outputs, inputs]), and
    a layer's query, key and value as one matrix, one product. Anything but a post-norm BERT
    with absolute positions and exact GELU is refused here rather than served wrong."""
    import numpy as np
    from safetensors.numpy import save_file
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(checkpoint)
    shape = (
        config.model_type,
        getattr(config, "position_embedding_type", "absolute"),
        getattr(config, "hidden_act", "gelu"),
    )
    if shape != ("bert", "absolute", "gelu"):
        raise SystemExit(
            f"the embedder must be a BERT model (absolute positions, gelu); this one is {shape}"
        )
    if quantization != "float16":
        raise SystemExit(f"an embedder is stored as float16, not {quantization}")
    model = AutoModel.from_pretrained(checkpoint, add_pooling_layer=False)
    w = {k: v.float().numpy() for k, v in model.state_dict().items() if v.is_floating_point()}
    arrays = {k: w[k] for k in w if k.startswith("embeddings.") or "LayerNorm" in k}
    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        qkv = [p + f"attention.self.{part}" for part in ("query", "key", "value")]
        arrays[p + "attention.qkv.weight"] = np.concatenate([w[n + ".weight"] for n in qkv]).T
        arrays[p + "attention.qkv.bias"] = np.concatenate([w[n + ".bias"] for n in qkv])
        for name in ("attention.output.dense", "intermediate.dense", "output.dense"):
            arrays[p + name + ".weight"] = w[p + name + ".weight"].T
            arrays[p + name + ".bias"] = w[p + name + ".bias"]
    Path(out).mkdir(parents=True)
    save_file(
        {k: np.ascontiguousarray(v, dtype=np.float16) for k, v in arrays.items()},
        str(Path(out) / EMBEDDER_WEIGHTS),
    )


if __name__ == "__main__":
    kind, *args = sys.argv[1:5]
    (_write_embedder if kind == "embedder" else _convert)(*args)
