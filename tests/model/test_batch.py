"""`roen batch`: a corpus through the service's pipeline — every id once, in input order,
bad records reported and never stopping the run, resumable after a kill, the same on Ray."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.batch.output import ChunkedOutput, read_output
from service.batch.records import Fields, read_records
from service.batch.runner import BatchOptions, process, run_local
from service.pipeline.limits import Limits
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import SummaryOptions
from service.settings import Settings
from tests.support.fakes import EchoBackend, fake_engines

CORPUS = Path(__file__).parent.parent / "data" / "corpus.ro.txt"
ENGLISH = "The government announced a new package of economic measures today, the minister said."


def articles(n: int = 12, size: int = 5) -> list[dict]:
    """Articles of the project's own Romanian sample sentences, `size` paragraphs each."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [
        {
            "id": f"art-{i}",
            "text": "\n\n".join(lines[(i * size + j) % len(lines)] for j in range(size)),
        }
        for i in range(n)
    ]


def write_corpus(path: Path, records: list[dict], bad: bool = True) -> list[str]:
    """A JSON Lines corpus; with `bad`, broken records mixed in. Returns every id expected."""
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    if bad:
        lines[3:3] = [
            json.dumps({"id": "empty", "text": ""}),
            json.dumps({"id": "english", "text": ENGLISH}),
            json.dumps({"id": "huge", "text": "Bună ziua. " * 20_000}),
            json.dumps({"id": "number", "text": 42}),
            json.dumps({"text": "Fără id."}),
            "{not json",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [json.loads(line).get("id") if line.startswith('{"') else None for line in lines]


def fake_pipeline(backend=None, **settings) -> Pipeline:
    """What `Pipeline.for_batch` builds (the service's limits, no deadline), on fakes."""
    s = Settings(_env_file=None, **settings)
    pipeline = Pipeline(fake_engines(s, backend or EchoBackend()), limits=Limits.from_settings(s))
    pipeline.engines.start()
    return pipeline


# --- fast tier: fakes ------------------------------------------------------------------------
def test_every_record_comes_out_once_in_input_order_with_bad_ones_reported(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, articles(8))
    totals = run_local(
        Settings(_env_file=None), source, target, BatchOptions(chunk=3), pipeline=fake_pipeline()
    )
    rows = list(read_output(target))
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 14 == totals.records
    good = [r for r in rows if "error" not in r]
    assert [r["id"] for r in good] == [f"art-{i}" for i in range(8)]  # input order
    errors = {r["id"]: r["error"]["type"] for r in rows if "error" in r}
    assert errors["empty"] == "EmptyInput"
    assert errors["english"] == "NotRomanian"
    assert errors["huge"] == "LimitExceeded"
    assert errors["number"] == "InputError"
    assert sum(k.startswith("unreadable-") for k in errors) == 1
    assert sum(k.startswith("noid-") for k in errors) == 1  # the record with no id
    assert totals.errors == 6
    first = good[0]
    assert first["translation"].startswith("EN(") and "\n\n" in first["translation"]
    assert first["headline"] and first["summary_sentences"]
    assert not (tmp_path / "out.jsonl.parts").exists()  # joined and cleaned up


def test_translate_only_writes_the_translation_and_warnings_and_still_reports_bad_records(
    tmp_path,
):
    source = tmp_path / "in.jsonl"
    write_corpus(source, articles(4))
    runs = {}
    for digest in (True, False):
        target = tmp_path / f"out-{digest}.jsonl"
        options = BatchOptions(digest=digest)
        run_local(Settings(_env_file=None), source, target, options, pipeline=fake_pipeline())
        runs[digest] = {r["id"]: r for r in read_output(target)}
    assert runs[True].keys() == runs[False].keys()
    for rid, row in runs[False].items():
        if "error" in row:
            assert row == runs[True][rid]  # the same error, whichever mode
            continue
        assert set(row) == {"id", "translation", "warnings"}
        assert row["translation"] == runs[True][rid]["translation"]
        assert row["warnings"] == runs[True][rid]["warnings"]


def test_sentences_of_many_records_share_batches(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, articles(16, size=2), bad=False)
    backend = EchoBackend()
    pipeline = fake_pipeline(backend)
    backend.forget()
    run_local(Settings(_env_file=None), source, target, BatchOptions(), pipeline=pipeline)
    assert max(len(b) for b in backend.batches) > 2  # not one article (2 sentences) at a time


def test_records_in_flight_are_bounded_by_the_window():
    in_flight = peak = 0
    pipeline = fake_pipeline()
    original = pipeline.digest

    async def counted(*args, **kw):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await original(*args, **kw)
        finally:
            in_flight -= 1

    pipeline.digest = counted  # type: ignore[method-assign]

    async def main():
        records = read_records_from(articles(40, size=1))
        return [row async for row in process(pipeline, records, BatchOptions(window=5))]

    rows = asyncio.run(main())
    pipeline.engines.close()
    assert len(rows) == 40 and peak == 5


def read_records_from(items):
    from service.batch.records import from_fields

    return (from_fields(r["id"], r["text"], Fields()) for r in items)


def test_a_rerun_skips_what_is_done_and_a_half_written_chunk_is_ignored(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, articles(6), bad=False)
    output = ChunkedOutput(target)
    output.write_chunk(
        [{"id": "art-0", "translation": "earlier"}, {"id": "art-1", "translation": "earlier"}]
    )
    (output.parts / "part-000001.jsonl.tmp").write_text('{"id": "art-2", "transl')  # killed
    backend = EchoBackend()
    pipeline = fake_pipeline(backend)
    backend.forget()
    totals = run_local(Settings(_env_file=None), source, target, BatchOptions(), pipeline=pipeline)
    rows = list(read_output(target))
    assert [r["id"] for r in rows] == [f"art-{i}" for i in range(6)]
    assert rows[0]["translation"] == "earlier" and totals.skipped == 2 and totals.records == 4
    translated = " ".join(t for batch in backend.batches for t in batch)
    first_two = "\n\n".join(a["text"] for a in articles(2))
    assert not any(line in translated for line in first_two.split("\n\n")[:1])


def test_parquet_in_and_out(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = articles(5)
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    table = pa.table({"doc": [r["id"] for r in records], "body": [r["text"] for r in records]})
    pq.write_table(table, source)
    options = BatchOptions(fields=Fields("doc", "body"), segments=True)
    run_local(Settings(_env_file=None), source, target, options, pipeline=fake_pipeline())
    rows = list(read_output(target))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[0]["segments"][0]["source"] == records[0]["text"].split("\n\n")[0]
    assert isinstance(rows[0]["summary_sentences"], list)
    assert rows[0]["segments"][0]["confidence"] == 0.9  # the fake's, through Parquet
    assert len(rows[0]["citations"]) == len(rows[0]["summary_sentences"])  # as JSON again


def test_batch_digests_take_a_type_and_markdown_and_cite_their_segments(tmp_path):
    records = articles(2)
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_corpus(source, records, bad=False)
    summary = SummaryOptions.of("short", None, "teaser", "markdown")
    options = BatchOptions(summary=summary, segments=True)
    run_local(Settings(_env_file=None), source, target, options, pipeline=fake_pipeline())
    row = next(iter(read_output(target)))
    assert row["summary_type"] == "teaser" and row["method"] == "lead"
    (citation,) = row["citations"]
    assert citation["segment"] == 1 and citation["translation"] == row["summary_sentences"][0]
    assert row["summary"] == f"{row['summary_sentences'][0]}[^1]\n\n[^1]: {citation['source']}"


def test_a_folder_of_text_and_html_files(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Prima știre.\n\nAl doilea paragraf.", encoding="utf-8")
    (folder / "b.html").write_text(
        "<html><head><title>Titlu</title><script>var x = 1;</script></head>"
        "<body><p>Un paragraf cu <b>bold</b>.</p><p>Altul.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "c.txt").write_bytes(b"Gre\xfeit.")
    (folder / "ignored.pdf").write_bytes(b"%PDF")
    records = list(read_records(folder))
    assert [r.id for r in records] == ["a.txt", "b.html", "c.txt"]
    assert records[1].text == "Titlu\n\nUn paragraf cu bold.\n\nAltul."  # no script, no tags
    assert records[2].error is not None and "not UTF-8" in records[2].error.detail


# --- the real path: the CLI on the tiny checkpoint -------------------------------------------
def roen_batch(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "batch", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


@pytest.mark.model
def test_killed_halfway_and_resumed_equals_an_uninterrupted_run(tiny_marian, tmp_path):
    source = tmp_path / "in.jsonl"
    write_corpus(source, articles(30))
    env = {
        "ROEN_TRANSLATION_MODEL": str(tiny_marian),
        "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],  # where tiny_marian was converted
        "ROEN_MAX_BATCH_SIZE": "1",  # slow enough to be killed halfway
    }
    whole = tmp_path / "whole.jsonl"
    proc = roen_batch([str(source), str(whole), "--chunk", "4", "--window", "4"], env)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""

    resumed = tmp_path / "resumed.jsonl"
    proc = roen_batch([str(source), str(resumed), "--chunk", "4", "--window", "4"], env)
    parts = tmp_path / "resumed.jsonl.parts"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(parts.glob("part-*.jsonl"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not resumed.exists() and len(list(parts.glob("part-*.jsonl"))) >= 3  # killed midway
    proc = roen_batch([str(source), str(resumed), "--chunk", "4", "--window", "4"], env)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "done by an earlier run" in err
    assert list(read_output(resumed)) == list(read_output(whole))


@pytest.mark.model
def test_translate_only_needs_no_summariser(tiny_marian, tmp_path):
    """Without digests the summariser is never loaded: an embedder that is not there stops
    a digesting run before it starts, and does not matter to a translating one."""
    source = tmp_path / "in.jsonl"
    write_corpus(source, articles(3), bad=False)
    env = {
        "ROEN_TRANSLATION_MODEL": str(tiny_marian),
        "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
        "ROEN_EMBEDDING_MODEL": str(tmp_path / "no-embedder-here"),
    }
    out = tmp_path / "out.jsonl"
    proc = roen_batch([str(source), str(out), "--translate-only"], env)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    rows = list(read_output(out))
    assert [r["id"] for r in rows] == ["art-0", "art-1", "art-2"]
    assert all(r["translation"] and "summary" not in r for r in rows)
    proc = roen_batch([str(source), str(tmp_path / "digests.jsonl")], env)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "no-embedder-here" in err


@pytest.mark.model
@pytest.mark.slow
def test_ray_gives_the_same_output_as_the_local_run(tiny_marian, tmp_path):
    import ray

    from service.batch.on_ray import run_on_ray

    source = tmp_path / "in.jsonl"
    write_corpus(source, articles(20))
    settings = Settings(_env_file=None, translation_model=str(tiny_marian))
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_local(settings, source, local, BatchOptions())
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        totals = run_on_ray(settings, source, on_ray, BatchOptions(window=8), None, None)
    finally:
        ray.shutdown()
    assert totals.records == 26

    def strip(rows):  # an error's detail may say where it was ("line 4"): Ray cannot know
        return [{**r, "error": {**r["error"], "detail": ""}} if "error" in r else r for r in rows]

    assert strip(read_output(on_ray)) == strip(read_output(local))


def test_the_indexed_job_example_runs_a_command_roen_takes():
    import shlex

    import yaml

    from service.cli import build_parser

    docs = list(
        yaml.safe_load_all((Path(__file__).parents[2] / "docker/k8s/batch-job.yaml").read_text())
    )
    job = next(d for d in docs if d["kind"] == "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    script = container["args"][0].split("&&")[-1].replace("exec", "").replace("$SHARD", "7")
    argv = shlex.split(script)
    assert argv[0] == "roen"
    args = build_parser().parse_args(argv[1:])
    count = int(args.shard.split("/")[1])
    assert count == job["spec"]["completions"] == job["spec"]["parallelism"]
    assert args.output.endswith("part-7.jsonl")  # each pod writes its own part


def test_shards_split_the_records_between_them(tmp_path):
    source = tmp_path / "in.jsonl"
    write_corpus(source, articles(10), bad=False)
    seen = []
    for index in range(3):
        target = tmp_path / f"part-{index}.jsonl"
        options = BatchOptions(shard=(index, 3))
        run_local(Settings(_env_file=None), source, target, options, pipeline=fake_pipeline())
        seen += [r["id"] for r in read_output(target)]
    assert sorted(seen) == sorted(f"art-{i}" for i in range(10))  # each once
