"""Results out, never half-written: records go into numbered chunk files beside the output
(OUTPUT.parts/part-000000.jsonl …), each written to a temporary name and renamed when
complete. A killed run leaves only whole chunks; the next run reads their ids and skips
them. When every record is done, the chunks are joined into OUTPUT (JSON Lines, or Parquet
for a .parquet name) — again through a temporary name — and the chunk folder goes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.errors import InputError


class ChunkedOutput:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts = path.with_name(path.name + ".parts")
        if path.suffix == ".parquet":
            try:
                import pyarrow  # noqa: F401  (checked now, not after hours of work)
            except ImportError:
                raise InputError(
                    "Writing Parquet needs pyarrow: pip install 'roen[batch]'."
                ) from None

    def done_ids(self) -> set[str]:
        """Ids already written by an earlier run (finished output, or whole chunks)."""
        return {str(row["id"]) for row in self._rows()}

    def _rows(self) -> Iterator[dict[str, Any]]:
        if self.path.exists():
            yield from read_output(self.path)
        for chunk in self._chunks():
            yield from read_output(chunk)

    def _chunks(self) -> list[Path]:
        if not self.parts.is_dir():
            return []
        for stale in self.parts.glob("*.tmp"):  # a chunk a killed run was writing
            stale.unlink()
        return sorted(self.parts.glob("part-*.jsonl"))

    def writer(self, chunk: int) -> Chunks:
        return Chunks(self, chunk)

    def write_chunk(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        number = len(self._chunks())
        final = self.parts / f"part-{number:06d}.jsonl"
        _atomic(final, lambda f: f.writelines(_line(row) for row in rows))

    def finish(self) -> int:
        """Join everything written (earlier output first, then the chunks) into OUTPUT."""
        rows = 0

        def count(source: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            nonlocal rows
            for row in source:
                rows += 1
                yield row

        if self.path.suffix == ".parquet":
            _write_parquet(self.path, count(self._rows()))
        else:
            _atomic(self.path, lambda f: f.writelines(_line(row) for row in count(self._rows())))
        if self.parts.is_dir():
            shutil.rmtree(self.parts)
        return rows


class Chunks:
    """Rows in, a chunk file out every `size` rows; counts what it wrote."""

    def __init__(self, output: ChunkedOutput, size: int) -> None:
        self.output = output
        self.size = size
        self.rows: list[dict[str, Any]] = []
        self.written = 0
        self.errors = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.written += 1
        self.errors += "error" in row
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        self.output.write_chunk(self.rows)
        self.rows = []


def read_output(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield {k: _from_cell(k, v) for k, v in row.items() if v is not None}
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


COLUMNS = (
    "id", "translation", "headline", "summary", "summary_sentences", "method", "summary_type",
    "summary_format", "citations", "warnings", "segments", "error",
)  # fmt: skip
# Parquet holds flat string columns here: these (lists, objects) as JSON text.
NESTED = frozenset({"summary_sentences", "citations", "warnings", "segments", "error"})


def _to_cell(key: str, value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if key in NESTED and value is not None else value


def _from_cell(key: str, value: Any) -> Any:
    return json.loads(value) if key in NESTED else value


def _write_parquet(path: Path, rows: Iterator[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    tmp = path.with_name(path.name + ".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append({k: _to_cell(k, row.get(k)) for k in COLUMNS})
            if len(batch) == 1024:
                writer.write_table(pa.Table.from_pylist(batch, schema))
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema))
    os.replace(tmp, path)


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"


def _atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
