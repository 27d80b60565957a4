"""`roen serve` in a child process on a free loopback port: for tests and the benchmark that
drive the service from outside, as a client would; `report` keeps their figures in
artifacts/load-report.json."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.services import end, free_port


def rss_mb(pid: int | str = "self", field_name: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`roen serve` in a child process on a free loopback port, with the given ROEN_* env."""

    def __init__(
        self,
        settings_env: dict[str, str],
        *,
        source: Path | None = None,
        args: list[str] | None = None,
        port: int | None = None,
    ) -> None:
        """`source`: serve the `service` package of another checkout (the benchmark's
        baseline), not this one; `args`: more `roen serve` options; `port`: a given one (a
        replica restarted behind a load balancer), else a free one."""
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROEN_")}
        # Each server its own store (its keys, usage and rate-limit windows), unless the
        # caller shares one: never the checkout's data/.
        env["ROEN_DATA_DIR"] = tempfile.mkdtemp(prefix="roen-serve-data-")
        env.update(settings_env)
        if source is not None:
            env["PYTHONPATH"] = str(source)
        # Logs go to a file: a pipe nobody reads would fill up and stall the server.
        self.log_path = Path(tempfile.mkstemp(prefix="roen-serve-", suffix=".log")[1])
        with self.log_path.open("w") as log_file:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)]
                + (args or []),
                env=env,
                cwd=source,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid, "VmRSS")

    def wait_ready(self, timeout: float = 300) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            time.sleep(0.5)
        raise RuntimeError("the server did not become ready")

    def metric(self, name: str) -> float:
        """One unlabelled sample from /metrics (nan when absent)."""
        import httpx

        text = httpx.get(self.base + "/metrics", timeout=10).text
        m = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.M)
        return float(m.group(1)) if m else float("nan")

    def tokens(self) -> float:
        return self.metric("roen_generated_tokens_total")

    def peak_rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye (a crashed or evicted replica)."""
        self.proc.kill()
        self.proc.wait(30)

    def stop(self) -> None:
        end(self.proc, 30)


ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def report(name: str, figures: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "load-report.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2))
    print(f"\n{name}: {json.dumps(figures)}")
