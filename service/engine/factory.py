"""Build engines from Settings: the one place that knows which class backs which setting."""

from __future__ import annotations

from service.engine.interface import ModelInfo, SummaryEngine
from service.engine.loading import folder_size, resolve_model
from service.engine.translator import Translator
from service.settings import Settings


def build_translator(settings: Settings) -> tuple[Translator, ModelInfo]:
    from service.engine.seq2seq_torch import TorchSeq2Seq

    ref = settings.translation_model
    path = resolve_model(ref, settings.model_cache)
    backend = TorchSeq2Seq(path, name=ref, threads=settings.cpu_threads())
    translator = Translator(
        backend,
        model_name=ref,
        max_segment_tokens=settings.max_segment_tokens,
        batch_tokens=settings.batch_tokens,
        max_batch_size=settings.max_batch_size,
        default_beam_size=settings.beam_size,
    )
    info = ModelInfo("translation", ref, True, str(path), folder_size(path), "torch")
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
