"""Every shell example in the README and docs/, run: the `curl` calls against a live `roen
serve` (tiny checkpoint), the `roen` commands with the same model, in a folder holding the
files they name. A block either runs whole and exits 0 — curl failing on any HTTP error — or
every command in it is one this machine cannot run, for a reason listed in NOT_RUN. So a
page cannot show a route, a field or a flag that does not work.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from tests.support.live_server import Server

pytestmark = [pytest.mark.slow, pytest.mark.model]

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ARTICLE = ROOT.parent / "shared" / "data" / "articles" / "putin-kim-2025.ro.txt"
# Commands not run here, each for a reason; a block is skipped only when all of it is these.
NOT_RUN = {
    r"^make\b": "make runs the suite itself, or long jobs (the benchmark, mutation testing)",
    r"^docker\b": "no container engine in the suite (docker/smoke-test.sh builds the image)",
    r"--ray\b": "Ray's start-up (tests/model/test_batch.py runs roen batch --ray)",
    r"\broen eval\b": "scores a whole test set (tests/model/test_eval.py runs roen eval)",
    r"^\.venv/bin/python scripts/": "a measuring script of the checkout (its test runs it there)",
}


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"^```sh\n(.*?)^```", text, re.M | re.S):
            line = text[: m.start()].count("\n") + 1
            found.append((str(page.relative_to(ROOT)), line, m.group(1)))
    return found


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n|\|\n", " ", block)
    return [c.strip() for c in joined.split("\n") if c.strip() and not c.lstrip().startswith("#")]


def not_run(command: str) -> str | None:
    return next((why for pattern, why in NOT_RUN.items() if re.search(pattern, command)), None)


def fixtures(folder: Path) -> None:
    """The files the examples name."""
    article = ARTICLE.read_text(encoding="utf-8") if ARTICLE.is_file() else "Bună ziua. " * 20
    (folder / "article.ro.txt").write_text(article, encoding="utf-8")
    (folder / "X.ro").write_text("Bună ziua.\nCe mai faceți?\n", encoding="utf-8")
    (folder / "X.en").write_text("Good morning.\nHow are you?\n", encoding="utf-8")
    word = docx.Document()
    word.add_paragraph("Raportul anual a fost publicat astăzi.")
    out = io.BytesIO()
    word.save(out)
    (folder / "raport.docx").write_bytes(out.getvalue())
    (folder / "film.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,500\nBună ziua!\n", encoding="utf-8"
    )
    rows = [{"id": str(i), "text": t} for i, t in enumerate(["Bună ziua.", article[:2000]])]
    (folder / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "news").mkdir()
    (folder / "news" / "a.txt").write_text("Bună ziua. Ce mai faceți?\n", encoding="utf-8")


BLOCKS = blocks()


def test_every_block_is_run_or_says_why_not():
    for page, line, block in BLOCKS:
        reasons = [not_run(c) for c in commands(block)]
        assert all(reasons) or not any(reasons), (
            f"{page}:{line}: a block mixes commands run here with ones that cannot be "
            "(split it, so that what can run does)"
        )
    ran = [b for b in BLOCKS if not all(not_run(c) for c in commands(b[2]))]
    assert len(ran) >= 10  # the pages' examples are mostly run, not mostly excused


@pytest.fixture(scope="module")
def live(tiny_marian: Path, tmp_path_factory: pytest.TempPathFactory):
    env = {
        "ROEN_TRANSLATION_MODEL": str(tiny_marian),
        "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
        "ROEN_BEAM_SIZE": "1",
    }
    server = Server(env)
    server.wait_ready(timeout=180)
    folder = tmp_path_factory.mktemp("documented")
    fixtures(folder)
    yield server, folder, env, tiny_marian
    server.stop()


@pytest.mark.parametrize(
    ("page", "line", "block"),
    [b for b in BLOCKS if not all(not_run(c) for c in commands(b[2]))],
    ids=[f"{p}:{n}" for p, n, b in BLOCKS if not all(not_run(c) for c in commands(b))],
)
def test_the_documented_commands_work(live, page, line, block):
    server, folder, env, model = live
    roen = shutil.which("roen", path=str(Path(sys.executable).parent)) or "roen"
    script = (
        block.replace("localhost:8000", f"127.0.0.1:{server.port}")
        .replace(".venv/bin/roen", roen)
        .replace("./my-marian-checkpoint", str(model))
    )
    script = re.sub(r"^roen ", f"{roen} ", script, flags=re.M)
    prelude = 'curl() { command curl --fail-with-body --max-time 120 "$@"; }\n'
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("ROEN_")}
    run_env.update(env)
    run_env["ROEN_DATA_DIR"] = str(folder / "cli-data")  # `roen keys` keeps its own store
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", prelude + script],
        cwd=folder,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{page}:{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
