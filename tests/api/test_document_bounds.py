"""Documents cost what they unpack to, and no more than linear work in it: every format's
reader and writer, timed at a size and at twice that size (this thread's CPU time, best of
five, interleaved; the ratio is the claim, not the seconds). Then the caps: each refuses at
once with a 413 that names its setting, counting text as it occurs."""

from __future__ import annotations

import asyncio
import gc
import io
import threading
import time
import zipfile

import anyio
import docx
import pytest
from docx.document import Document
from docx.opc.package import OpcPackage
from docx.opc.part import Part

from service.documents.budget import Abandoned, Budget, DocumentCaps
from service.documents.formats import format_of
from service.documents.types import Translators
from service.errors import LimitExceeded, Overloaded
from service.pipeline.document_jobs import DocumentJobs
from tests.support import document_bombs as bombs
from tests.support.direct import UNCAPPED, assert_linear, inline, translate_directly
from tests.support.documents import refused_at_once


def _shared_header_lines(size: int) -> bytes:
    return bombs.docx_shared_header(50, header_paragraphs=size)


@pytest.mark.parametrize(
    ("suffix", "build", "size"),
    [
        (".docx", bombs.docx_runs, 8_000),
        (".docx", bombs.docx_repeated, 3_000),
        (".docx", bombs.docx_shared_header, 1_000),  # sections naming one header
        (".docx", _shared_header_lines, 1_500),  # the header's size
        (".docx", bombs.docx_table, 6_000),
        (".md", bombs.md_soft_wrapped, 40_000),
        (".md", bombs.md_table_row, 20_000),
        (".md", bombs.md_lines, 8_000),
        (".srt", bombs.srt_cues, 6_000),
        (".srt", bombs.srt_long_cue, 40_000),
        (".txt", bombs.txt_lines, 100_000),
        (".html", bombs.html_tags, 100_000),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_a_dimension_at_most_doubles_the_work(suffix, build, size):
    assert_linear(lambda data: translate_directly(suffix, data), build(size), build(2 * size))


def test_each_header_part_is_walked_once_however_many_sections_name_it():
    data = bombs.docx_shared_header(300, header_paragraphs=5)
    budget = Budget(UNCAPPED)
    out = translate_directly(".docx", data, budget=budget)
    # 300 section paragraphs, the body's paragraph and run, the header's 5 paragraphs and
    # runs once (walked per naming, it was 900 times that)
    assert budget.pieces == 300 + 2 + 10
    assert docx.Document(io.BytesIO(out)).sections[0].header.paragraphs[0].text.startswith("Antet")


@pytest.mark.parametrize(
    ("suffix", "data", "setting"),
    [
        (".docx", bombs.docx_empty_paragraphs(2_000_000), "ROEN_MAX_DOCUMENT_UNPACKED_BYTES"),
        (".docx", bombs.docx_empty_paragraphs(400_000), "ROEN_MAX_DOCUMENT_TAGS"),
        (".docx", bombs.docx_runs(60_000), "ROEN_MAX_DOCUMENT_PIECES"),
        # 10,000 copies of one sentence: one sentence once merged, 230,000 characters as sent
        (".docx", bombs.docx_repeated(10_000), "ROEN_MAX_CHARS"),
        (".md", bombs.md_table_row(60_000), "ROEN_MAX_DOCUMENT_PIECES"),
        (".md", bombs.md_soft_wrapped(60_000), "ROEN_MAX_DOCUMENT_PIECES"),
        (".md", "Aceeași frază.\n\n".encode() * 8_000, "ROEN_MAX_CHARS"),
        (".srt", bombs.srt_long_cue(60_000), "ROEN_MAX_DOCUMENT_PIECES"),
        (".srt", bombs.srt_cues(9_000), "ROEN_MAX_CHARS"),
        (".txt", bombs.txt_lines(12_000), "ROEN_MAX_CHARS"),
        (".html", bombs.html_tags(120_000) * 2, "ROEN_MAX_DOCUMENT_UNPACKED_BYTES"),
    ],
)
def test_a_document_over_a_cap_is_refused_at_once_naming_it(make_client, suffix, data, setting):
    caps = {"max_document_unpacked_bytes": 1 << 20} if "UNPACKED" in setting else {}
    with make_client(max_upload_bytes=4 << 20, max_body_bytes=4 << 20, **caps) as client:
        refused_at_once(client, "a" + suffix, data, 413, setting)


def test_the_markdown_cap_is_checked_before_any_markup_is_built():
    budget = Budget(DocumentCaps(max_pieces=1_000))
    with pytest.raises(LimitExceeded, match="ROEN_MAX_DOCUMENT_PIECES"):
        asyncio.run(
            format_of("a.md").translate(
                bombs.md_table_row(5_000), Translators(_never, _never, inline, budget)
            )
        )


async def _never(parts: list[str]) -> list[str]:
    raise AssertionError("nothing over a cap may reach translation")


def test_a_refused_document_leaves_no_parsed_package_behind(make_client):
    """The refusal's error held its frames, and they the tree: with the cycle collector off,
    nothing of the package may be left once the answer is out."""
    with make_client() as client:
        gc.collect()
        gc.disable()
        try:
            r = client.post(
                "/v1/translate/file", files={"file": ("a.docx", bombs.docx_repeated(10_000))}
            )
            assert r.status_code == 413
            left = [o for o in gc.get_objects() if isinstance(o, (Document, OpcPackage, Part))]
        finally:
            gc.enable()
    assert left == []


def test_document_work_runs_in_a_worker_thread_however_small():
    jobs = DocumentJobs(1, DocumentCaps())
    seen: list[threading.Thread] = []

    async def main() -> None:
        async with jobs.job() as job:
            await job.cpu(lambda: seen.append(threading.current_thread()))

    anyio.run(main)
    assert seen and seen[0] is not threading.main_thread()


def test_documents_beyond_the_slots_get_503_with_retry_after():
    jobs = DocumentJobs(1, DocumentCaps())

    async def main() -> None:
        async with jobs.job():
            with pytest.raises(Overloaded) as refused:
                async with jobs.job():
                    pass
            assert refused.value.retry_after_s and "ROEN_MAX_DOCUMENT_JOBS" in str(refused.value)
        async with jobs.job():  # the slot is back
            pass

    anyio.run(main)


def test_a_request_that_ends_stops_its_worker_thread_at_the_next_check():
    jobs = DocumentJobs(1, DocumentCaps(max_pieces=10**9))
    stopped: list[BaseException] = []

    def walk(budget: Budget) -> None:
        try:
            while True:  # a long document: a piece every millisecond
                budget.piece()
                time.sleep(0.001)
        except Abandoned as err:
            stopped.append(err)
            raise

    async def main() -> float:
        with anyio.move_on_after(0.3):  # the deadline, or the client leaving
            async with jobs.job() as job:
                await job.cpu(lambda: walk(job.budget))
        return time.perf_counter()

    started = time.perf_counter()
    ended = anyio.run(main)
    assert stopped, "the thread went on after its request ended"
    assert ended - started < 2 and jobs.running == 0


def _renamed_main_part(paragraphs: int) -> bytes:
    """A package whose main part is `word/document.dat`, typed as XML by [Content_Types]:
    python-docx parses it by its type, whatever its name."""
    source = zipfile.ZipFile(io.BytesIO(bombs.docx_empty_paragraphs(paragraphs)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            data = source.read(item).replace(b"/word/document.xml", b"/word/document.dat")
            data = data.replace(b'Target="word/document.xml"', b'Target="word/document.dat"')
            name = "word/document.dat" if item.filename == "word/document.xml" else item.filename
            z.writestr(name, data)
    return out.getvalue()


def test_a_part_typed_as_xml_is_counted_whatever_its_name(make_client):
    with make_client(max_document_tags=50_000) as client:
        small = client.post("/v1/translate/file", files={"file": ("a.docx", _renamed_main_part(5))})
        assert small.status_code == 200, small.text  # the renamed part is read as the document
        r = client.post(
            "/v1/translate/file", files={"file": ("a.docx", _renamed_main_part(60_000))}
        )
    assert r.status_code == 413 and "ROEN_MAX_DOCUMENT_TAGS" in r.json()["detail"]


def _with_first_entry(data: bytes, name: str, content: bytes, flag: int = 0, crc: bool = True):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name)
        z.writestr(info, content)
        for item in source.infolist():
            z.writestr(item, source.read(item))
    raw = bytearray(out.getvalue())
    if flag:  # the local header's and the central directory's flag bits
        raw[6] |= flag
        central = raw.find(b"PK\x01\x02")
        raw[central + 8] |= flag
    if not crc:  # a wrong CRC in both headers
        raw[14] ^= 0xFF
        central = raw.find(b"PK\x01\x02")
        raw[central + 16] ^= 0xFF
    return bytes(raw)


@pytest.mark.parametrize("damage", [{"flag": 0x1}, {"crc": False}], ids=["encrypted", "bad-crc"])
def test_an_entry_that_cannot_be_unpacked_never_stops_the_count(make_client, damage):
    """A damaged first entry: an XML one is a damaged package (422); one no reader parses
    is never read, and every part after it is still counted (here: over the tag cap)."""
    bomb = bombs.docx_empty_paragraphs(400_000)
    xml = _with_first_entry(bomb, "orphan.xml", b"<a/>" * 25, **damage)
    binary = _with_first_entry(bomb, "orphan.bin", b"x" * 100, **damage)
    with make_client() as client:
        damaged = client.post("/v1/translate/file", files={"file": ("a.docx", xml)})
        counted = client.post("/v1/translate/file", files={"file": ("a.docx", binary)})
    assert damaged.status_code == 422 and "cannot be unpacked" in damaged.json()["detail"]
    assert counted.status_code == 413 and "ROEN_MAX_DOCUMENT_TAGS" in counted.json()["detail"]
