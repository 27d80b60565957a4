"""Build the translation backend from Settings: the one place that knows which class backs
which setting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.errors import ModelLoadFailed
from service.models.convert import revision
from service.models.info import ModelInfo
from service.models.prepare import translation
from service.models.resolve import folder_size
from service.runtime.backend import Backend
from service.runtime.device import placement
from service.settings import Settings

if TYPE_CHECKING:
    from service.runtime.torch_seq2seq import TorchSeq2Seq


def chosen_backend(settings: Settings) -> str:
    if settings.backend != "auto":
        return settings.backend
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return "torch"
    return "ctranslate2"


def torch_seq2seq() -> type[TorchSeq2Seq]:
    """The torch backend's class, or a message naming what to install: a serving install
    (and the `runtime` image) has no torch."""
    try:
        from service.runtime.torch_seq2seq import TorchSeq2Seq
    except ImportError as err:
        raise ModelLoadFailed(
            f"{err.name or 'torch'} is not installed: the torch backend and the abstractive "
            "summariser need roen's `convert` extra (pip install 'roen[convert]'), or the "
            "`full` container image."
        ) from None
    return TorchSeq2Seq


def build_backend(settings: Settings) -> tuple[Backend, ModelInfo]:
    """The configured translation model, loaded, and what /v1/models says about it."""
    ref = settings.translation_model
    backend: Backend
    if chosen_backend(settings) == "ctranslate2":
        from service.runtime.ct2 import CT2Backend

        # One converted folder (int8) for every device: CTranslate2 converts its weights to
        # the device's compute type as it loads them.
        where = placement(settings)
        path = translation(settings, settings.ct2_compute_type).runtime()
        backend = CT2Backend(
            path,
            name=ref,
            threads=settings.cpu_threads(),
            compute_type=where.compute_type,
            device=where.device,
            batch_tokens=where.batch_tokens if where.device != "cpu" else None,
        )
    else:
        path = translation(settings, None).runtime()  # the checkpoint itself
        backend = torch_seq2seq()(
            path, name=ref, threads=settings.cpu_threads(), quantize=settings.quantize == "int8"
        )
    if settings.pin_output_ratio:
        from service.runtime.pinned import PinnedLengths

        backend = PinnedLengths(backend, settings.pin_output_ratio)
    info = ModelInfo(
        "translation", ref, True, str(path), folder_size(path), backend.label, None, revision(path)
    )
    return backend, info
