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

    from service.errors import ModelMissing
    from service.models.convert import ensure_converted
    from service.runtime.factory import build_backend
    from service.settings import Settings

    checkpoint = shutil.copytree(tiny_marian, tmp_path / "checkpoint")
    cache = tmp_path / "cache"
    settings = Settings(
        _env_file=None,
        translation_model=str(checkpoint),
        model_cache=cache,
        ct2_compute_type="float32",
    )

    def convert():
        """The step `roen models download` runs; serving only looks its result up."""
        return ensure_converted(checkpoint, str(checkpoint), cache, "float32")

    def load():
        backend, _ = build_backend(settings)
        return backend

    convert()
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

    # the old conversion is stale: serving refuses it and names the step
    with pytest.raises(ModelMissing, match="not been converted"):
        load()
    convert()
    second = load()
    new = (second.path / "model.bin").read_bytes()
    assert second.path != first.path
    assert second.path.parent == first.path.parent == cache / "ct2"
    marker = weights[WEIGHT].numpy().astype("<f4").tobytes()
    assert marker in new and marker not in old  # the new weights are what is served
    assert old_weight.numpy().astype("<f4").tobytes() in old

    # and the new conversion is reused in turn, not redone
    stamp = (second.path / "model.bin").stat().st_mtime_ns
    convert()
    third = load()
    assert third.path == second.path
    assert (third.path / "model.bin").stat().st_mtime_ns == stamp
