"""Attacks from outside against a real `roen serve` (tiny checkpoint), over loopback: slow
clients, clients that leave, a short body, forged identities, SIGTERM mid-work.

Bounded in count and time, loopback only. Figures go to artifacts/load-report.json.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import POLLER, SENTENCES, Server, report

pytestmark = [pytest.mark.slow, pytest.mark.model]


def serve(tiny_marian: Path, tmp_path: Path, **env: str) -> Server:
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],  # where tiny_marian was converted
            "ROEN_BEAM_SIZE": "1",
            **env,
        }
    )
    server.wait_ready(timeout=180)
    return server


def long_article(n: int) -> str:
    return " ".join(f"{SENTENCES[i % len(SENTENCES)][:-1]}, numărul {i}." for i in range(n))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def post_raw(
    port: int, body: bytes, *, length: int | None = None, path: str = "/v1/translate"
) -> socket.socket:
    """A POST whose bytes we control; the socket is returned open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length if length is not None else len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        while chunk := sock.recv(4096):  # a response (if any), then the close
            del chunk
        return True
    except (TimeoutError, OSError):
        return False


def test_slowloris_is_cut_off_and_liveness_stays_fast(tiny_marian, tmp_path):
    server = serve(tiny_marian, tmp_path, ROEN_HEADER_TIMEOUT_S="2")
    live_file, stop_file = tmp_path / "live.txt", tmp_path / "stop"
    poller = subprocess.Popen(
        [sys.executable, "-c", POLLER, server.base, str(stop_file), str(live_file)]
    )
    socks = []
    try:
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        started, alive = time.perf_counter(), len(socks)
        while time.perf_counter() - started < 4 and alive:
            alive = 0
            for s in socks:  # a header byte now and then: never a whole request
                try:
                    s.sendall(b"X")
                    alive += 1
                except OSError:
                    pass
            time.sleep(0.3)
        cut_after = time.perf_counter() - started
        stop_file.touch()
        poller.wait(30)
    finally:
        for s in socks:
            s.close()
        server.stop()
    live = sorted(float(x) for x in live_file.read_text().split())
    figures = {
        "sockets": len(socks),
        "all_closed_by_server_after_s": round(cut_after, 1),
        "live_checks": len(live),
        "live_p50_ms": round(statistics.median(live), 1),
        "live_p99_ms": round(live[int(0.99 * (len(live) - 1))], 1),
    }
    report("slowloris", figures)
    assert alive == 0 and cut_after < 4  # every trickling socket was closed at its deadline
    assert figures["live_p99_ms"] < 100


def test_a_body_shorter_than_its_content_length_does_not_hang(tiny_marian, tmp_path):
    server = serve(tiny_marian, tmp_path, ROEN_BODY_TIMEOUT_S="2")
    try:
        started = time.perf_counter()
        sock = post_raw(server.port, b'{"text": "Bu', length=100)
        assert closed_by_server(sock, within=10)
        waited = time.perf_counter() - started
        assert httpx.get(server.base + "/health/live", timeout=5).status_code == 200
    finally:
        server.stop()
    assert 1.5 < waited < 6


