"""Run every configuration in one process, interleaved over rounds, and print ratios.

Configurations (greedy unless named, outputs pinned to 1.1 × source tokens):
  naive      transformers fp32, beam 4, one request at a time, each request one padded batch
  engine     roen's Translator driven directly, per backend, 32 sentences in one call
  http       `roen serve` (ctranslate2 int8, batching worker) on loopback, N concurrent clients
Generated tokens are counted, not assumed: backend counters in-process, /metrics for HTTP.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PIN = 1.1


@dataclass
class Result:
    name: str
    rates: list[float] = field(default_factory=list)  # generated tokens/s, one per round
    latencies: list[float] = field(default_factory=list)  # seconds per request, all rounds

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def _rss_mb(pid: int | str = "self", field_name: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed_requests(fn: Any, requests: list[Any], counter: Any) -> tuple[float, list[float]]:
    before, lat = counter(), []
    t0 = time.perf_counter()
    for req in requests:
        s = time.perf_counter()
        fn(req)
        lat.append(time.perf_counter() - s)
    return (counter() - before) / (time.perf_counter() - t0), lat


# --- HTTP ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`roen serve` in a child process on a free loopback port, with the given ROEN_* env."""

    def __init__(self, settings_env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROEN_")}
        env.update(settings_env)
        # Logs go to a file: a pipe nobody reads would fill up and stall the server.
        self.log_path = Path(tempfile.mkstemp(prefix="roen-serve-", suffix=".log")[1])
        with self.log_path.open("w") as log_file:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        return _rss_mb(self.proc.pid, "VmRSS")

    def wait_ready(self, timeout: float = 300) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.5)
        raise RuntimeError("the server did not become ready")

    def tokens(self) -> float:
        import httpx

        text = httpx.get(self.base + "/metrics", timeout=10).text
        m = re.search(r"^roen_generated_tokens_total ([0-9.e+]+)$", text, re.M)
        return float(m.group(1)) if m else float("nan")

    def peak_rss_mb(self) -> float:
        return _rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _load(base: str, bodies: list[dict[str, Any]], concurrency: int) -> list[float]:
    import httpx

    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    latencies: list[float] = []

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            s = time.perf_counter()
            r = await http.post(base + "/v1/translate", json=body)
            r.raise_for_status()
            latencies.append(time.perf_counter() - s)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return latencies


def _http(
    server: Server, bodies: list[dict[str, Any]], concurrency: int
) -> tuple[float, list[float]]:
    before = server.tokens()
    t0 = time.perf_counter()
    lat = asyncio.run(_load(server.base, bodies, concurrency))
    return (server.tokens() - before) / (time.perf_counter() - t0), lat


