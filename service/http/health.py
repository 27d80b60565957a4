"""Liveness (the process answers) and readiness (every configured model is loaded)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get

from service.http.api import models_response
from service.http.deps import EnginesDep
from service.http.problems import problem, problem_responses
from service.http.schemas import Health, ModelsResponse


@get("/health/live", tags=["health"])
async def live() -> Health:
    return Health("ok")


@get("/health/ready", tags=["health"], responses=problem_responses(503))
async def ready(engines: EnginesDep) -> Response[Any]:
    body: ModelsResponse = models_response(engines)
    if engines.ready:
        return Response(msgspec.to_builtins(body), status_code=200)
    if engines.loading:
        detail = "Models are still loading."
    else:
        missing = [m for m in body.models if not m.loaded]
        detail = " ".join(f"{m.role}: {m.error}" for m in missing) or "A model is not loaded."
    return problem(
        503,
        "Not ready",
        detail,
        models=msgspec.to_builtins(body.models),
        retry_after=5 if engines.loading else 30,
    )
