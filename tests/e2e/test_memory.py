"""A serving process allocates from one heap (runtime/memory.py says why): checked inside a
process through glibc's own report, and from outside on a real `roen serve` through the
64 MiB arenas glibc maps for threads."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.live_server import Server

THREADS = """
import ctypes, sys, threading
from service.runtime.memory import one_heap

if sys.argv[1] == "one":
    assert one_heap()

def work():
    for _ in range(200):
        bytes(300_000)
        [bytearray(100) for _ in range(100)]

threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
out = libc.fopen(sys.argv[2].encode(), b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fclose(ctypes.c_void_p(out))
"""


def _heaps_reported(mode: str, tmp_path: Path) -> int:
    report = tmp_path / f"{mode}.xml"
    subprocess.run([sys.executable, "-c", THREADS, mode, str(report)], check=True)
    return report.read_text().count("<heap nr=")


def test_one_heap_keeps_every_thread_on_the_main_arena(tmp_path):
    assert _heaps_reported("default", tmp_path) > 1  # glibc's own way: an arena per thread
    assert _heaps_reported("one", tmp_path) == 1


ARENA = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: a thread arena is one such mapping


def thread_arenas(pid: int) -> int:
    """Thread arenas in a process's address space: anonymous, 64 MiB-aligned mappings of
    exactly 64 MiB (their used part read-write, the rest reserved)."""
    maps = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        start, end = (int(x, 16) for x in fields[0].split("-"))
        maps.append((start, end, fields[1], len(fields) > 5))
    found = 0
    for i, (start, end, perms, named) in enumerate(maps):
        if named or start % ARENA or not perms.startswith("rw"):
            continue
        j = i + 1
        while j < len(maps) and maps[j][0] == end and not maps[j][3]:
            end = maps[j][1]
            j += 1
        found += end - start == ARENA
    return found


@pytest.mark.slow
@pytest.mark.model
def test_roen_serve_allocates_from_one_heap(tiny_marian):
    """Without one_heap, the same server held 6 thread arenas after these requests."""
    server = Server(
        {
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
            "ROEN_BEAM_SIZE": "1",
        }
    )
    try:
        server.wait_ready(timeout=180)
        import httpx

        def post(i: int) -> int:
            body = {"text": f"Guvernul a anunțat {i} măsuri noi. Ploile continuă."}
            return httpx.post(server.base + "/v1/digest", json=body, timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(post, range(24))) == {200}
        # ≤ 1, not 0: the count is read from the address space's shape, and once in a whole
        # suite one other 64 MiB-aligned anonymous mapping of exactly 64 MiB passed for an
        # arena. Without one_heap the count is 6.
        assert thread_arenas(server.proc.pid) <= 1
    finally:
        server.stop()
