"""LibreTranslate beside roen, on the same CTranslate2 int8 model: the server people would
otherwise run.

- The real LibreTranslate from PyPI (LT_VERSION), in a venv of its own (made once, kept in
  ~/.cache/roen-bench/, or ROEN_BENCH_LT_VENV), started by its own console entry point
  through `lt_launcher.py`, which pins the output lengths in its own process only.
- Its model is an argos package built here from what roen serves: `model/` is the very
  CTranslate2 folder roen converted, `sentencepiece.model` the Marian source model,
  `minisbd/ro.onnx` the stand-in splitter (`minisbd_standin.py`). A second, empty package
  beside it, so that LibreTranslate (which fetches its package index when fewer than two
  packages are installed) starts offline.
- Its settings are its defaults (beam 4, argostranslate's 32-token batches, waitress's 4
  threads), except ARGOS_BEAM_SIZE=1 for the greedy rows: LibreTranslate has no per-request
  beam, so those rows get a second LibreTranslate started that way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.live_server import rss_mb
from harness.services import end, free_port

LT_VERSION = "1.9.6"
# MiniSBD's stand-in is written with onnx; LibreTranslate pins numpy below 2.
TOOLS = ["onnx==1.23.2", "numpy==1.26.4"]
HERE = Path(__file__).parent


def venv() -> Path:
    """LibreTranslate's python, installing it on first use."""
    default = Path.home() / ".cache" / "roen-bench" / f"libretranslate-{LT_VERSION}"
    where = Path(os.environ.get("ROEN_BENCH_LT_VENV", default))
    python = where / "bin" / "python"
    if not (where / ".installed").exists():
        print(f"installing LibreTranslate {LT_VERSION} into {where} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(where)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, f"libretranslate=={LT_VERSION}", *TOOLS], check=True)
        (where / ".installed").write_text(LT_VERSION)
    return python


def build_packages(python: Path, work: Path, model: Path, converted: Path, text: Path) -> Path:
    """ARGOS_PACKAGES_DIR with roen's model as an argos ro→en package, and an empty one."""
    packages = work / "argos-packages"
    ro_en = packages / "translate-ro_en"
    ro_en.mkdir(parents=True, exist_ok=True)
    metadata = {
        "package_version": "1.0",
        "argos_version": "1.0",
        "from_code": "ro",
        "from_name": "Romanian",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
    }
    (ro_en / "metadata.json").write_text(json.dumps(metadata))
    if not (ro_en / "model").exists():
        (ro_en / "model").symlink_to(converted.resolve())
    shutil.copy(model / "source.spm", ro_en / "sentencepiece.model")
    standin = ro_en / "minisbd" / "ro.onnx"
    if not standin.exists():
        subprocess.run(
            [str(python), str(HERE / "minisbd_standin.py"), str(standin), str(text)], check=True
        )
    empty = packages / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "metadata.json").write_text(json.dumps({"type": "sbd", "package_version": "1.0"}))
    return packages


class LibreTranslate:
    """One LibreTranslate process on a free loopback port: a benchmark server like
    harness.live_server.Server (base, tokens, metric, peak_rss_mb, rss_mb, stop)."""

    path = "/translate"

    def __init__(self, python: Path, packages: Path, work: Path, *, beam: int | None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        home = Path(tempfile.mkdtemp(prefix="lt-home-", dir=work))
        self.tokens_file = home / "generated-tokens"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("ROEN_", "ARGOS_"))},
            "HOME": str(home),  # argostranslate's data and cache folders: the scratch
            "ARGOS_PACKAGES_DIR": str(packages),
            "ROEN_BENCH_PIN": os.environ.get("ROEN_BENCH_PIN", "1.1"),
            "ROEN_BENCH_TOKENS": str(self.tokens_file),
        }
        if beam is not None:
            env["ARGOS_BEAM_SIZE"] = str(beam)
        self.log_path = home / "libretranslate.log"
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(
                [str(python), str(HERE / "lt_launcher.py"), *self.args()],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def args(self) -> list[str]:
        return ["--host", "127.0.0.1", "--port", str(self.port), "--load-only", "ro,en"]

    def wait_ready(self, timeout: float = 300) -> None:
        """Listening, and its model loaded: argostranslate loads it on the first
        translation, so one is asked for (roen's /health/ready means the same)."""
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"LibreTranslate exited:\n{self.log_path.read_text()}")
            try:
                body = {"q": "Bună ziua.", "source": "ro", "target": "en", "format": "text"}
                if httpx.post(self.base + self.path, json=body, timeout=60).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"LibreTranslate not ready:\n{self.log_path.read_text()}")

    @staticmethod
    def body(text: str) -> dict[str, str]:
        return {"q": text, "source": "ro", "target": "en", "format": "text"}

    def tokens(self) -> float:
        try:
            return float(self.tokens_file.read_text() or 0)
        except FileNotFoundError:
            return 0.0

    def metric(self, name: str) -> float:
        return float("nan")  # no /metrics: rows per batch are not known

    def peak_rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid, "VmRSS")

    def stop(self) -> None:
        end(self.proc, 30)
