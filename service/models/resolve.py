"""Where model weights come from: a local folder, or a hub id resolved in `model_cache/`.

Loading never touches the network: a model that is not on disk raises `ModelMissing`,
which names the model, the folder and the command that fetches it. Downloading is an
explicit step (`roen models download`), so a container never pulls weights at start-up.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from service.errors import ModelError, ModelMissing, roen_command

# Other frameworks' copies of the weights: never needed, often several hundred MB each.
_IGNORE = [
    "*.h5",
    "*.msgpack",
    "*.ot",
    "*.onnx",
    "onnx/*",
    "flax_model*",
    "tf_model*",
    "rust_model*",
]


def looks_like_path(ref: str) -> bool:
    """A hub id is ORG/NAME; anything absolute, relative-dotted or deeper is a folder."""
    return ref.startswith(("/", ".", "~")) or ref.count("/") != 1 or Path(ref).expanduser().is_dir()


def resolve_model(ref: str, cache_dir: Path) -> Path:
    """The local folder holding `ref`, or ModelMissing."""
    if looks_like_path(ref):
        folder = Path(ref).expanduser()
        if not (folder / "config.json").is_file():
            raise ModelMissing.empty_folder(str(folder.resolve()))
        return folder
    snapshot = local_snapshot(ref, cache_dir)
    if snapshot is None or not (snapshot / "config.json").is_file():
        raise ModelMissing(ref, str(cache_dir.resolve()))
    return snapshot


def local_snapshot(ref: str, cache_dir: Path) -> Path | None:
    """The snapshot `roen models download` left in the hub cache layout
    (`models--ORG--NAME/refs/main` names the folder under `snapshots/`), read directly, so
    that serving needs no huggingface_hub (it is in the `convert` extra)."""
    repo = cache_dir / ("models--" + ref.replace("/", "--"))
    try:
        revision = (repo / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    snapshot = repo / "snapshots" / revision
    return snapshot if revision and snapshot.is_dir() else None


def folder_size(path: Path) -> int:
    # resolve(): hub snapshots are symlinks into blobs/
    return sum(p.resolve().stat().st_size for p in path.rglob("*") if p.is_file())


def hub_unreachable(timeout_s: float = 3.0) -> str | None:
    """Why the hub cannot be reached, in a few seconds at most — or None. The hub client would
    otherwise retry for ~25 s (1, 2, 4, 8, 8 s) before `make run` could serve. Behind a
    proxy (HTTPS_PROXY) the direct check would be wrong: the client is left to try."""
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return None
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = url.hostname or "huggingface.co"
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as err:
        return f"{host}:{port}: {err.strerror or err}"
    return None


def download_model(ref: str, cache_dir: Path) -> Path:
    """Fetch `ref` from the hub into `cache_dir` (progress bars on stderr); a folder is checked."""
    if looks_like_path(ref):
        return resolve_model(ref, cache_dir)
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        raise ModelError(
            f"Cannot download '{ref}': HF_HUB_OFFLINE is set. Unset it on a machine with "
            f"network access, or copy the model into {cache_dir.resolve()}."
        )
    unreachable = hub_unreachable()
    if unreachable:
        raise ModelError(
            f"Cannot download '{ref}': the model hub is not reachable ({unreachable}). On a "
            f"machine with network access run `{roen_command('models download')}`, or copy the "
            f"model into {cache_dir.resolve()}."
        )
    try:
        from huggingface_hub import HfApi, snapshot_download
    except ImportError:
        raise ModelError(
            f"Cannot download '{ref}': huggingface_hub is not installed. Downloading is part "
            "of roen's `convert` extra (pip install 'roen[convert]'), or run it with the "
            "`full` container image."
        ) from None

    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        files = HfApi().list_repo_files(ref)
        ignore = list(_IGNORE)
        if any(f.endswith(".safetensors") for f in files):
            ignore.append("pytorch_model*.bin")  # same weights twice otherwise
        return Path(str(snapshot_download(ref, cache_dir=cache_dir, ignore_patterns=ignore)))
    except Exception as err:  # the hub client raises many types; all mean "not fetched"
        raise ModelError(
            f"Could not download '{ref}' into {cache_dir.resolve()}: {type(err).__name__}: "
            f"{err}. Check the network (or HF_ENDPOINT / a proxy) and the model id."
        ) from None
