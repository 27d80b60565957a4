"""Document bombs against a real `roen serve` (tiny checkpoint), over loopback: every file
answered within 10 s with 200, 413 or 422; /health/live answering within 1 s throughout;
each file's peak memory growth under 300 MB; memory back within 100 MB after the series.

Figures per bomb go to artifacts/load-report.json ("document-bombs").
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.support.document_bombs import BOMBS
from tests.support.live_server import POLLER, Server, report

pytestmark = [pytest.mark.slow, pytest.mark.model]

# The routes a document reaches, each with the fields it needs.
ROUTES = {
    "/v1/translate/file": {},
    "/translate_file": {"source": "ro", "target": "en"},
    "/document": {},
}


class PeakSampler:
    """The server's resident memory, sampled every 10 ms while a request runs."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss_mb())
            time.sleep(0.01)

    def __enter__(self) -> PeakSampler:
        self.peak = self.server.rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mb())


def test_document_bombs_are_answered_fast_and_cost_bounded_memory(tiny_marian, tmp_path):
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
            "ROEN_BEAM_SIZE": "1",
        }
    )
    server.wait_ready(timeout=180)
    live_file, stop_file = tmp_path / "live.txt", tmp_path / "stop"
    figures: dict[str, dict[str, float | int]] = {}
    try:
        with httpx.Client(base_url=server.base, timeout=60) as http:
            # warm: the first document imports python-docx and builds the caches
            for suffix in (".docx", ".md", ".srt", ".txt", ".html"):
                sample = BOMBS[next(k for k, v in BOMBS.items() if v[0] == suffix)][1](10)
                http.post("/v1/translate/file", files={"file": ("a" + suffix, sample)})
            at_rest = server.rss_mb()
            poller = subprocess.Popen(
                [sys.executable, "-c", POLLER, server.base, str(stop_file), str(live_file)]
            )
            started_series = time.perf_counter()
            series = [*BOMBS, "docx-empty-paragraphs", "docx-empty-paragraphs"]
            for n, name in enumerate(series):
                suffix, build, size = BOMBS[name]
                route = list(ROUTES)[n % len(ROUTES)]
                data = build(size)
                with PeakSampler(server) as sampler:
                    started = time.perf_counter()
                    r = http.post(route, files={"file": ("a" + suffix, data)}, data=ROUTES[route])
                    seconds = time.perf_counter() - started
                figures[f"{name} {route}"] = {
                    "bytes": len(data),
                    "status": r.status_code,
                    "seconds": round(seconds, 2),
                    "peak_growth_mb": round(sampler.peak - at_rest, 1),
                }
                # LibreTranslate answers every refusal 400; the others say 413 or 422
                allowed = (200, 400) if route == "/translate_file" else (200, 413, 422)
                assert r.status_code in allowed, (name, route, r.text[:300])
                assert seconds < 10, (name, route, seconds)
                assert sampler.peak - at_rest < 300, (name, route, sampler.peak, at_rest)
            series_s = time.perf_counter() - started_series
            stop_file.touch()
            poller.wait(30)
            time.sleep(1)  # the scheduler gives freed pages back when its queue runs dry
            after = server.rss_mb()
    finally:
        stop_file.touch()
        server.stop()
    live = [float(x) for x in live_file.read_text().split()]
    summary = {
        "rss_at_rest_mb": round(at_rest, 1),
        "rss_after_series_mb": round(after, 1),
        "live_checks": len(live),
        "live_p50_ms": round(statistics.median(live), 1),
        "live_max_ms": round(max(live), 1),
    }
    report("document-bombs", {"files": figures, **summary})
    assert poller.returncode == 0  # no liveness check failed or took over its 5 s timeout
    assert max(live) < 1000, summary
    assert len(live) > series_s / 0.2  # it polled throughout (every ~50 ms when answered)
    assert after - at_rest < 100, summary


def test_documents_beyond_the_slots_are_told_to_retry(tiny_marian):
    """One slot, three large documents at once: the first is translated, a later one gets
    503 with Retry-After at once."""
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
            "ROEN_BEAM_SIZE": "1",
            "ROEN_MAX_DOCUMENT_JOBS": "1",
        }
    )
    server.wait_ready(timeout=180)
    suffix, build, _ = BOMBS["docx-runs"]
    data = build(40_000)
    results: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=server.base, timeout=60) as http:
            results.append(http.post("/v1/translate/file", files={"file": ("a" + suffix, data)}))

    try:
        threads = [threading.Thread(target=send) for _ in range(3)]
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
    finally:
        server.stop()
    statuses = sorted(r.status_code for r in results)
    assert statuses[0] == 200 and 503 in statuses, statuses
    busy = next(r for r in results if r.status_code == 503)
    assert int(busy.headers["retry-after"]) >= 1 and "ROEN_MAX_DOCUMENT_JOBS" in busy.text
