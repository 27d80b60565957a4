"""Build the configured summariser from Settings."""

from __future__ import annotations

from service.models.info import ModelInfo
from service.models.resolve import folder_size, resolve_model
from service.settings import Settings
from service.summarize.types import SummaryEngine


def build_summarizer(settings: Settings) -> tuple[SummaryEngine, ModelInfo]:
    if settings.summary_method == "abstractive":
        from service.runtime.torch_seq2seq import TorchSeq2Seq
        from service.summarize.abstractive import AbstractiveSummarizer

        ref = settings.summary_model
        path = resolve_model(ref, settings.model_cache)
        model = TorchSeq2Seq(path, name=ref, threads=settings.cpu_threads())
        info = ModelInfo("summary", ref, True, str(path), folder_size(path), "torch")
        return AbstractiveSummarizer(model), info

    from service.summarize.embeddings import SentenceEmbedder, packaged_minilm
    from service.summarize.extractive import ExtractiveSummarizer

    ref = settings.embedding_model
    path = resolve_model(ref, settings.model_cache) if ref else packaged_minilm()
    embedder = SentenceEmbedder(path, threads=settings.cpu_threads())
    name = ref or "all-MiniLM-L6-v2 (extractive)"
    info = ModelInfo("summary", name, True, str(path), folder_size(path), "torch")
    return ExtractiveSummarizer(embedder), info
