"""Real servers the tests and the benchmark start on free loopback ports and stop: a Redis
server (the replicas' store) and an haproxy (their load balancer). Nothing here is a fake."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def _launch(args: list[str], port: int) -> subprocess.Popen[bytes]:
    """A server process, once it listens on `port`."""
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for_port(port, proc)
    return proc


def end(proc: subprocess.Popen[Any] | None, wait_s: float = 10) -> None:
    """SIGTERM, and SIGKILL if it is still there after `wait_s`."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(wait_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(wait_s)


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(f"{name} is not installed: run scripts/ensure_test_tools.sh")
    return found


class RedisServer:
    """`redis-server` on a free port; with `folder`, append-only persistence there."""

    def __init__(self, folder: Path | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        persist = (
            ["--appendonly", "yes", "--dir", str(self.folder)]
            if self.folder
            else ["--appendonly", "no"]
        )
        server = [_binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        self.proc = _launch([*server, "--save", "", *persist], self.port)
        return self

    def stop(self) -> None:
        end(self.proc)


class Haproxy:
    """haproxy round-robin over `backends` (host:port), on a free port."""

    def __init__(self, backends: list[int]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = Path(tempfile.mkdtemp(prefix="roen-haproxy-"))
        servers = "\n".join(
            f"    server r{i} 127.0.0.1:{port} check inter 500ms fall 2 rise 1"
            for i, port in enumerate(backends)
        )
        (self.folder / "haproxy.cfg").write_text(
            f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    option redispatch
    retries 2
frontend roen
    bind 127.0.0.1:{self.port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /health/live
{servers}
"""
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Haproxy:
        config = str(self.folder / "haproxy.cfg")
        self.proc = _launch([_binary("haproxy"), "-f", config, "-db"], self.port)
        return self

    def stop(self) -> None:
        end(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)
