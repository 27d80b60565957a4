"""Where a setting comes from: a `.env` file, beaten by the environment, beaten by a flag.

README, "Configuration": one settings object, read from `ROEN_*` environment variables or a
`.env` file in the working directory; command-line flags override them.
"""

import socket

import httpx
import pytest

from service.cli import build_parser, settings_from
from service.settings import Settings


def write_env(folder, **values) -> None:
    lines = [f"ROEN_{name.upper()}={value}" for name, value in values.items()]
    (folder / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory: no developer's `.env` leaks in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli_settings(*argv: str) -> Settings:
    return settings_from(build_parser().parse_args(list(argv)))


def test_an_env_file_is_read(tmp_path):
    write_env(tmp_path, translation_model="from-dotenv", beam_size=3, backend="torch", port=8123)
    s = Settings(_env_file=tmp_path / ".env")
    assert (s.translation_model, s.beam_size, s.backend, s.port) == (
        "from-dotenv",
        3,
        "torch",
        8123,
    )


def test_the_env_file_in_the_working_directory_is_read_by_default(workdir):
    write_env(workdir, beam_size=3, host="0.0.0.0")
    s = Settings()
    assert (s.beam_size, s.host) == (3, "0.0.0.0")


def test_a_bad_value_in_the_env_file_is_refused(workdir):
    write_env(workdir, beam_size=99)
    with pytest.raises(ValueError, match="beam_size"):
        Settings()


def test_environment_beats_the_env_file(workdir, monkeypatch):
    write_env(workdir, translation_model="from-dotenv", beam_size=3, backend="torch", port=8123)
    monkeypatch.setenv("ROEN_TRANSLATION_MODEL", "from-env")
    monkeypatch.setenv("ROEN_BEAM_SIZE", "5")
    s = Settings()
    assert (s.translation_model, s.beam_size) == ("from-env", 5)
    # what the environment does not set still comes from the file
    assert (s.backend, s.port) == ("torch", 8123)


@pytest.mark.parametrize(
    "argv",
    [
        ["translate", "--model", "from-flag", "--beam-size", "2"],
        ["batch", "in.jsonl", "out.jsonl", "--model", "from-flag", "--beam-size", "2"],
        ["eval", "--reference", "r.en", "--model", "from-flag", "--beam-size", "2"],
    ],
    ids=lambda argv: argv[0],
)
def test_flags_beat_the_environment_and_the_env_file(workdir, monkeypatch, argv):
    write_env(workdir, translation_model="from-dotenv", beam_size=3, max_texts=7)
    monkeypatch.setenv("ROEN_TRANSLATION_MODEL", "from-env")
    monkeypatch.setenv("ROEN_BEAM_SIZE", "5")
    s = cli_settings(*argv)
    assert (s.translation_model, s.beam_size) == ("from-flag", 2)
    assert s.max_texts == 7  # the rest of the configuration is still read


def test_backend_flag_beats_the_environment(workdir, monkeypatch):
    monkeypatch.setenv("ROEN_BACKEND", "ctranslate2")
    assert cli_settings("eval", "--reference", "r.en", "--backend", "torch").backend == "torch"
    assert cli_settings("eval", "--reference", "r.en").backend == "ctranslate2"


@pytest.mark.parametrize(
    "argv",
    [["translate"], ["models", "download"], ["models", "status"], ["batch", "a", "b"]],
    ids=" ".join,
)
def test_without_flags_the_environment_stands(workdir, monkeypatch, argv):
    write_env(workdir, beam_size=3)
    monkeypatch.setenv("ROEN_TRANSLATION_MODEL", "from-env")
    s = cli_settings(*argv)
    assert (s.translation_model, s.beam_size) == ("from-env", 3)


def test_models_download_flag_beats_the_environment(workdir, monkeypatch):
    monkeypatch.setenv("ROEN_TRANSLATION_MODEL", "from-env")
    assert cli_settings("models", "download", "--model", "x/y").translation_model == "x/y"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.model
def test_serve_host_and_port_flags_beat_the_environment(tmp_path):
    """`roen serve --host/--port` listens where the flags say, not at ROEN_HOST/ROEN_PORT."""
    import time

    from tests.support.live_server import Server

    env_port = _free_port()
    server = Server(  # listens on --port server.port, --host 127.0.0.1
        {
            # an address no interface here has: binding it would fail and the server exit
            "ROEN_HOST": "192.0.2.1",
            "ROEN_PORT": str(env_port),
            "ROEN_MODEL_CACHE": str(tmp_path / "cache"),
            "ROEN_TRANSLATION_MODEL": str(tmp_path / "no-model"),
        },
        args=["--host", "127.0.0.1"],
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                live = httpx.get(server.base + "/health/live", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, server.log()
                assert server.proc.poll() is None, f"the server exited: {server.log()}"
                with pytest.raises(httpx.ConnectError):  # it never listens at ROEN_PORT
                    httpx.get(f"http://127.0.0.1:{env_port}/health/live", timeout=2)
                time.sleep(0.2)
        assert live.status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{env_port}/health/live", timeout=2)
    finally:
        server.stop()


def test_a_flag_out_of_range_is_refused_in_one_line_not_replaced_by_the_environment(
    monkeypatch, capsys
):
    from service.cli import main

    monkeypatch.setenv("ROEN_BEAM_SIZE", "2")
    code = main(["translate", "--beam-size", "0", "/nonexistent.txt"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    # refused as a setting, before the file is read: not silently the environment's 2
    assert err.count("\n") == 1 and "beam_size" in err and "nonexistent" not in err
