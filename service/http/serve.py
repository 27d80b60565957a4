"""`roen serve`: the app under uvicorn, with the deadlines and caps a public server needs.

uvicorn alone waits forever for a request's headers or body (slowloris: 200 sockets that
trickle a byte now and then stay open indefinitely; a Content-Length larger than the body
hangs the request), believes X-Forwarded-For from loopback peers, and logs every failed
accept() with a traceback. Here:
- each phase of a request has a deadline from its start — headers ROEN_HEADER_TIMEOUT_S,
  body ROEN_BODY_TIMEOUT_S — that trickling bytes cannot extend; past it the connection
  is closed;
- at most ROEN_MAX_CONNECTIONS connections; requests beyond get 503;
- X-Forwarded-For is read only from ROEN_TRUSTED_PROXIES;
- the open-file limit is raised to its hard limit, and repeated identical warnings from the
  accept loop are logged once per interval with a count.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.http.app import create_app
from service.logs import configure_logging
from service.settings import Settings
from service.telemetry import tracing

log = logging.getLogger("roen.http")


def deadline_protocol(header_timeout_s: float, body_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline per phase of each request."""

    class DeadlineH11Protocol(H11Protocol):
        _phase: str | None = None
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._follow()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _follow(self) -> None:
            """Arm the deadline of the phase the client is in (once per phase)."""
            state = self.conn.their_state
            phase = "headers" if state is h11.IDLE else "body" if state is h11.SEND_BODY else None
            if phase == self._phase:
                return
            self._disarm()
            self._phase = phase
            if phase is not None:
                seconds = header_timeout_s if phase == "headers" else body_timeout_s
                self._timer = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _expired(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                self.transport.close()  # the app (if reading a body) sees a disconnect

    return DeadlineH11Protocol


class OncePerInterval(logging.Filter):
    """Let a given message through once per `seconds`; say how many were held back."""

    def __init__(self, seconds: float = 10.0) -> None:
        super().__init__()
        self.seconds = seconds
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last, held = self._seen.get(key, (-1e9, 0))
        if now - last < self.seconds:
            self._seen[key] = (last, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last {self.seconds:g} s)"
        record.exc_info = record.exc_info if not held else None
        self._seen[key] = (now, 0)
        if len(self._seen) > 1000:  # messages vary little; keep the filter itself bounded
            self._seen.clear()
        return True


def raise_open_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def serve(
    settings: Settings, host: str, port: int, prepare: Callable[[], object] | None = None
) -> None:
    """`roen serve`: listening at once; `prepare` (fetching or converting missing models)
    runs in the background before the models load."""
    configure_logging(settings.log_level)
    quiet = OncePerInterval()
    for name in ("asyncio", "uvicorn.error"):
        logging.getLogger(name).addFilter(quiet)
    files = raise_open_file_limit()
    if files < settings.max_connections + 100:
        log.warning(
            "open-file limit %d is below ROEN_MAX_CONNECTIONS (%d)", files, settings.max_connections
        )
    # The event loop hands CPU steps to threads and the scheduler's worker hands results
    # back: with Python's default 5 ms GIL switch interval each hand-off can wait that long,
    # which under load added ~10 % idle time between batches. 1 ms keeps hand-offs prompt.
    sys.setswitchinterval(0.001)
    # What is loaded lives as long as the process: frozen, the cycle collector stops walking
    # it, and the collection after each document (pipeline/document_jobs.py) costs
    # milliseconds instead of a 100+ ms pause of every thread.
    app = create_app(settings, prepare=prepare, loaded=gc.freeze)
    if tracing.wanted():  # OTEL_EXPORTER_OTLP_ENDPOINT set: traces, batched, to that collector
        tracing.enable()
        log.info("tracing on: spans exported over OTLP/HTTP")
    # uvicorn drains in-flight requests on SIGTERM, restores the previous handler and raises
    # the signal again; with this one in place an orderly stop exits 0, not "killed by 15".
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    proxies = settings.trusted_proxies.strip()
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            http=deadline_protocol(settings.header_timeout_s, settings.body_timeout_s),
            limit_concurrency=settings.max_connections,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
            log_level=settings.log_level.lower(),
            log_config=None,  # uvicorn's loggers propagate to our JSON handler
            access_log=False,  # roen.access writes one structured line per request instead
            timeout_graceful_shutdown=settings.shutdown_grace_s,
        )
    finally:
        tracing.disable()  # the last spans exported before the process ends
