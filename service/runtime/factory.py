"""Build the translation backend from Settings: the one place that knows which class backs
which setting."""

from __future__ import annotations

from service.models.info import ModelInfo
from service.models.resolve import folder_size, resolve_model
from service.runtime.backend import Backend
from service.settings import Settings


def chosen_backend(settings: Settings) -> str:
    if settings.backend != "auto":
        return settings.backend
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return "torch"
    return "ctranslate2"


def build_backend(settings: Settings) -> tuple[Backend, ModelInfo]:
    """The configured translation model, loaded, and what /v1/models says about it."""
    ref = settings.translation_model
    path = resolve_model(ref, settings.model_cache)
    backend: Backend
    if chosen_backend(settings) == "ctranslate2":
        from service.runtime.ct2 import CT2Backend

        backend = CT2Backend(
            path,
            name=ref,
            cache_dir=settings.model_cache,
            threads=settings.cpu_threads(),
            compute_type=settings.ct2_compute_type,
        )
    else:
        from service.runtime.torch_seq2seq import TorchSeq2Seq

        backend = TorchSeq2Seq(
            path, name=ref, threads=settings.cpu_threads(), quantize=settings.quantize == "int8"
        )
    if settings.pin_output_ratio:
        from service.runtime.pinned import PinnedLengths

        backend = PinnedLengths(backend, settings.pin_output_ratio)
    return backend, ModelInfo("translation", ref, True, str(path), folder_size(path), backend.label)
