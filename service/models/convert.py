"""Convert a transformers Marian checkpoint for CTranslate2, once, keyed by its content.

The conversion lives in `<model_cache>/ct2/<name>-<compute type>-<fingerprint>/` and is
reused at every later start; a changed checkpoint gets a new fingerprint, so a stale
conversion is never used.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("roen.models")


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
                "service.models.convert",
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


if __name__ == "__main__":
    _convert(*sys.argv[1:4])
