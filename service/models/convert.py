"""The runtime form of a model: converted for CTranslate2, once, as a step of its own.

`roen models download` and `import-opus-mt` convert; serving only looks the result up
(`find_converted`) and refuses a checkpoint that was not converted, naming the command.
So a serving process never imports torch or transformers, and a container can carry the
converted folders alone (the `baked` image target).

A runtime folder is `<model_cache>/ct2/<name>-<quantisation>-<fingerprint>/` and holds
all that serving reads: CTranslate2's model files, the tokenizer files, and `roen.json`
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
# What each kind's runtime reads besides CTranslate2's own files (copied when present).
_TOKENIZER_FILES: dict[str, tuple[str, ...]] = {
    "marian": ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"),
    "embedder": ("tokenizer.json",),
}


_HUB_BLOB = re.compile(r"[0-9a-f]{64}")


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


def _complete(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / META).is_file()


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
        if _complete(folder) and meta["quantization"] == quantization and name in meta["names"]:
            found.append(((folder / "model.bin").stat().st_mtime_ns, folder))
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
    log.info("converting %s for CTranslate2 (%s) into %s", name, quantization, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        # In a child process: the converter holds the whole fp32 model in memory, and the
        # calling process should not keep that peak (or those pages, or torch) afterwards.
        proc = subprocess.run(
            [sys.executable, "-m", __name__, str(checkpoint), str(tmp / "model"), quantization],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            why = lines[-1] if lines else f"the converter exited with {proc.returncode}"
            raise ModelError(f"Converting '{name}' for CTranslate2 failed: {why}")
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
        return {"max_positions": int(config.get("max_position_embeddings") or 512)}
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


if __name__ == "__main__":
    _convert(*sys.argv[1:4])
