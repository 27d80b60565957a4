"""What the service has loaded, what it has not and why, and the scheduler that runs it.

`load()` is blocking and never raises: the HTTP lifespan runs it in a background thread,
so the process answers /health/live at once; each role (translation, summary) is loading,
ready or failed on its own, and a request waits only on the role it needs.

Builders are injected: tests pass fakes (`Engines(settings, Builders(...))`); the default
ones import the runtime and summarise rooms only when called.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.errors import ModelError, ModelNotReady, RoenError
from service.models.info import ModelInfo
from service.pipeline.types import Status
from service.runtime.backend import Backend, Decoding
from service.runtime.policies import serving_scheduler
from service.runtime.scheduler import Scheduler
from service.settings import Settings
from service.summarize.types import SummaryEngine

log = logging.getLogger("roen.engines")
E = TypeVar("E")

WARM_UP = "Bună ziua."


def _build_backend(settings: Settings) -> tuple[Backend, ModelInfo]:
    from service.runtime.factory import build_backend

    return build_backend(settings)


def _build_summarizer(settings: Settings) -> tuple[SummaryEngine, ModelInfo]:
    from service.summarize.factory import build_summarizer

    return build_summarizer(settings)


@dataclass(frozen=True, slots=True)
class Builders:
    """How each role is built from Settings (the one seam tests replace)."""

    translation: Callable[[Settings], tuple[Backend, ModelInfo]] = _build_backend
    summary: Callable[[Settings], tuple[SummaryEngine, ModelInfo]] = _build_summarizer


class _Role(Generic[E]):
    def __init__(self, role: str, name: str) -> None:
        self.engine: E | None = None
        self.info = ModelInfo(role, name, False)
        self.error: RoenError | None = None
        self.loading = True

    def need(self) -> E:
        if self.engine is not None:
            return self.engine
        if self.loading:
            raise ModelNotReady(f"The {self.info.role} model is still loading; retry shortly.")
        raise self.error or ModelError(f"No {self.info.role} model is configured.")


class Engines:
    def __init__(
        self,
        settings: Settings,
        builders: Builders | None = None,
        *,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.settings = settings
        self.builders = builders or Builders()
        self.scheduler = scheduler or serving_scheduler(settings)
        summary_name = (
            settings.summary_model if settings.summary_method == "abstractive" else "extractive"
        )
        self.translation: _Role[Backend] = _Role("translation", settings.translation_model)
        self.summary: _Role[SummaryEngine] = _Role("summary", summary_name)
        self._started = False

    # --- lifecycle --------------------------------------------------------------------
    def start(
        self,
        prepare: Callable[[], object] | None = None,
        loaded: Callable[[], object] | None = None,
    ) -> None:
        """Start the scheduler, and load in a background thread once (not again when `load()`
        already ran). `prepare` runs first in that thread (`roen serve --download-missing`
        fetching and converting what is missing): the server listens meanwhile, and says
        it is loading. `loaded` runs once loading is over."""
        self.scheduler.start()
        if self._started:
            return
        self._started = True

        def run() -> None:
            if prepare is not None:
                try:
                    prepare()
                except Exception:  # loading then says what is missing, and how to get it
                    log.exception("preparing the models failed")
            self.load()
            if loaded is not None:
                loaded()

        threading.Thread(target=run, name="roen-loader", daemon=True).start()

    def load(self, *, summary: bool = True) -> None:
        """Build every role (blocking; never raises). `summary=False`: translation only."""
        self._started = True
        self.scheduler.start()
        backend = self._load(self.translation, self.builders.translation, self._warm)
        if backend is not None:
            self.scheduler.attach(backend)
        if summary:
            self._load(self.summary, self.builders.summary, None)

    def close(self) -> None:
        """Stop the scheduler's worker; called after in-flight requests finished."""
        self.scheduler.close()
        if self.translation.engine is not None:
            self.translation.engine.close()

    # --- state ------------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self.translation.loading or self.summary.loading

    @property
    def ready(self) -> bool:
        return self.translation.engine is not None and self.summary.engine is not None

    def status(self) -> Status:
        return Status(self.ready, self.loading, [self.translation.info, self.summary.info])

    def need_translator(self) -> Backend:
        return self.translation.need()

    def need_summarizer(self) -> SummaryEngine:
        return self.summary.need()

    # --- loading ----------------------------------------------------------------------
    @staticmethod
    def _warm(backend: Backend) -> None:
        """One tiny translation: the first user pays nothing, and a model that loads but
        cannot translate is reported as failed."""
        backend.generate(backend.encode([WARM_UP]), Decoding(1, [8]))

    def _load(
        self,
        role: _Role[E],
        build: Callable[[Settings], tuple[E, ModelInfo]],
        check: Callable[[E], None] | None,
    ) -> E | None:
        started = time.perf_counter()
        try:
            engine, info = build(self.settings)
            if check is not None:
                check(engine)
        except RoenError as err:
            return self._failed(role, err)
        except Exception as err:  # a broken checkpoint or install must not kill the server
            log.exception("loading the %s model failed", role.info.role)
            return self._failed(role, ModelError(f"{type(err).__name__}: {err}"))
        role.engine, role.info, role.loading = engine, info, False
        log.info("%s model %s loaded in %.1fs", info.role, info.name, time.perf_counter() - started)
        return engine

    @staticmethod
    def _failed(role: _Role[E], err: RoenError) -> None:
        role.error = err
        role.info = ModelInfo(role.info.role, role.info.name, False, error=str(err))
        role.loading = False
        log.error("%s model unavailable: %s", role.info.role, err)
