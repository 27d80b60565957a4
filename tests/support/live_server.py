"""What the tests that drive a real `roen serve` share: harness's server and report, the
corpus they send, and a liveness poller to run beside a load."""

from __future__ import annotations

from pathlib import Path

from harness.live_server import ARTIFACTS, Server, report, rss_mb

__all__ = ["ARTIFACTS", "POLLER", "SENTENCES", "Server", "report", "rss_mb"]

CORPUS = Path(__file__).parent.parent / "data" / "corpus.ro.txt"
SENTENCES = CORPUS.read_text(encoding="utf-8").splitlines()

POLLER = """
import sys, time, httpx
import os
base, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
lat = []
with httpx.Client(timeout=5) as http:
    while not os.path.exists(stop):
        t0 = time.perf_counter()
        http.get(base + "/health/live").raise_for_status()
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)
open(out, "w").write("\\n".join(f"{x:.2f}" for x in lat))
"""
