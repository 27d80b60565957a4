"""`roen batch --ray`: the same run on a Ray cluster (or a local Ray), for corpora one
machine cannot finish in time.

    Ray Data reads the input (read_text / read_parquet / read_binary_files)
      → map_batches over an actor pool: each actor holds one loaded model and runs
        `runner.process` on a window of records (the scheduler batches across them)
      → rows streamed back in input order → the same chunked, resumable output as a local run

Sizing: each actor asks Ray for THREADS CPUs and gives CTranslate2 that many threads; the
pool has CPUs ÷ THREADS actors (`--actors`, ROEN_THREADS). On a node of C cores, run
C ÷ THREADS actors: more would oversubscribe the cores, fewer leaves them idle.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from service.batch.output import ChunkedOutput
from service.batch.records import FOLDER_SUFFIXES, Fields, Record, from_fields, from_file, from_line
from service.batch.runner import BatchOptions, Totals, process
from service.errors import InputError
from service.settings import Settings

THREADS = 2  # CTranslate2 threads per actor, unless ROEN_THREADS says


class Translator:
    """One Ray actor: a loaded model, fed windows of raw input rows."""

    def __init__(self, settings: Settings, options: BatchOptions, kind: str, done: Any) -> None:
        from service.pipeline.pipeline import Pipeline

        self.pipeline = Pipeline.for_batch(settings, digest=options.digest)
        self.options = options
        self.kind = kind
        import ray

        self.done: frozenset[str] = ray.get(done)  # ids an earlier run finished: skipped

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        records = [r for r in self._records(batch) if r.id not in self.done]

        async def collect() -> list[dict[str, Any]]:
            return [row async for row in process(self.pipeline, records, self.options)]

        rows = self.pipeline.run(collect())
        # One JSON column: rows of different shapes (results, errors) share one schema.
        return {"row": [json.dumps(row, ensure_ascii=False) for row in rows]}

    def _records(self, batch: dict[str, Any]) -> list[Record]:
        fields = self.options.fields
        if self.kind == "jsonl":
            return [from_line(line.encode("utf-8"), fields) for line in batch["text"] if line]
        if self.kind == "parquet":
            pairs = zip(batch[fields.id], batch[fields.text], strict=True)
            return [from_fields(_plain(i), _plain(t), fields) for i, t in pairs]
        pairs = zip(batch["path"], batch["bytes"], strict=True)
        return [from_file(Path(str(path)).name, bytes(data)) for path, data in pairs]


def _plain(value: Any) -> Any:
    """A numpy scalar from a Parquet column as a Python value."""
    import numpy as np

    return value.item() if isinstance(value, np.generic) else value


def run_on_ray(
    settings: Settings,
    source: Path,
    target: Path,
    options: BatchOptions,
    address: str | None,
    actors: int | None,
) -> Totals:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("--ray needs Ray: pip install 'roen[ray]'.") from None
    started = time.perf_counter()
    if not ray.is_initialized():
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    output = ChunkedOutput(target)
    done = output.done_ids()
    totals = Totals(skipped=len(done))
    threads = settings.threads or THREADS
    cpus = int(ray.cluster_resources().get("CPU", 1))
    threads = min(threads, cpus)
    pool = actors or max(1, cpus // threads)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # rows come back in input order
    context.enable_progress_bars = False
    kind, dataset = _read(ray, source, options.fields)
    rows = dataset.map_batches(
        Translator,
        fn_constructor_args=(
            settings.model_copy(update={"threads": threads}),
            options,
            kind,
            ray.put(frozenset(done)),
        ),
        compute=ray.data.ActorPoolStrategy(size=pool),
        num_cpus=threads,
        batch_size=options.window,
        batch_format="numpy",
    )
    chunks = output.writer(options.chunk)
    for item in rows.iter_rows():
        chunks.add(json.loads(item["row"]))
    chunks.flush()
    totals.records, totals.errors = chunks.written, chunks.errors
    output.finish()
    totals.seconds = time.perf_counter() - started
    return totals


def _read(ray: Any, source: Path, fields: Fields) -> tuple[str, Any]:
    # Reading is I/O and asks for no CPU: the actors hold every CPU (actors × threads = the
    # cluster's), and a read waiting for one of them would wait forever.
    args = {"num_cpus": 0}
    if source.is_dir():
        names = [str(p) for p in sorted(source.iterdir()) if p.suffix.lower() in FOLDER_SUFFIXES]
        return "folder", ray.data.read_binary_files(names, include_paths=True, **args)
    if source.suffix == ".parquet":
        return "parquet", ray.data.read_parquet(
            str(source), columns=[fields.id, fields.text], **args
        )
    return "jsonl", ray.data.read_text(str(source), **args)
