"""Records in: JSON Lines, Parquet, or a folder of .txt / .html files — read as a stream, so
memory does not grow with the corpus. A record that cannot be read (not JSON, not UTF-8,
no id, no text) still comes out, with its error, so the run goes on and reports it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from service.errors import InputError, RoenError
from service.text.markup import runs

FOLDER_SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str | None  # None when `error` says why there is none
    error: RoenError | None = None


@dataclass(frozen=True, slots=True)
class Fields:
    id: str = "id"
    text: str = "text"


def read_records(path: Path, fields: Fields = Fields()) -> Iterator[Record]:
    if path.is_dir():
        return _folder(path)
    if path.suffix == ".parquet":
        return _parquet(path, fields)
    return _json_lines(path, fields)


def _json_lines(path: Path, fields: Fields) -> Iterator[Record]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                yield from_line(raw, fields, f"line {number}")


def from_line(raw: bytes, fields: Fields, where: str = "a line") -> Record:
    """One JSON Lines record. A line that is not a JSON object gets an id made from its
    bytes (the same wherever it is read: here, or by Ray, which knows no line numbers)."""
    try:
        row = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        why = "UTF-8" if isinstance(err, UnicodeDecodeError) else "JSON"
        return Record(_unreadable(raw), None, InputError(f"{where} is not {why}."))
    if not isinstance(row, dict):
        return Record(_unreadable(raw), None, InputError(f"{where} is not a JSON object."))
    return from_fields(row.get(fields.id), row.get(fields.text), fields, where)


def _unreadable(raw: bytes) -> str:
    return "unreadable-" + hashlib.sha1(raw.strip()).hexdigest()[:12]


def _parquet(path: Path, fields: Fields) -> Iterator[Record]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("Reading Parquet needs pyarrow: pip install 'roen[batch]'.") from None
    table = pq.ParquetFile(path)
    number = 0
    for batch in table.iter_batches(batch_size=1024, columns=[fields.id, fields.text]):
        for row in batch.to_pylist():
            number += 1
            yield from_fields(row.get(fields.id), row.get(fields.text), fields, f"row {number}")


def _folder(path: Path) -> Iterator[Record]:
    for file in sorted(p for p in path.iterdir() if p.suffix.lower() in FOLDER_SUFFIXES):
        yield from_file(file.name, file.read_bytes())


def from_file(name: str, data: bytes) -> Record:
    """A .txt or .html file of a folder: its name is the id."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        return Record(name, None, InputError(f"{name} is not UTF-8 (byte {err.start})."))
    return Record(name, text if name.lower().endswith(".txt") else html_text(text))


def html_text(html: str) -> str:
    """The text of an HTML file: markup left out (scripts and styles with it), a block
    element's end a paragraph break, `<br>` a line break."""
    out: list[str] = []
    for run in runs(html):
        if run.text is not None:
            out.append(run.text)
        elif match := _BLOCK.match(run.raw):
            out.append("\n" if match.group(1).lower() == "br" else "\n\n")
    return _BLANKS.sub("\n\n", "".join(out)).strip()


_BLOCK = re.compile(
    r"</?(p|div|br|h[1-6]|li|tr|section|article|header|footer|blockquote|ul|ol|table|title)\b",
    re.I,
)
_BLANKS = re.compile(r"\n[ \t]*\n\s*")


def from_fields(rid: object, text: object, fields: Fields, where: str = "a record") -> Record:
    """A record from its id and text fields. One without an id is named by its content
    (`noid-…`): the same wherever it is read, so reruns and Ray agree on it."""
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        name = "noid-" + hashlib.sha1(repr(text).encode()).hexdigest()[:12]
        return Record(name, None, InputError(f"{where} has no `{fields.id}`."))
    key = str(rid)
    if not isinstance(text, str):
        what = "no" if text is None else "a non-string"
        return Record(key, None, InputError(f"Record {key} has {what} `{fields.text}`."))
    return Record(key, text)