# --- the run ---------------------------------------------------------------------------
def main(data_dir: Path, rounds: int = 3, n_sentences: int = 32, n_articles: int = 8) -> int:
    from service.bench.random_model import build_opus_size_marian
    from service.bench.workloads import sentences_in_range, sgm_articles
    from service.engine.seq2seq_ct2 import CT2Seq2Seq
    from service.engine.seq2seq_torch import TorchSeq2Seq
    from service.engine.translator import Translator
    from service.text.layout import layout
    from service.text.normalize import normalize_text

    threads = os.cpu_count() or 1
    wmt = data_dir / "wmt16"
    work = Path(tempfile.mkdtemp(prefix="roen-bench-"))
    print(f"building a random opus-mt-size Marian in {work} …", flush=True)
    t0 = time.perf_counter()
    ro = (wmt / "newstest2016.ro").read_text(encoding="utf-8").splitlines()
    en = (wmt / "newstest2016.en").read_text(encoding="utf-8").splitlines()
    model = build_opus_size_marian(work / "model", ro, en)
    cache = work / "cache"
    print(
        f"  built in {time.perf_counter() - t0:.0f} s; loading backends "
        "(CTranslate2 converts once) …",
        flush=True,
    )

    fp32 = TorchSeq2Seq(model, name="random", threads=threads, pin_ratio=PIN)
    int8 = TorchSeq2Seq(model, name="random", threads=threads, quantize=True, pin_ratio=PIN)
    ct2 = CT2Seq2Seq(model, name="random", cache_dir=cache, threads=threads, pin_ratio=PIN)
    engine_rss = _rss_mb("self", "VmRSS")

    sentences = sentences_in_range(wmt / "newstest2016.ro", fp32.count_tokens, 20, 30, n_sentences)
    short = sentences_in_range(wmt / "newstest2016.ro", fp32.count_tokens, 8, 12, 1)[0]
    articles = sgm_articles(wmt / "newsdev2016-roen-src.ro.sgm")[:n_articles]
    article_sentences = [
        [p.text for p in layout(normalize_text(a)) if p.kind == "sentence"] for a in articles
    ]
    print(
        f"  {len(sentences)} sentences of 20–30 tokens; {len(articles)} articles "
        f"({sum(len(a) for a in article_sentences)} sentences, "
        f"{sum(len(a) for a in articles):,} chars)"
    )

    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(model),
            "ROEN_MODEL_CACHE": str(cache),
            "ROEN_BACKEND": "ctranslate2",
            "ROEN_BEAM_SIZE": "1",
            "ROEN_CACHE_SIZE": "0",
            "ROEN_PIN_OUTPUT_RATIO": str(PIN),
            "ROEN_THREADS": str(threads),
            "ROEN_MAX_CONCURRENT_REQUESTS": "64",
            "ROEN_RATE_LIMIT_PER_MINUTE": "0",
            "ROEN_LOG_LEVEL": "WARNING",
        }
    )
    server.wait_ready()

    def translator(backend: Any) -> Translator:
        return Translator(backend, model_name="random", max_segment_tokens=256)

    results: dict[str, Result] = {}

    def record(name: str, rate: float, lat: list[float]) -> None:
        r = results.setdefault(name, Result(name))
        r.rates.append(rate)
        r.latencies.extend(lat)

    def counter(backend: Any) -> Any:
        return lambda: backend.generated_tokens

    naive_sents = sentences[:8]
    for round_no in range(rounds):
        print(f"round {round_no + 1}/{rounds} …", flush=True)
        record(
            "naive: torch fp32 beam 4, 1 sentence per request",
            *_timed_requests(lambda s: fp32.generate([s], beam_size=4), naive_sents, counter(fp32)),
        )
        record(
            "naive: torch fp32 beam 4, 1 article per request",
            *_timed_requests(
                lambda a: fp32.generate(a, beam_size=4), article_sentences[:1], counter(fp32)
            ),
        )
        for label, backend in (
            ("torch fp32", fp32),
            ("torch int8", int8),
            ("ctranslate2 int8", ct2),
        ):
            t = translator(backend)
            record(
                f"engine: {label} greedy, batch 32",
                *_timed_requests(
                    lambda xs, t=t: t.translate(xs, beam_size=1), [sentences], counter(backend)
                ),
            )
        ct2_translator = translator(ct2)
        record(
            "engine: ctranslate2 int8 beam 4, batch 32",
            *_timed_requests(
                lambda xs, t=ct2_translator: t.translate(xs, beam_size=4), [sentences], counter(ct2)
            ),
        )
        record(
            "engine: ctranslate2 int8 greedy, 1 short sentence",
            *_timed_requests(
                lambda s, t=ct2_translator: t.translate([s], beam_size=1), [short] * 5, counter(ct2)
            ),
        )
        for c in (1, 8, 32):
            # Closed loop in steady state: each client sends several requests in turn, so
            # the figure is not dominated by the first and last half-empty batches.
            passes = 1 if c == 1 else 4
            record(
                f"http: {c} clients, single sentences",
                *_http(server, [{"text": s} for s in sentences] * passes, c),
            )
        record(
            "http: 8 clients, whole articles", *_http(server, [{"text": a} for a in articles], 8)
        )
        record("http: idle server, 1 short sentence", *_http(server, [{"text": short}] * 5, 1))

    server_rss = server.peak_rss_mb()
    server.stop()
    _report(results, server_rss, engine_rss)
    return 0


def _report(results: dict[str, Result], server_rss: float, engine_rss: float) -> None:
    naive_s = results["naive: torch fp32 beam 4, 1 sentence per request"].rate
    naive_a = results["naive: torch fp32 beam 4, 1 article per request"].rate
    print()
    print(f"{'configuration':<52} {'tok/s':>8} {'× naive':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for r in results.values():
        base = naive_a if "article" in r.name else naive_s
        print(
            f"{r.name:<52} {r.rate:8.1f} {r.rate / base:7.1f}× {r.pct(0.5):8.0f} {r.pct(0.95):8.0f}"
        )
    print(
        "\npeak RSS of the serving process (ctranslate2 int8 + extractive summariser): "
        f"{server_rss:.0f} MB"
    )
    print(
        "RSS of this process with torch fp32 + torch int8 + ctranslate2 loaded: "
        f"{engine_rss:.0f} MB"
    )

    http32 = results["http: 32 clients, single sentences"].rate
    engine32 = results["engine: ctranslate2 int8 greedy, batch 32"].rate
    articles8 = results["http: 8 clients, whole articles"].rate
    idle = results["http: idle server, 1 short sentence"].pct(0.5)
    own = results["engine: ctranslate2 int8 greedy, 1 short sentence"].pct(0.5)
    checks = [
        ("http 32 clients ≥ 20× naive (sentences)", http32 / naive_s, 20.0),
        ("http 32 clients ≥ 0.8× engine batch 32", http32 / engine32, 0.8),
        ("http 8 clients, articles ≥ 15× naive (articles)", articles8 / naive_a, 15.0),
        ("idle short sentence p50 ≤ 1.3× engine", own / idle if idle else 0.0, 1 / 1.3),
        ("serving RSS ≤ 800 MB", 800 / server_rss, 1.0),
    ]
    print("\ntargets (ratios from this run):")
    for name, value, threshold in checks:
        shown = {
            "idle short sentence p50 ≤ 1.3× engine": f"{idle / own:.2f}×",
            "serving RSS ≤ 800 MB": f"{server_rss:.0f} MB",
        }.get(name, f"{value:.2f}×")
        print(f"  {'PASS' if value >= threshold else 'FAIL'}  {name:<50} {shown}")
