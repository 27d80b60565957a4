"""Build engines from Settings: the one place that knows which class backs which setting."""

from __future__ import annotations

from pathlib import Path

from service.engine.cache import SentenceCache
from service.engine.interface import ModelInfo, Seq2SeqBackend, SummaryEngine
from service.engine.loading import folder_size, resolve_model
from service.engine.translator import Translator
from service.settings import Settings


def chosen_backend(settings: Settings) -> str:
    if settings.backend != "auto":
        return settings.backend
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return "torch"
    return "ctranslate2"


def build_backend(settings: Settings, path: Path, ref: str) -> tuple[Seq2SeqBackend, str]:
    """The model runner chosen by settings, and a label for it (/v1/models, the benchmark)."""
    kind = chosen_backend(settings)
    if kind == "ctranslate2":
        from service.engine.seq2seq_ct2 import CT2Seq2Seq

        ct2 = CT2Seq2Seq(
            path,
            name=ref,
            cache_dir=settings.model_cache,
            threads=settings.cpu_threads(),
            compute_type=settings.ct2_compute_type,
            pin_ratio=settings.pin_output_ratio,
        )
        return ct2, f"ctranslate2-{settings.ct2_compute_type}"
    from service.engine.seq2seq_torch import TorchSeq2Seq

    quantize = settings.quantize == "int8"
    torch_backend = TorchSeq2Seq(
        path,
        name=ref,
        threads=settings.cpu_threads(),
        quantize=quantize,
        pin_ratio=settings.pin_output_ratio,
    )
    return torch_backend, "torch-int8" if quantize else "torch-fp32"


def build_translator(settings: Settings, *, batching: bool = False) -> tuple[Translator, ModelInfo]:
    """`batching=True` (the service): one worker batches sentences across requests."""
    ref = settings.translation_model
    path = resolve_model(ref, settings.model_cache)
    backend, label = build_backend(settings, path, ref)
    if batching:
        from service.engine.batcher import BatchingBackend

        backend = BatchingBackend(
            backend,
            budget_tokens=settings.batch_tokens,
            max_batch=settings.max_batch_size,
            max_wait_ms=settings.batch_wait_ms,
            capacity=settings.queue_capacity,
            timeout_s=settings.request_timeout_s,
        )
    translator = Translator(
        backend,
        model_name=ref,
        max_segment_tokens=settings.max_segment_tokens,
        batch_tokens=settings.batch_tokens,
        max_batch_size=settings.max_batch_size,
        default_beam_size=settings.beam_size,
        cache=SentenceCache(settings.cache_size) if settings.cache_size else None,
        max_parts=settings.max_segments,
    )
    info = ModelInfo("translation", ref, True, str(path), folder_size(path), label)
    return translator, info


def build_summarizer(settings: Settings) -> tuple[SummaryEngine, ModelInfo]:
    if settings.summary_method == "abstractive":
        from service.engine.seq2seq_torch import TorchSeq2Seq
        from service.engine.summarize_abstractive import AbstractiveSummarizer

        ref = settings.summary_model
        path = resolve_model(ref, settings.model_cache)
        model = TorchSeq2Seq(path, name=ref, threads=settings.cpu_threads())
        info = ModelInfo("summary", ref, True, str(path), folder_size(path), "torch")
        return AbstractiveSummarizer(model), info

    from service.engine.embeddings import SentenceEmbedder, packaged_minilm
    from service.engine.summarize_extractive import ExtractiveSummarizer

    ref = settings.embedding_model
    path = resolve_model(ref, settings.model_cache) if ref else packaged_minilm()
    embedder = SentenceEmbedder(path, threads=settings.cpu_threads())
    name = ref or "all-MiniLM-L6-v2 (extractive)"
    info = ModelInfo("summary", name, True, str(path), folder_size(path), "torch")
    return ExtractiveSummarizer(embedder), info
