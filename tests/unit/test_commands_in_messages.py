"""The command a message tells the user to run, spelled so that it runs where they are
(in-process: `roen_command`'s seams stand in for the interpreter, PATH and directory)."""

from pathlib import Path

from service.errors import ModelMissing, roen_command


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "roen"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return script


def test_roen_command_is_bare_only_when_path_finds_this_installation(tmp_path):
    ours = _script(tmp_path / "proj" / ".venv" / "bin")
    python = str(ours.parent / "python")
    other = _script(tmp_path / "other" / "bin")
    linked = tmp_path / "links"
    linked.mkdir()
    (linked / "roen").symlink_to(ours)
    cwd = str(tmp_path / "proj")

    def spelled(search_path: str, where: str = cwd) -> str:
        return roen_command(
            "models download", executable=python, search_path=search_path, cwd=where
        )

    assert spelled(str(ours.parent)) == "roen models download"
    assert spelled(str(linked)) == "roen models download"  # a link to ours is ours
    assert spelled(str(other.parent)) == ".venv/bin/roen models download"  # another install
    assert spelled("") == ".venv/bin/roen models download"
    assert spelled("", where=str(ours.parent)) == "./roen models download"
    assert spelled("", where=str(tmp_path / "other")) == f"{ours} models download"


def test_roen_command_with_no_script_beside_the_interpreter(tmp_path):
    python = str(tmp_path / "py" / "bin" / "python3")
    assert roen_command("eval", executable=python, search_path="", cwd=str(tmp_path)) == (
        "py/bin/python3 -m service.cli eval"
    )
    on_path = _script(tmp_path / "bin")
    assert roen_command("eval", executable=python, search_path=str(on_path.parent)) == "roen eval"


def test_roen_command_quotes_a_path_with_spaces(tmp_path):
    ours = _script(tmp_path / "my project" / "bin")
    spelled = roen_command("models status", executable=str(ours.parent / "python"), search_path="")
    assert spelled == f"'{ours}' models status"


def test_model_missing_says_restart_to_the_server_and_run_again_at_a_terminal():
    err = ModelMissing("org/model", "/cache", "roen models download")
    assert str(err) == err.detail
    assert err.detail.endswith("then restart the server.")
    assert err.for_cli().endswith("then run this command again.")
    assert "`roen models download`" in err.for_cli() and "/cache" in err.for_cli()
    assert "restart" not in err.for_cli()
    fixed = ModelMissing.empty_folder("/models/x")
    assert fixed.for_cli() == fixed.detail and "no config.json" in fixed.detail


def test_an_empty_model_folder_says_what_to_put_there_or_run():
    err = ModelMissing.empty_folder("/models/x")
    assert err.model == err.folder == "/models/x"
    assert err.detail == (
        "Model folder /models/x holds no checkpoint (no config.json). Point the model setting "
        "at a folder written by save_pretrained, or at a hub id and run "
        f"`{roen_command('models download')}`."
    )


def test_a_deleted_working_directory_gives_the_absolute_path(tmp_path, monkeypatch):
    ours = _script(tmp_path / "proj" / "bin")

    def gone() -> str:
        raise FileNotFoundError("the working directory was deleted")

    monkeypatch.setattr("os.getcwd", gone)
    spelled = roen_command("eval", executable=str(ours.parent / "python"), search_path="")
    assert spelled == f"{ours} eval"


def test_a_roen_on_path_that_cannot_be_compared_is_not_taken_for_ours(tmp_path, monkeypatch):
    """`roen` on PATH is only spelled bare when it is this installation's script; when the
    two cannot be compared (stat fails), the full path is the safe spelling."""
    ours = _script(tmp_path / "proj" / "bin")
    other = _script(tmp_path / "other")

    def unreadable(a: str, b: str) -> bool:
        raise PermissionError(a)

    monkeypatch.setattr("os.path.samefile", unreadable)
    spelled = roen_command(
        "eval",
        executable=str(ours.parent / "python"),
        search_path=str(other.parent),
        cwd=str(tmp_path / "elsewhere"),
    )
    assert spelled == f"{ours} eval"


def test_a_command_without_arguments_has_no_trailing_space():
    assert roen_command("", executable="/nowhere/bin/python", search_path="/nowhere") == (
        "/nowhere/bin/python -m service.cli"
    )