@pytest.mark.parametrize(
    ("path", "field", "extra"),
    [
        ("/v1/translate", "text", {}),
        ("/v2/translate", "text", {"target_lang": "EN-GB"}),
        ("/translate", "q", {"source": "ro", "target": "en"}),
    ],
)
def test_a_client_that_leaves_takes_its_work_with_it(tiny_marian, tmp_path, path, field, extra):
    """Every route: a client that hangs up (a DeepL client retrying after its 10 s timeout)
    does not leave its article to be translated for nobody."""
    # torch: slow enough on the tiny model for the article to be queued for seconds
    server = serve(tiny_marian, tmp_path, ROEN_BACKEND="torch", ROEN_MAX_BATCH_SIZE="8")
    try:
        pid = server.proc.pid
        idle_threads = threads(pid)
        body = httpx.Request("POST", "/", json={field: long_article(1200), **extra}).content
        sock = post_raw(server.port, body, path=path)
        time.sleep(1.5)  # being translated, batch after batch
        waiting = server.metric("roen_queue_sentences")
        assert waiting > 0
        sock.close()  # the client leaves
        deadline = time.perf_counter() + 2
        while time.perf_counter() < deadline and server.metric("roen_queue_sentences") > 0:
            time.sleep(0.05)
        queued = server.metric("roen_queue_sentences")
        time.sleep(0.5)  # the batch that was running ends
        cpu_before = cpu_seconds(pid)
        time.sleep(1.0)
        busy = cpu_seconds(pid) - cpu_before
        cancelled = server.metric("roen_cancelled_sentences_total")
        after = threads(pid)
        # the next request is not delayed by the departed one's sentences
        started = time.perf_counter()
        r = httpx.post(server.base + "/v1/translate", json={"text": "Bună ziua."}, timeout=30)
        next_ms = (time.perf_counter() - started) * 1000
    finally:
        server.stop()
    log = server.log()
    report(
        f"disconnect {path}",
        {
            "queued_2s_after_leaving": queued,
            "cancelled_sentences": cancelled,
            "cpu_seconds_in_the_next_second": round(busy, 2),
            "threads_idle_before": idle_threads,
            "threads_after": after,
            "next_request_ms": round(next_ms),
        },
    )
    # everything still waiting when it left was dropped (but for the rows a batch then
    # running had taken: at most two batches of ROEN_MAX_BATCH_SIZE=8)
    assert queued == 0 and cancelled >= waiting - 16 and cancelled > 500
    assert busy < 0.3  # back to idle: nothing of the article runs for nobody
    assert after <= idle_threads + 4
    assert r.status_code == 200 and next_ms < 2000
    assert '"status": 499' in log  # the access log says the client left, not 200


def test_forged_identities_share_one_rate_limit_bucket(tiny_marian, tmp_path):
    server = serve(tiny_marian, tmp_path, ROEN_RATE_LIMIT_PER_MINUTE="3")
    try:
        statuses = []
        for i in range(5):  # a new forwarded address and a new made-up key every time
            headers = {"X-Forwarded-For": f"10.0.0.{i}", "Authorization": f"Bearer made-up-{i}"}
            r = httpx.post(
                server.base + "/v1/translate", json={"text": "Bună."}, headers=headers, timeout=30
            )
            statuses.append(r.status_code)
    finally:
        server.stop()
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


def test_sigterm_during_abandoned_work_exits_0_within_the_grace(tiny_marian, tmp_path):
    server = serve(tiny_marian, tmp_path, ROEN_BACKEND="torch", ROEN_SHUTDOWN_GRACE_S="10")
    body = httpx.Request("POST", "/", json={"text": long_article(1200)}).content
    sock = post_raw(server.port, body)
    time.sleep(1.5)
    sock.close()  # abandoned: its batch is still running
    second = post_raw(server.port, body)  # and one still waiting for its answer
    time.sleep(0.5)
    started = time.perf_counter()
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(30)
    seconds = time.perf_counter() - started
    second.close()
    report("sigterm_abandoned", {"exit_code": code, "exit_seconds": round(seconds, 1)})
    assert code == 0 and seconds < 10


def test_connections_beyond_the_cap_get_503_and_the_server_recovers(tiny_marian, tmp_path):
    server = serve(tiny_marian, tmp_path, ROEN_MAX_CONNECTIONS="20", ROEN_HEADER_TIMEOUT_S="2")
    try:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(25)]
        time.sleep(0.3)
        over = httpx.get(server.base + "/health/live", timeout=5).status_code
        time.sleep(2.5)  # the idle sockets reach their header deadline and are closed
        after = httpx.get(server.base + "/health/live", timeout=5).status_code
        for s in idle:
            s.close()
    finally:
        server.stop()
    assert over == 503 and after == 200
