"""Liveness (the process answers) and readiness (every configured model is loaded)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get

from service.errors import ModelError, ModelNotReady
from service.http.deps import PipelineDep
from service.http.problems import problem_for, problem_responses
from service.http.schemas import Health, ModelsResponse


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
