"""The models a configuration needs, and the step that makes them servable: download (or
find on disk) and convert. `roen models download` runs it, `roen models status` reports
it, and the factories look each model's runtime form up through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.errors import ModelError, ModelMissing
from service.models.convert import Kind, check_converter, ensure_converted, runtime_folder
from service.models.minilm import NAME, STORED_AS, packaged_minilm
from service.models.resolve import download_model, resolve_model
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class Needed:
    role: str  # translation | summary
    name: str
    locate: Callable[[], Path]  # the checkpoint on disk, or ModelMissing
    fetch: Callable[[], Path]  # the checkpoint, downloaded if need be
    cache_dir: Path
    quantization: str | None  # converted for CTranslate2 with this; None = read by torch
    kind: Kind = "marian"

    def runtime(self) -> Path:
        """What serving loads, or ModelMissing naming the command that makes it."""
        if self.quantization is None:
            return self.locate()
        return runtime_folder(self.name, self.cache_dir, self.quantization, self.locate)

    def prepare(self) -> Path:
        """Download (or, offline, take the copy on disk) and convert. Needs the `convert`
        extra for the conversion."""
        if self.quantization is not None:
            check_converter(self.name)  # before a download that could not be used
        try:
            checkpoint = self.fetch()
        except ModelError as unreachable:
            try:
                checkpoint = self.locate()  # offline, but on disk: convert what is there
            except ModelMissing:
                raise unreachable from None
        if self.quantization is None:
            return checkpoint
        return ensure_converted(checkpoint, self.name, self.cache_dir, self.quantization, self.kind)


def _hub(
    role: str, ref: str, cache: Path, quantization: str | None, kind: Kind = "marian"
) -> Needed:
    return Needed(
        role,
        ref,
        lambda: resolve_model(ref, cache),
        lambda: download_model(ref, cache),
        cache,
        quantization,
        kind,
    )


def translation(settings: Settings, quantization: str | None) -> Needed:
    """The translation model; `quantization` None when the torch backend reads it as is."""
    return _hub("translation", settings.translation_model, settings.model_cache, quantization)


def embedder(settings: Settings) -> Needed:
    """The extractive summariser's sentence embedder (all-MiniLM-L6-v2 from its wheel unless
    `embedding_model` names another)."""
    cache, ref = settings.model_cache, settings.embedding_model
    if ref:
        return _hub("summary", ref, cache, STORED_AS, "embedder")
    return Needed("summary", NAME, packaged_minilm, packaged_minilm, cache, STORED_AS, "embedder")


def needed(settings: Settings, *, ctranslate2: bool) -> list[Needed]:
    """Every model the configuration serves with, in the form it is served."""
    cache = settings.model_cache
    quantization = settings.ct2_compute_type if ctranslate2 else None
    models = [translation(settings, quantization)]
    if settings.summary_method == "abstractive":
        models.append(_hub("summary", settings.summary_model, cache, None))
    else:
        models.append(embedder(settings))
    return models
