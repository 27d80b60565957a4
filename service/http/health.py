"""Liveness (the process answers), readiness (every configured model is loaded), and /info
(what this replica serves)."""

from __future__ import annotations

import socket
from typing import Any

import msgspec
from litestar import Response, get

from service import __version__
from service.documents.formats import FORMATS
from service.errors import ModelError, ModelNotReady
from service.http.deps import PipelineDep
from service.http.problems import problem_for, problem_responses
from service.http.schemas import Health, InfoResponse, ModelsResponse
from service.settings import Settings
from service.store.base import Store


@get("/health/live", tags=["health"])
async def live() -> Health:
    return Health("ok")


@get("/health/ready", tags=["health"], responses=problem_responses(503))
async def ready(pipeline: PipelineDep) -> Response[Any]:
    status = pipeline.status()
    body = msgspec.to_builtins(ModelsResponse.of(status))
    if status.ready:
        return Response(body, status_code=200)
    if status.loading:
        why: ModelError = ModelNotReady("Models are still loading.")
    else:
        missing = " ".join(f"{m.role}: {m.error}" for m in status.models if not m.loaded)
        why = ModelError(missing or "A model is not loaded.")
        why.retry_after_s = 30  # an operator has to act; pollers need not hurry
    problem = problem_for(why, models=body["models"])
    return problem.response()


def info_route(settings: Settings, store: Store) -> Any:
    """/info: which model and revision this replica serves, where, with what limits and
    features — what an operator compares across replicas (TGI's /info)."""
    replica = settings.replica_id or socket.gethostname()
    limits: dict[str, float | None] = {
        "max_chars": settings.max_chars,
        "max_texts": settings.max_texts,
        "max_segments": settings.max_segments,
        "max_body_bytes": settings.max_body_bytes,
        "max_upload_bytes": settings.max_upload_bytes,
        "request_timeout_s": settings.request_timeout_s,
        "queue_capacity": settings.queue_capacity,
        "rate_limit_per_minute": settings.rate_limit_per_minute,
        "batch_tokens": settings.batch_tokens,
        "max_batch_size": settings.max_batch_size,
        "max_document_jobs": settings.max_document_jobs,
    }
    kind = type(store).__name__.removesuffix("Store").lower()

    @get("/info", tags=["health"], sync_to_thread=False)
    def info(pipeline: PipelineDep) -> InfoResponse:
        status = pipeline.status()
        return InfoResponse(
            version=__version__,
            replica=replica,
            ready=status.ready,
            models=ModelsResponse.of(status).models,
            limits=limits,
            features={
                "dialects": ["libretranslate", "deepl"],
                "documents": list(FORMATS),
                "glossaries": True,
                "streaming": True,
                "url_fetch": False,
            },
            store=kind,
        )

    return info
