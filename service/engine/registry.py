"""What the service has loaded, what it has not, and why.

`load()` is blocking and never raises: it runs in a background thread started by the HTTP
lifespan, so the process answers /health/live at once and /health/ready turns 200 only when
every configured model is loaded and warmed up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from service.engine.interface import ModelInfo, SummaryEngine, TranslationEngine
from service.errors import ModelError, ModelNotReady, RoenError
from service.settings import Settings

log = logging.getLogger("roen.engines")
E = TypeVar("E")


def _warmed(
    build: Callable[..., tuple[TranslationEngine, ModelInfo]],
) -> Callable[[Settings], tuple[TranslationEngine, ModelInfo]]:
    """Build the service's translator (batching) and run one tiny translation, so the first
    user pays nothing — and a model that loads but cannot translate is reported as failed."""

    def build_and_warm(settings: Settings) -> tuple[TranslationEngine, ModelInfo]:
        translator, info = build(settings, batching=True)
        translator.translate(["Bună ziua."])
        return translator, info

    return build_and_warm


class Engines:
    def __init__(self) -> None:
        self.translator: TranslationEngine | None = None
        self.summarizer: SummaryEngine | None = None
        self.models: dict[str, ModelInfo] = {}
        self.errors: dict[str, RoenError] = {}
        self.loading = True

    @classmethod
    def preloaded(
        cls,
        translator: TranslationEngine | None,
        summarizer: SummaryEngine | None,
        models: dict[str, ModelInfo] | None = None,
        errors: dict[str, RoenError] | None = None,
    ) -> Engines:
        """Engines built elsewhere (tests pass fakes here)."""
        engines = cls()
        engines.translator, engines.summarizer = translator, summarizer
        engines.models = models or {
            "translation": ModelInfo(
                "translation", getattr(translator, "model_name", "?"), translator is not None
            ),
            "summary": ModelInfo(
                "summary", getattr(summarizer, "method", "?"), summarizer is not None
            ),
        }
        engines.errors = errors or {}
        engines._finish()
        return engines

    @property
    def ready(self) -> bool:
        return not self.loading and self.translator is not None and self.summarizer is not None

    def _finish(self) -> None:
        self.loading = False

    def load(self, settings: Settings) -> None:
        try:
            # Inside the try: even an import failing (a broken install) must end "loading"
            # and be reported by /health/ready, not kill this thread silently.
            from service.engine.factory import build_summarizer, build_translator
        except Exception as err:
            log.exception("the engine code could not be imported")
            for role in ("translation", "summary"):
                self._failed(role, settings, ModelError(f"{type(err).__name__}: {err}"))
            self._finish()
            return
        try:
            self.translator = self._try("translation", settings, _warmed(build_translator))
            self.summarizer = self._try("summary", settings, build_summarizer)
        finally:
            self._finish()

    def _try(
        self, role: str, settings: Settings, build: Callable[[Settings], tuple[E, ModelInfo]]
    ) -> E | None:
        started = time.perf_counter()
        try:
            engine, info = build(settings)
        except RoenError as err:
            self._failed(role, settings, err)
            return None
        except Exception as err:  # a broken checkpoint must not kill the server
            log.exception("loading the %s model failed", role)
            self._failed(role, settings, ModelError(f"{type(err).__name__}: {err}"))
            return None
        self.models[role] = info
        log.info("%s model %s loaded in %.1fs", role, info.name, time.perf_counter() - started)
        return engine

    def _failed(self, role: str, settings: Settings, err: RoenError) -> None:
        name = (
            settings.translation_model
            if role == "translation"
            else (
                settings.summary_model if settings.summary_method == "abstractive" else "extractive"
            )
        )
        self.errors[role] = err
        self.models[role] = ModelInfo(role, name, False, error=str(err))
        log.error("%s model unavailable: %s", role, err)

    def stats(self) -> dict[str, float]:
        """Counters for /metrics and the benchmark (zeros for what is not loaded)."""
        out = dict.fromkeys(
            (
                "generated_tokens",
                "queued_sentences",
                "batches",
                "batch_rows",
                "cache_hits",
                "cache_misses",
            ),
            0.0,
        )
        translator = self.translator
        backend = getattr(translator, "backend", None)
        inner = getattr(backend, "inner", backend)
        out["generated_tokens"] = float(getattr(inner, "generated_tokens", 0))
        batch_stats = getattr(backend, "stats", None)
        if batch_stats is not None:
            out["queued_sentences"] = float(getattr(backend, "queued", 0))
            out["batches"], out["batch_rows"] = float(batch_stats.batches), float(batch_stats.rows)
        cache = getattr(translator, "cache", None)
        if cache is not None:
            out["cache_hits"], out["cache_misses"] = float(cache.hits), float(cache.misses)
        return out

    def close(self) -> None:
        """Stop background workers (the batcher); called after in-flight requests finished."""
        backend = getattr(self.translator, "backend", None)
        close = getattr(backend, "close", None)
        if callable(close):
            close()

    def need_translator(self) -> TranslationEngine:
        if self.translator is not None:
            return self.translator
        raise self._why_not("translation")

    def need_summarizer(self) -> SummaryEngine:
        if self.summarizer is not None:
            return self.summarizer
        raise self._why_not("summary")

    def _why_not(self, role: str) -> RoenError:
        if self.loading:
            return ModelNotReady(f"The {role} model is still loading; retry in a few seconds.")
        return self.errors.get(role) or ModelError(f"No {role} model is configured.")
