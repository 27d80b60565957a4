"""`roen translate` and `roen models` as a user runs them (subprocess, real entry point)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.model

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


def test_translate_file_keeps_lines(tiny_marian, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE, encoding="utf-8")
    proc = roen("translate", str(src), "--model", str(tiny_marian), "--beam-size", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == SAMPLE.count("\n")
    assert "\n\n" in proc.stdout
    assert "Traceback" not in proc.stderr


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


def test_models_status_reports_present(tiny_marian):
    proc = roen("models", "status", "--model", str(tiny_marian))
    assert proc.returncode == 0, proc.stdout
    assert "present" in proc.stdout


def test_healthcheck_fails_when_nothing_listens():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the check: nothing listens there
    proc = roen("healthcheck", env_extra={"ROEN_PORT": str(port)})
    assert proc.returncode == 1 and "not ready" in proc.stderr


def test_model_cache_is_the_same_folder_from_any_working_directory(tmp_path):
    """Run from elsewhere, the CLI finds the checkout's model_cache/ and creates no stray one."""
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "ROEN_MODEL_CACHE"}
    checkout = Path(__file__).resolve().parent.parent
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


def test_with_no_hub_reachable_the_download_gives_up_at_once(tmp_path):
    """`make run` offline: the fetch it tries first must not hold the server back ~25 s."""
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    env = {
        "ROEN_MODEL_CACHE": str(tmp_path),
        "HF_ENDPOINT": f"http://127.0.0.1:{port}",
        "HTTPS_PROXY": "",
        "https_proxy": "",
    }
    started = time.perf_counter()
    proc = roen("models", "download", env_extra=env)
    seconds = time.perf_counter() - started
    assert proc.returncode == 1 and "not reachable" in proc.stderr
    assert "Traceback" not in proc.stderr and seconds < 10
