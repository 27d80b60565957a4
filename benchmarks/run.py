"""roen's benchmark: `roen serve` (shipped defaults) against raw CTranslate2 and LibreTranslate.

    python -m benchmarks.run [--rounds 3] [--baseline-src DIR] [--data ../shared/data]
                             [--batch-only]

Every configuration runs once per round, rounds interleaved; figures are medians over rounds.
The model is a random-initialised opus-mt-size Marian (real compute per token); its outputs
are pinned to 1.1 × source tokens, since random weights never stop on their own.

  raw ct2 …   ctranslate2.Translator.translate_batch on pre-tokenised input, int8, batches
              of 32: no roen code, the ceiling roen's serving path is measured against.
              For the 32-client rows a batch is one pass of the clients' sentences, in the
              order they are sent; for the articles, all their sentences sorted by length.
  naive       transformers fp32, beam 4, one sentence per generate() — a plain script
              (both in processes of their own: benchmarks/worker.py)
  http …      `roen serve` in its own process with the shipped defaults (only
              ROEN_PIN_OUTPUT_RATIO, the benchmark-only length pin, is set), given one
              digest first (so its peak RSS counts the summariser's pages), then driven over
              loopback by separate clients, each from its own 127.0.0.x address (so each has
              its own rate-limit bucket, as real clients do). Every request is new text: the
              sentence cache (on by default) never answers for the model.
  baseline …  the same HTTP rows against another checkout's server (--baseline-src), for old
              and new figures measured in one sitting.
  store-memory, store-sqlite, store-redis …  the 32-client and idle rows against three
              servers alike but for their state store: process memory, the shipped default
              (SQLite) and a real Redis (started here) — what keeping rate limits and usage
              in a store costs, like for like (--no-stores leaves them out; --stores-only runs
              just them and raw ct2's batch-32 row).
  glossary …  a third server alike, given the `http` server's 32-client and articles rows
              (the same texts, so the same cold cache), each request naming a 1,000-entry
              glossary (the data's most frequent names and institutions, made with DeepL's
              POST /v2/glossaries): what matching and keeping terms costs.
              With --baseline-src set to the commit before glossaries, http / baseline is
              what the always-on protected spans and the timings cost with no glossary
              (--serving-only runs just the servers' rows and raw ct2's: no naive, batch,
              Ray or store rows).
  alternatives …  a server alike, given the 32-client row with 6 of the 32 clients asking
              for 3 alternatives (n-best, batched apart): the others' p50 pace against the
              http server's, where nobody asks (the latencies shown are the others').
  libretranslate …  the server people would otherwise run: the real LibreTranslate from
              PyPI in a venv of its own, serving the very CTranslate2 int8 folder roen
              serves, lengths pinned alike (benchmarks/peers: its argos package, the MiniSBD
              stand-in, the launcher). Its settings are its own defaults; the greedy rows
              (32 clients, articles, idle) go to one started with ARGOS_BEAM_SIZE=1, since
              it takes no beam per request, the beam-4 row to one as shipped. Each request
              is its API's: {"q", "source": "ro", "target": "en", "format": "text"}.
              (--no-libretranslate leaves it out.)
  tracing …   a server alike with OpenTelemetry on (OTEL_EXPORTER_OTLP_ENDPOINT set to a
              receiver in this process that takes and drops the spans), given the http
              rows' 32-client and articles rows: what tracing costs when on.
  batch       `roen batch --translate-only` (shipped defaults: the checkpoint's beam, 4) on
              the round's 8 articles as JSON Lines, tokens/s (model loading excluded), against
              raw ct2 beam 4 on the same sentences sorted into batches of 32: like for like.
  batch+digest  plain `roen batch`, which also digests each article: the summariser's
              embedder runs on the same two cores. Beside it, that embedder's time on the
              real English of the same articles (the references): the random model's English
              is padding words, longer in WordPieces than news sentences.
              In round 1 also `roen batch --ray` (a local Ray on this machine): its
              whole-command time against the local run's.

Generated tokens are counted, not assumed: by the raw loops here, from /metrics for HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.workloads import SHARED_DATA, glossary_entries, sentences_in_range, sgm_articles

PIN = 1.1
CLIENTS = 32
PASSES = 3  # requests per client in the 32-client rows: steady state, not one burst
BEAM_PASSES = 2


@dataclass
class Result:
    name: str
    rates: list[float] = field(default_factory=list)  # generated tokens/s, one per round
    latencies: list[float] = field(default_factory=list)  # seconds per request, all rounds
    batch_rows: list[float] = field(default_factory=list)  # HTTP: mean rows per batch

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")

    @property
    def spread(self) -> str:
        return f"{min(self.rates):.0f}–{max(self.rates):.0f}" if self.rates else "-"

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


# --- the reference engines, each in its own process (benchmarks/worker.py) ---------------
class Worker:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._read()  # {"ready": true} once loaded

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker {self.proc.args} exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(
        self, sentences: list[str], beam: int, *, each: bool = False, sort: bool = False
    ) -> tuple[float, list[float]]:
        """Generated tokens/s and per-call latencies; batches of 32 in the given order, or
        sorted by length first (`sort`: a workload known up front)."""
        assert self.proc.stdin is not None
        request = {"sentences": sentences, "beam": beam, "batch": 32, "each": each, "sort": sort}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        return answer["tokens"] / answer["seconds"], answer["latencies"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


# --- HTTP -----------------------------------------------------------------------------------
async def _clients(
    base: str, queues: list[list[dict[str, Any]]], path: str = "/v1/translate"
) -> list[float]:
    """One client per queue, each from its own loopback address, sending its bodies in turn."""
    import httpx

    latencies: list[float] = []

    async def client(i: int, bodies: list[dict[str, Any]]) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + i}")
        async with httpx.AsyncClient(transport=transport, timeout=600) as http:
            for body in bodies:
                started = time.perf_counter()
                r = await http.post(base + path, json=body)
                r.raise_for_status()
                if not body.get("alternatives"):  # the others' latency: what they lose
                    latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(client(i, q) for i, q in enumerate(queues)))
    return latencies


def digest(server: Any, article: str) -> None:
    import httpx

    body = {"text": article, "beam_size": 1}
    httpx.post(server.base + "/v1/digest", json=body, timeout=600).raise_for_status()


def http_rate(server: Any, queues: list[list[dict[str, Any]]]) -> tuple[float, list[float], float]:
    """Generated tokens/s, per-request latencies, and mean rows per batch (from /metrics)."""
    before = server.tokens()
    batches, rows = server.metric("roen_batches_total"), server.metric("roen_batch_rows_total")
    started = time.perf_counter()
    latencies = asyncio.run(_clients(server.base, queues, getattr(server, "path", "/v1/translate")))
    rate = (server.tokens() - before) / (time.perf_counter() - started)
    batches = server.metric("roen_batches_total") - batches
    rows = server.metric("roen_batch_rows_total") - rows
    return rate, latencies, rows / max(batches, 1)


# --- the run ---------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", type=Path, default=SHARED_DATA)
    ap.add_argument("--baseline-src", type=Path, help="a checkout to serve as the baseline")
    ap.add_argument(
        "--no-libretranslate", action="store_true", help="no LibreTranslate rows (no peer venv)"
    )
    ap.add_argument("--no-stores", action="store_true", help="no store-* rows")
    ap.add_argument("--stores-only", action="store_true", help="only the store-* rows")
    ap.add_argument(
        "--serving-only",
        action="store_true",
        help="only the serving rows: http, glossary, tracing, baseline",
    )
    ap.add_argument(
        "--servers",
        help="with --serving-only: which of glossary,tracing,alternatives,baseline,"
        "libretranslate beside http",
    )
    ap.add_argument(
        "--batch-only",
        action="store_true",
        help="only the `roen batch` rows and their raw ct2 row (no servers, no Ray)",
    )
    args = ap.parse_args()
    wmt = args.data / "wmt16"
    if not (wmt / "newstest2016.ro").is_file():
        print(f"benchmark data not found under {args.data} (use --data)", file=sys.stderr)
        return 2

    from transformers import AutoTokenizer

    from harness.live_server import Server

    work = Path(tempfile.mkdtemp(prefix="roen-bench-"))
    print(f"building a random opus-mt-size Marian in {work} …", flush=True)
    built = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", "build", str(work), str(args.data)],
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(built.stdout.strip().splitlines()[-1])
    model, cache = Path(paths["model"]), work / "cache"
    tokenizer = AutoTokenizer.from_pretrained(model)
    raw = Worker("ct2", str(model), paths["converted"])
    if args.serving_only:
        args.no_stores = True
    only = args.stores_only or args.serving_only  # a focused run: no naive, batch or Ray rows
    naive = None if args.batch_only or only else Worker("naive", str(model))

    def count(lines: list[str]) -> list[int]:
        return [len(x) for x in tokenizer(lines)["input_ids"]]

    # newstest's sentences, then newsdev's from the lines past the articles the rounds use
    # (articles[0:56]): enough for 6 rounds without a sentence the cache has seen.
    pool = sentences_in_range(wmt / "newstest2016.ro", count, 20, 30, 10_000)
    pool += sentences_in_range(wmt / "newsdev2016.ro", count, 20, 30, 10_000, from_line=1100)
    shorts = sentences_in_range(wmt / "newstest2016.ro", count, 8, 12, 10_000)
    articles = sgm_articles(wmt / "newsdev2016-roen-src.ro.sgm")
    references = sgm_articles(wmt / "newsdev2016-roen-ref.en.sgm")  # the same docs in English
    embedder_s: list[float] = []
    per_round = CLIENTS * (PASSES + BEAM_PASSES)
    if len(pool) < per_round * args.rounds:
        print(f"note: {len(pool)} distinct sentences; later rounds repeat earlier ones")
    print(f"  {len(pool)} sentences of 20–30 tokens, {len(articles)} articles", flush=True)

    env = {
        "ROEN_TRANSLATION_MODEL": str(model),
        "ROEN_MODEL_CACHE": str(cache),
        "ROEN_DATA_DIR": str(work / "data"),  # the default store's file, in the scratch folder
        "ROEN_PIN_OUTPUT_RATIO": str(PIN),  # benchmark-only; everything else: defaults
        "ROEN_LOG_LEVEL": "WARNING",
    }
    redis = None
    variants: list[tuple[str, Path | None, dict[str, str]]] = []
    if not args.stores_only:
        variants += [
            ("http", None, {}),
            ("glossary", None, {}),  # the same server; its requests name a glossary
            ("tracing", None, {"OTEL_EXPORTER_OTLP_ENDPOINT": collector_url()}),
            ("alternatives", None, {}),  # alike; a fifth of its clients ask for 3 alternatives
            ("baseline", args.baseline_src, {}),
        ]
    if not (args.batch_only or args.no_stores):
        from harness.services import RedisServer

        redis = RedisServer().start()
        variants += [
            ("store-memory", None, {"ROEN_STORE_URL": "memory://"}),
            ("store-sqlite", None, {}),  # the shipped default
            ("store-redis", None, {"ROEN_STORE_URL": redis.url}),
        ]
    # One after the other, so that each start-up is timed without the other's competing.
    ready_s: dict[str, float] = {}
    servers: dict[str, Server] = {}
    chosen = set((args.servers or "").split(",")) - {""}
    for who, source, extra in variants:
        if args.batch_only or (who == "baseline" and not source):
            continue
        if chosen and who not in chosen | {"http"}:  # http: what the others are measured by
            continue
        server_env = {**env, **extra}
        if source is not None:  # the runtime form may differ between versions: its own
            server_env = {**env, "ROEN_MODEL_CACHE": str(convert_with(source, model, work))}
        started = time.perf_counter()
        servers[who] = Server(server_env, source=source)
        servers[who].wait_ready()
        ready_s[who] = time.perf_counter() - started
        # One digest first: a replica serving digests too holds the summariser's pages
        # (memory-mapped, so untouched until used), and the peak must count them.
        digest(servers[who], articles[-1])
    if not (args.batch_only or args.stores_only or args.no_libretranslate) and (
        not chosen or "libretranslate" in chosen
    ):
        servers.update(libretranslate_servers(work, model, Path(paths["converted"]), wmt, ready_s))
    glossary_id = None
    if "glossary" in servers:
        import httpx

        tsv = glossary_entries([wmt / "newstest2016.ro", wmt / "newsdev2016.ro"])
        made = httpx.post(
            servers["glossary"].base + "/v2/glossaries",
            json={"name": "bench", "source_lang": "RO", "target_lang": "EN", "entries": tsv},
            timeout=60,
        )
        made.raise_for_status()
        glossary_id = made.json()["glossary_id"]

    results: dict[str, Result] = {}
    walls: dict[str, float] = {}

    def record(name: str, rate: float, latencies: list[float], rows: float = 0.0) -> None:
        r = results.setdefault(name, Result(name))
        r.rates.append(rate)
        r.latencies.extend(latencies)
        r.batch_rows.append(rows)

    for n in range(args.rounds):
        print(f"round {n + 1}/{args.rounds} …", flush=True)
        start = (n * per_round) % max(1, len(pool) - per_round)
        greedy = pool[start : start + CLIENTS * PASSES]
        beam = pool[start + CLIENTS * PASSES : start + per_round]
        these = articles[n * 8 : n * 8 + 8]
        idle = shorts[n * 5 : n * 5 + 5]

        articles_sentences = [s for a in these for s in _sentences(a)]
        if args.stores_only:
            record("raw32", *raw.run(greedy, 1))
        elif only or naive is not None:
            # The same sentences as the HTTP rows, 32 at a time as the clients send them: one
            # batch per pass (a server cannot sort requests it has not received yet).
            record("raw32", *raw.run(greedy, 1))
            record("raw_beam", *raw.run(beam, 4))
            record("raw_articles", *raw.run(articles_sentences, 1, sort=True))
            record("raw_short", *raw.run(idle, 1, each=True))
            if naive is not None:
                record("naive", *naive.run(greedy[:8], 4, each=True))

        if not only:
            record("raw_batch", *raw.run(articles_sentences, 4, sort=True))
            record("batch", *batch_rate(these, env, work, ["--translate-only"]))
            record("batch_digest", *batch_rate(these, env, work, []))
            embedder_s.append(embed_seconds(references[n * 8 : n * 8 + 8], cache))

        for who, server in servers.items():
            if who.startswith("libretranslate"):  # its own API; the greedy rows, or beam 4
                ask = server.body  # type: ignore[attr-defined]
                if who == "libretranslate-beam":
                    queues = [
                        [ask(beam[c + CLIENTS * p]) for p in range(BEAM_PASSES)]
                        for c in range(CLIENTS)
                    ]
                    record("libretranslate:beam", *http_rate(server, queues))
                    continue
                queues = [
                    [ask(greedy[c + CLIENTS * p]) for p in range(PASSES)] for c in range(CLIENTS)
                ]
                record(f"{who}:32", *http_rate(server, queues))
                record(f"{who}:articles", *http_rate(server, [[ask(a)] for a in these]))
                record(f"{who}:idle", *http_rate(server, [[ask(s) for s in idle]]))
                continue
            if who == "alternatives":  # the 32-client row, 6 of its clients asking for n-best
                queues = [
                    [
                        {"text": greedy[c + CLIENTS * p], "beam_size": 1}
                        | ({"alternatives": 3} if c % 5 == 0 and c < 30 else {})  # 6 of 32
                        for p in range(PASSES)
                    ]
                    for c in range(CLIENTS)
                ]
                rate, plain, rows = http_rate(server, queues)
                record("alternatives:32", rate, plain, rows)
                record("alternatives:pace", 1 / statistics.median(plain), [])
                continue
            if who in ("glossary", "tracing"):  # the http server's 32-client and article
                # rows, its texts, its cache as cold; with a glossary named, or traced
                named: dict[str, Any] = {"beam_size": 1}
                if who == "glossary":
                    named["glossary_id"] = glossary_id
                queues = [
                    [{"text": greedy[c + CLIENTS * p]} | named for p in range(PASSES)]
                    for c in range(CLIENTS)
                ]
                record(f"{who}:32", *http_rate(server, queues))
                queues = [[{"text": a} | named] for a in these]
                record(f"{who}:articles", *http_rate(server, queues))
                continue
            queues = [
                [{"text": greedy[c + CLIENTS * p], "beam_size": 1} for p in range(PASSES)]
                for c in range(CLIENTS)
            ]
            rate, latencies, rows = http_rate(server, queues)
            record(f"{who}:32", rate, latencies, rows)
            if who == "http":  # the others' pace when nobody asks for alternatives
                record("http:pace", 1 / statistics.median(latencies), [])
            if who.startswith("store-"):  # the rows a store's round trips would show in
                queues = [[{"text": s, "beam_size": 1} for s in idle]]
                record(f"{who}:idle", *http_rate(server, queues))
                continue
            queues = [
                [{"text": beam[c + CLIENTS * p]} for p in range(BEAM_PASSES)]
                for c in range(CLIENTS)
            ]
            record(f"{who}:beam", *http_rate(server, queues))
            queues = [[{"text": a, "beam_size": 1}] for a in these]
            record(f"{who}:articles", *http_rate(server, queues))
            queues = [[{"text": s, "beam_size": 1} for s in idle]]
            record(f"{who}:idle", *http_rate(server, queues))

        if n == 0 and not (args.batch_only or only):  # last: Ray may outlive us
            walls["local"] = batch_wall(these, env, work, [])
            walls["ray"] = batch_wall(these, env, work, ["--ray"])
        print("  " + ", ".join(f"{k} {r.rates[-1]:.0f}" for k, r in results.items()), flush=True)

    peaks = {who: server.peak_rss_mb() for who, server in servers.items()}
    time.sleep(2)  # the load is over: what each server keeps (memory that grows, or not)
    at_rest = {who: server.rss_mb() for who, server in servers.items()}
    for server in servers.values():
        server.stop()
    if redis is not None:
        redis.stop()
    raw.stop()
    if naive is not None:
        naive.stop()
    report(results, peaks, ready_s, at_rest, embedder_s)
    if walls:
        ray, local = walls["ray"], walls["local"]
        name = "roen batch --ray (local Ray) / roen batch, whole command"
        print(f"  {'    '}  {name:<64} {ray / local:6.2f}×  ({ray:.1f} s vs {local:.1f} s)")
    return 0


def libretranslate_servers(
    work: Path, model: Path, converted: Path, wmt: Path, ready_s: dict[str, float]
) -> dict[str, Any]:
    """LibreTranslate on roen's very model (benchmarks/peers): one started for the greedy
    rows (ARGOS_BEAM_SIZE=1: it has no per-request beam), one as shipped (beam 4)."""
    from benchmarks.peers.lt_server import LibreTranslate, build_packages, venv

    python = venv()
    packages = build_packages(python, work, model, converted, wmt / "newstest2016.ro")
    servers: dict[str, Any] = {}
    for who, beam in (("libretranslate", 1), ("libretranslate-beam", None)):
        started = time.perf_counter()
        servers[who] = LibreTranslate(python, packages, work, beam=beam)
        servers[who].wait_ready()
        ready_s[who] = time.perf_counter() - started
    return servers


CONVERT = """import sys
from pathlib import Path
from service.models.convert import ensure_converted
from service.models.minilm import NAME, STORED_AS, packaged_minilm
model, cache = Path(sys.argv[1]), Path(sys.argv[2])
ensure_converted(model, "random", cache, "int8")
ensure_converted(packaged_minilm(), NAME, cache, STORED_AS, "embedder")
"""


def convert_with(source: Path, model: Path, work: Path) -> Path:
    """A model cache of the baseline's own, converted by the baseline's code."""
    cache = work / "cache-baseline"
    subprocess.run(
        [sys.executable, "-c", CONVERT, str(model), str(cache)],
        env={**os.environ, "PYTHONPATH": str(source)},
        cwd=source,
        check=True,
    )
    return cache


def _batch(
    corpus: list[str], env: dict[str, str], work: Path, extra: list[str]
) -> tuple[str, float]:
    source = work / "batch-in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": str(i), "text": a}) + "\n" for i, a in enumerate(corpus))
    )
    target = work / f"batch-out-{time.monotonic_ns()}.jsonl"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "batch", str(source), str(target), *extra],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr, time.perf_counter() - started


def batch_rate(
    corpus: list[str], env: dict[str, str], work: Path, extra: list[str]
) -> tuple[float, list[float]]:
    """Generated tokens/s of `roen batch`, as it reports them (loading excluded)."""
    err, _ = _batch(corpus, env, work, extra)
    found = re.search(r"([0-9]+) generated tokens\) in ([0-9.]+) s", err)
    if not found:
        raise RuntimeError(f"roen batch said: {err[-500:]}")
    tokens, seconds = int(found.group(1)), float(found.group(2))
    return tokens / seconds, [seconds]


def embed_seconds(articles: list[str], cache: Path) -> float:
    """The summariser's embedder on real English articles, one call per article as a digest
    makes it (best of 3)."""
    from service.models.minilm import NAME
    from service.summarize.embeddings import SentenceEmbedder

    (folder,) = (cache / "ct2").glob(f"{NAME}-*")
    embedder = SentenceEmbedder(folder, threads=os.cpu_count() or 1)
    sentences = [_sentences(a) for a in articles]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for article in sentences:
            embedder.embed(article)
        best = min(best, time.perf_counter() - started)
    return best


def batch_wall(corpus: list[str], env: dict[str, str], work: Path, extra: list[str]) -> float:
    return _batch(corpus, env, work, extra)[1]


def _sentences(article: str) -> list[str]:
    from service.text.layout import layout
    from service.text.normalize import normalize_text

    return [p.text for p in layout(normalize_text(article)) if p.kind == "sentence"]


LABELS = {
    "raw32": "raw ct2 int8 greedy, batch 32",
    "raw_beam": "raw ct2 int8 beam 4, batch 32",
    "raw_articles": "raw ct2 int8 greedy, 8 articles' sentences",
    "raw_short": "raw ct2 int8 greedy, 1 short sentence",
    "naive": "naive: transformers fp32 beam 4, 1 sentence per call",
    "32": "32 clients, 1 sentence each, greedy",
    "beam": "32 clients, 1 sentence each, default beam (4)",
    "articles": "8 clients, whole articles, greedy",
    "idle": "idle server, 1 short sentence",
    "raw_batch": "raw ct2 int8 beam 4, 8 articles' sentences",
    "batch": "roen batch --translate-only: 8 articles (beam 4)",
    "batch_digest": "roen batch: 8 articles, translated and digested (beam 4)",
    "pace": "the plain clients' pace (1 / p50 latency, requests/s)",
}
# (server row, raw row, target ratio of tokens/s): ahead of the engine it serves
TARGETS = [("32", "raw32", 1.0), ("beam", "raw_beam", 0.95), ("articles", "raw_articles", 1.1)]
IDLE_TARGET = 1.0  # idle short-sentence p50 / the engine's single call
PEAK_MB = 400  # a serving replica's peak resident memory over all the HTTP rows


def label(key: str) -> str:
    server, _, row = key.rpartition(":")
    return f"{server}: {LABELS[row]}" if server else LABELS[row]


def report(
    results: dict[str, Result],
    peaks: dict[str, float],
    ready_s: dict[str, float],
    at_rest: dict[str, float],
    embedder_s: list[float],
) -> None:
    print()
    head = f"{'configuration':<58} {'tok/s':>7} {'range':>11} {'p50 ms':>8} {'p95 ms':>8}"
    print(head + f" {'rows/batch':>10}")
    for key, r in results.items():
        if key.endswith(":pace"):  # a ratio's input, not a row of its own
            continue
        known = [x for x in r.batch_rows if x == x]  # not NaN: a server without /metrics
        rows = f"{statistics.median(known):10.1f}" if any(known) else ""
        print(
            f"{label(key):<58} {r.rate:7.0f} {r.spread:>11} {r.pct(0.5):8.0f} {r.pct(0.95):8.0f}"
            + f" {rows}"
        )
    for server, peak in peaks.items():
        print(f"peak RSS of the {server} server process: {peak:.0f} MB", end="")
        print(f"; {at_rest[server]:.0f} MB at rest after the load")
    for server, seconds in ready_s.items():
        ready = "first translation answered" if server.startswith("libre") else "/health/ready 200"
        print(f"{server} server: {ready} after {seconds:.1f} s (start of the process)")
    print("\nratios (medians of this run):")
    if "batch" in results:
        batch_ratios(results, embedder_s)
    stores(results)
    terms(results)
    peers(results, peaks)
    for server in [p for p in peaks if not p.startswith(("store-", "libretranslate"))]:
        for row, raw, target in TARGETS:
            if raw not in results or f"{server}:{row}" not in results:
                continue  # a focused run (--stores-only, --serving-only) leaves them out
            value = results[f"{server}:{row}"].rate / results[raw].rate
            verdict = "PASS" if value >= target else "FAIL"
            name = f"{server} {row} / {LABELS[raw]}"
            print(f"  {verdict}  {name:<64} {value:6.2f}×  (target ≥ {target:g}×)")
        if "naive" in results and f"{server}:32" in results:
            value = results[f"{server}:32"].rate / results["naive"].rate
            print(f"  {'    '}  {server + ' 32 clients / naive':<64} {value:6.1f}×")
        if "raw_short" in results and f"{server}:idle" in results:
            latency = results[f"{server}:idle"].pct(0.5) / results["raw_short"].pct(0.5)
            verdict = "PASS" if latency <= IDLE_TARGET else "FAIL"
            name = f"{server} idle short-sentence p50 / raw ct2's"
            print(f"  {verdict}  {name:<64} {latency:6.2f}×  (target ≤ {IDLE_TARGET:g}×)")
        verdict = "PASS" if peaks[server] <= PEAK_MB else "FAIL"
        name = f"{server} peak RSS over the whole run"
        print(f"  {verdict}  {name:<64} {peaks[server]:4.0f} MB  (target ≤ {PEAK_MB} MB)")


def peers(results: dict[str, Result], peaks: dict[str, float]) -> None:
    """roen against LibreTranslate on the same model, row by row: tokens/s ratios (the
    medians of the rounds' paired ratios), the idle latency, and peak memory."""
    if "libretranslate:32" not in results or "http:32" not in results:
        return
    for row in ("32", "beam", "articles"):
        if f"http:{row}" in results and f"libretranslate:{row}" in results:
            value = paired(results, f"http:{row}", f"libretranslate:{row}")
            name = f"roen / LibreTranslate, {LABELS[row]}"
            print(f"  {'    '}  {name:<64} {value:6.2f}×")
    if "http:idle" in results and "libretranslate:idle" in results:
        value = results["libretranslate:idle"].pct(0.5) / results["http:idle"].pct(0.5)
        name = "LibreTranslate's idle p50 / roen's (1 short sentence)"
        print(f"  {'    '}  {name:<64} {value:6.2f}×")
    lt = max(v for k, v in peaks.items() if k.startswith("libretranslate"))
    name = "peak RSS, roen / LibreTranslate (its larger process)"
    print(
        f"  {'    '}  {name:<64} {peaks['http'] / lt:6.2f}×  ({peaks['http']:.0f} vs {lt:.0f} MB)"
    )


def batch_ratios(results: dict[str, Result], embedder_s: list[float]) -> None:
    value = results["batch"].rate / results["raw_batch"].rate
    verdict = "PASS" if value >= 0.95 else "FAIL"
    name = f"roen batch --translate-only / {LABELS['raw_batch']}"
    print(f"  {verdict}  {name:<64} {value:6.2f}×  (target ≥ 0.95×)")
    value = results["batch_digest"].rate / results["raw_batch"].rate
    name = f"roen batch (translated and digested) / {LABELS['raw_batch']}"
    print(f"  {'    '}  {name:<64} {value:6.2f}×")
    print(
        f"  {'    '}  (the digests' embedder on the real English of those articles: "
        f"{statistics.median(embedder_s):.1f} s)"
    )


_COLLECTOR: list[str] = []


def collector_url() -> str:
    """An OTLP/HTTP receiver in this process that takes spans and drops them (the tracing
    server's collector: its cost is the server's, not a collector's)."""
    if not _COLLECTOR:
        import http.server
        import threading

        class Drop(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drop)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _COLLECTOR.append(f"http://127.0.0.1:{server.server_port}")
    return _COLLECTOR[0]


def paired(results: dict[str, Result], a: str, b: str) -> float:
    """The median over rounds of a's rate / b's in the same round: the two ran minutes apart,
    so a drift of the machine between rounds cancels (the 32-client rows swing ±15 %)."""
    return statistics.median(x / y for x, y in zip(results[a].rates, results[b].rates, strict=True))


def terms(results: dict[str, Result]) -> None:
    """What glossaries and tracing cost: a 1,000-entry glossary against none, tracing on
    against off, and (with a baseline from before them) the always-on protected spans and
    timings against none at all; each the median of the rounds' paired ratios."""
    checks = [
        ("glossary", "http", "a 1,000-entry glossary / none", 0.9),
        ("tracing", "http", "tracing on / off", 0.97),
        ("http", "baseline", "http / baseline (no glossary, tracing off)", 0.98),
    ]
    if "alternatives:pace" in results:
        value = paired(results, "alternatives:pace", "http:pace")
        verdict = "PASS" if value >= 0.9 else "FAIL"
        label_ = "32 clients, 6 asking 3 alternatives: the others' pace / none asking"
        print(f"  {verdict}  {label_:<64} {value:6.2f}×  (target ≥ 0.9×)")
    for row, name in (("32", "32 clients"), ("articles", "8 articles")):
        for a, b, what, target in checks:
            if f"{a}:{row}" in results and f"{b}:{row}" in results:
                value = paired(results, f"{a}:{row}", f"{b}:{row}")
                verdict = "PASS" if value >= target else "FAIL"
                label_ = f"{name}, {what}"
                print(f"  {verdict}  {label_:<64} {value:6.2f}×  (target ≥ {target:g}×)")


def stores(results: dict[str, Result]) -> None:
    """What the state store costs: the shipped default (SQLite, the `http` server) and Redis
    against keeping everything in process memory, in the same rounds."""
    if "store-memory:32" not in results:
        return
    memory = results["store-memory:32"]
    for who, name in (("store-sqlite", "SQLite (the default)"), ("store-redis", "Redis")):
        value = results[f"{who}:32"].rate / memory.rate
        verdict = "PASS" if value >= 0.95 else "FAIL"
        label_ = f"32 clients, store {name} / store in memory"
        print(f"  {verdict}  {label_:<64} {value:6.2f}×  (target ≥ 0.95×)")
        added = results[f"{who}:idle"].pct(0.5) - results["store-memory:idle"].pct(0.5)
        verdict = "PASS" if added <= 2 else "FAIL"
        label_ = f"idle p50 added by store {name}"
        print(f"  {verdict}  {label_:<64} {added:+6.1f} ms  (target ≤ +2 ms)")


if __name__ == "__main__":
    sys.exit(main())
