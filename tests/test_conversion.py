"""The CTranslate2 conversion cache: a changed checkpoint is converted again, never served
from the conversion of its old weights."""

import shutil

import pytest

pytestmark = pytest.mark.model

WEIGHT = "model.encoder.layers.0.fc1.bias"  # stored by CTranslate2 as is (float32)


def test_changed_weights_get_a_new_conversion(tiny_marian, tmp_path):
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from service.runtime.ct2 import CT2Backend

    checkpoint = shutil.copytree(tiny_marian, tmp_path / "checkpoint")
    cache = tmp_path / "cache"

    def load():
        return CT2Backend(
            checkpoint, name="tiny", cache_dir=cache, threads=1, compute_type="float32"
        )

    first = load()
    old = (first.path / "model.bin").read_bytes()

    # Fine-tuned in place: the same file names and sizes, other weights.
    weights_file = checkpoint / "model.safetensors"
    size = weights_file.stat().st_size
    with safe_open(weights_file, "pt") as f:
        metadata = f.metadata()
    weights = load_file(weights_file)
    old_weight = weights[WEIGHT].clone()
    weights[WEIGHT] = torch.linspace(0.123, 0.456, old_weight.numel())
    save_file(weights, weights_file, metadata=metadata)
    assert weights_file.stat().st_size == size

    second = load()
    new = (second.path / "model.bin").read_bytes()
    assert second.path != first.path
    assert second.path.parent == first.path.parent == cache / "ct2"
    marker = weights[WEIGHT].numpy().astype("<f4").tobytes()
    assert marker in new and marker not in old  # the new weights are what is served
    assert old_weight.numpy().astype("<f4").tobytes() in old

    # and the new conversion is reused in turn, not redone at every start
    stamp = (second.path / "model.bin").stat().st_mtime_ns
    third = load()
    assert third.path == second.path
    assert (third.path / "model.bin").stat().st_mtime_ns == stamp
