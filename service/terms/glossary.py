"""A glossary's entries, read from DeepL's TSV or CSV (or given as pairs) and checked once:
what is wrong is a 4xx naming the line, never a silently dropped entry."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.errors import InvalidField, LimitExceeded
from service.text.normalize import normalize_text

# DeepL's limits: a glossary of at most 10 MiB, an entry of at most 1,024 UTF-8 bytes.
MAX_GLOSSARY_BYTES = 10 * 1024 * 1024
MAX_ENTRY_BYTES = 1024
FORMATS = ("tsv", "csv")
# What DeepL refuses in an entry: C0 and C1 controls, Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Entry:
    """`source` → `target`; `keep`: a do-not-translate entry (its occurrences stay as
    written, byte for byte, and `target` is the source)."""

    source: str
    target: str
    keep: bool = False


def clean(text: str) -> str:
    """Normalised as every input is (NFC, comma-below ș ț), trimmed."""
    return normalize_text(text).strip()


def parse_entries(text: str, entries_format: str = "tsv", *, field: str = "entries") -> list[Entry]:
    """DeepL's formats: TSV `source<TAB>target` a line; CSV `source,target[,src,tgt]`."""
    if entries_format not in FORMATS:
        raise InvalidField(
            f"entries_format must be tsv or csv, not {entries_format!r}.", field="entries_format"
        )
    check_size(len(text.encode("utf-8")))
    if entries_format == "csv":
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as err:  # an unclosed quote holding the rest, a field too long
            raise InvalidField(f"The glossary is not valid CSV ({err}).", field=field) from None
    else:
        # Lines end at \n (and \r\n) only: a U+2028 inside an entry is refused, not a line.
        rows = [line.removesuffix("\r").split("\t") for line in text.split("\n")]
    pairs: list[tuple[int, str, str]] = []
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed, as DeepL allows them
        if len(row) < 2 or (entries_format == "tsv" and len(row) != 2):
            raise InvalidField(
                f"Line {number} of the glossary is not `source{_sep(entries_format)}target`.",
                field=field,
            )
        pairs.append((number, row[0], row[1]))
    return checked(pairs, field=field)


def check_size(size: int) -> None:
    if size > MAX_GLOSSARY_BYTES:
        raise LimitExceeded(
            f"A glossary holds at most {MAX_GLOSSARY_BYTES // (1024 * 1024)} MiB of entries.",
            limit=MAX_GLOSSARY_BYTES,
            actual=size,
        )


def _sep(entries_format: str) -> str:
    return "<TAB>" if entries_format == "tsv" else ","


def checked(
    pairs: Iterable[tuple[int, str, str]], *, keep: Iterable[str] = (), field: str = "entries"
) -> list[Entry]:
    """Entries from (line, source, target) and do-not-translate terms, each checked as DeepL
    checks them: not empty, no control characters, at most MAX_ENTRY_BYTES, no source given
    twice. Sources alike but for case or diacritics (Fișier, fișier) are allowed, as DeepL
    and Weblate allow them; matched alike, the first given wins."""
    out: list[Entry] = []
    seen: dict[str, int] = {}
    numbered = [(n, s, t, False) for n, s, t in pairs]
    numbered += [(i, s, s, True) for i, s in enumerate(keep, start=1)]
    for number, raw_source, raw_target, is_kept in numbered:
        where = f"do_not_translate entry {number}" if is_kept else f"line {number}"
        source, target = clean(raw_source), clean(raw_target)
        if not source or not target:
            side = "source" if not source else "target"
            raise InvalidField(f"The glossary's {where} has an empty {side}.", field=field)
        if _CONTROL.search(source + target):
            raise InvalidField(
                f"The glossary's {where} holds a tab, a line break or a control character.",
                field=field,
            )
        size = len(source.encode("utf-8")) + len(target.encode("utf-8"))
        if size > MAX_ENTRY_BYTES:
            raise LimitExceeded(
                f"The glossary's {where} is {size:,} bytes; an entry holds at most "
                f"{MAX_ENTRY_BYTES:,}.",
                limit=MAX_ENTRY_BYTES,
                actual=size,
            )
        key = source
        if key in seen:
            raise InvalidField(
                f"The glossary's {where} repeats the source {source!r} of entry {seen[key]}.",
                field=field,
            )
        seen[key] = number
        out.append(Entry(source, target, is_kept))
    return out


def as_tsv(entries: Iterable[Entry]) -> str:
    return "".join(f"{e.source}\t{e.target}\n" for e in entries if not e.keep)


def fingerprint(entries: Iterable[Entry]) -> str:
    """The same entries, the same fingerprint: what a compiled matcher is cached by."""
    data = json.dumps([[e.source, e.target, e.keep] for e in entries], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]
