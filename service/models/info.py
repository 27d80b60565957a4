"""What the service reports about a configured model (for /v1/models and readiness)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelInfo:
    role: str  # "translation" | "summary"
    name: str  # hub id or folder as configured
    loaded: bool
    path: str | None = None
    size_bytes: int | None = None
    backend: str | None = None
    error: str | None = None
    revision: str | None = None  # the checkpoint's fingerprint, from its runtime form
