"""Build the configured summariser from Settings."""

from __future__ import annotations

from service.models.info import ModelInfo
from service.models.resolve import folder_size, resolve_model
from service.settings import Settings
from service.summarize.types import SummaryEngine


def build_summarizer(settings: Settings) -> tuple[SummaryEngine, ModelInfo]:
    if settings.summary_method == "abstractive":
        from service.runtime.factory import torch_seq2seq

        seq2seq = torch_seq2seq()  # first: names the extra to install when torch is absent
        from service.summarize.abstractive import AbstractiveSummarizer

        ref = settings.summary_model
        path = resolve_model(ref, settings.model_cache)
        model = seq2seq(path, name=ref, threads=settings.cpu_threads())
        info = ModelInfo("summary", ref, True, str(path), folder_size(path), "torch")
        return AbstractiveSummarizer(model), info

    from service.models.convert import revision
    from service.models.prepare import embedder
    from service.summarize.embeddings import SentenceEmbedder
    from service.summarize.extractive import ExtractiveSummarizer

    path = embedder(settings).runtime()
    engine = SentenceEmbedder(path, threads=settings.cpu_threads())
    name = settings.embedding_model or "all-MiniLM-L6-v2 (extractive)"
    label = "numpy (float16 weights, float32 maths)"
    info = ModelInfo(
        "summary", name, True, str(path), folder_size(path), label, None, revision(path)
    )
    return ExtractiveSummarizer(engine), info
