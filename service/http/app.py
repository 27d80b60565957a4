"""The app factory. Nothing happens at import; `create_app` builds everything."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from service import __version__
from service.accounts.callers import Accounts
from service.http import deepl, libretranslate
from service.http.access import Access, cors_config
from service.http.api import ApiController
from service.http.deepl_documents import ROUTES as DOCUMENT_ROUTES
from service.http.deps import Services
from service.http.downloads import Downloads
from service.http.glossaries import ROUTES as GLOSSARY_ROUTES
from service.http.health import info_route, live, ready
from service.http.metrics import Metrics, metrics_route
from service.http.openapi import document
from service.http.problems import EXCEPTION_HANDLERS
from service.http.request_log import request_middleware
from service.http.web import (
    code_spans,
    favicon,
    form,
    marked,
    submit,
    submit_streamed,
    translate_document,
)
from service.pipeline.engines import Engines
from service.pipeline.pipeline import Pipeline
from service.settings import Settings
from service.store.base import Store
from service.store.factory import open_store
from service.terms.book import GlossaryBook

HERE = Path(__file__).parent
_FILE_NAME = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


async def plain_file_name(connection: ASGIConnection[Any, Any, Any, Any], _: Any) -> None:
    """Static files have short plain names: anything else (a NUL byte, a 300-character name)
    is a 404 here, not an OSError from the file system."""
    if not _FILE_NAME.match(str(connection.path_params.get("file_path", ""))):
        raise NotFoundException(f"No resource at {connection.url.path}.")


def create_app(
    settings: Settings | None = None,
    engines: Engines | None = None,
    store: Store | None = None,
    prepare: Callable[[], object] | None = None,
    loaded: Callable[[], object] | None = None,
) -> Litestar:
    """Build the service. Pass `engines` (built with fake builders in tests) to choose what
    is loaded, `store` to share one between apps (it is closed by whoever opened it),
    `prepare` / `loaded` to run in the background before and after the models load; the
    pipeline, scheduler and limits are always the real ones."""
    settings = settings or Settings()
    pipeline = Pipeline.from_settings(settings, engines)
    engines = pipeline.engines
    own_store = store is None
    store = store or open_store(settings)

    @asynccontextmanager
    async def load_models(_: Litestar) -> AsyncIterator[None]:
        # In a thread, not awaited: the server answers /health/live (and serves the form
        # with a "loading" banner) while weights load; /health/ready flips when done.
        engines.start(prepare, loaded)
        try:
            yield
        finally:
            # The server has stopped accepting and drained in-flight requests by now.
            engines.close()
            if own_store:
                await store.close()

    metrics = Metrics(pipeline)
    engines.scheduler.stages = metrics  # the worker reports each batch's stages to it
    # The keys file is read once, here; managed keys, usage and limits live in the store.
    access = Access(Accounts(store, settings), settings)
    downloads = Downloads(store)  # LibreTranslate's translated files, until fetched
    glossaries = GlossaryBook(store)  # each key's own, shared by every replica
    services = Services(pipeline, settings, access, downloads, glossaries)
    logging.getLogger("roen").setLevel(settings.log_level.upper())
    app = Litestar(
        route_handlers=[
            Router("/", route_handlers=[ApiController], guards=[access]),
            libretranslate.router(),
            deepl.router(*GLOSSARY_ROUTES, *DOCUMENT_ROUTES),
            # The form's routes admit callers themselves: a key arrives in the form's fields.
            Router("/", route_handlers=[form, submit, submit_streamed, translate_document]),
            live,
            ready,
            favicon,
            metrics_route(metrics, settings.metrics_token),
            info_route(settings, store),
            create_static_files_router(
                path="/static",
                directories=[HERE / "static"],
                include_in_schema=False,
                guards=[plain_file_name],
            ),
        ],
        dependencies={
            "pipeline": Provide(lambda: pipeline, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "access": Provide(lambda: access, sync_to_thread=False),
            "downloads": Provide(lambda: downloads, sync_to_thread=False),
            "glossaries": Provide(lambda: glossaries, sync_to_thread=False),
            "services": Provide(lambda: services, sync_to_thread=False),
        },
        lifespan=[load_models],
        middleware=[request_middleware(metrics)],
        cors_config=cors_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=lambda jinja: jinja.engine.filters.update(
                code=code_spans, marked=marked
            ),
        ),
        openapi_config=OpenAPIConfig(
            title="roen",
            version=__version__,
            description="Romanian→English translation and summarisation.",
            path="/docs",
            # Swagger UI 5.18.2 (Apache-2.0) is vendored under static/swagger/: the page
            # works on a machine with no internet, like the form.
            render_plugins=[
                SwaggerRenderPlugin(
                    js_url="/static/swagger/swagger-ui-bundle.js",
                    css_url="/static/swagger/swagger-ui.css",
                    standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js",
                    favicon="<link rel='icon' href='data:,'>",  # none, rather than a CDN's
                )
            ],
        ),
        debug=False,
        logging_config=None,  # `roen serve` configures JSON logging once, for the process
    )
    document(app, settings)
    return app
