"""The rooms of docs/architecture.md, checked on the import graph of every module (imports
inside functions included): a door added by accident fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGE = CHECKOUT / "service"
TESTS = CHECKOUT / "tests"
HEAVY = {"torch", "transformers", "ctranslate2"}
# room → the rooms (and top-level modules) of `service` it may import
ALLOWED = {
    "text": {"text"},
    "documents": {"documents", "text", "errors"},
    "runtime": {"runtime", "models", "telemetry", "errors", "settings"},
    "models": {"models", "errors", "settings"},
    "summarize": {"summarize", "runtime", "models", "text", "errors", "settings"},
    "pipeline": {
        "pipeline",
        "telemetry",
        "runtime",
        "summarize",
        "models",
        "text",
        "documents",
        "terms",
        "fetch",
        "errors",
        "settings",
    },
    "store": {"store", "errors", "settings"},
    "fetch": {"fetch", "errors"},
    "telemetry": {"telemetry"},
    "terms": {"terms", "store", "text", "errors", "settings"},
    "accounts": {"accounts", "store", "errors", "settings"},
    "http": {
        "http",
        "accounts",
        "store",
        "pipeline",
        "terms",
        "telemetry",
        "text",
        "documents",
        "errors",
        "settings",
        "logs",
        "__version__",
    },
    "batch": {"batch", "pipeline", "terms", "text", "errors", "settings"},
}
MAY_IMPORT_HEAVY = {"runtime", "models", "summarize"}
# The pipeline sees a model only through these contracts (and builds through the factories).
PIPELINE_DOORS = {
    "service.runtime.backend",
    "service.runtime.scheduler",
    "service.runtime.policies",
    "service.runtime.factory",
    "service.summarize.types",
    "service.summarize.factory",
    "service.models.info",
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_stays_in_its_room(path):
    here = room(path)
    names = imports(path)
    heavy = {n.split(".")[0] for n in names} & HEAVY
    if here not in MAY_IMPORT_HEAVY:
        assert not heavy, f"{here} may not import {heavy}"
    if here in ALLOWED:
        rooms = {n.split(".")[1] for n in names if n.startswith("service.")}
        assert rooms <= ALLOWED[here], f"{here} imports {rooms - ALLOWED[here]}"
    if here == "pipeline":
        outside = {
            n
            for n in names
            if n.startswith(("service.runtime.", "service.summarize.", "service.models."))
            and n.count(".") == 2
        }
        assert outside <= PIPELINE_DOORS, f"pipeline reaches past the doors: {outside}"
    if here in {"text", "pipeline", "runtime", "models", "summarize", "batch", "store", "accounts"}:
        assert not any(n.split(".")[0] == "litestar" for n in names), "model code imports Litestar"


def test_the_benchmark_is_not_packaged_and_not_imported_by_tests():
    """Only `service` ships: not the benchmark, the tests or the harness they share (the
    wheel's packages as pyproject.toml's find rule picks them)."""
    import tomllib

    from setuptools import find_namespace_packages

    assert not (PACKAGE / "bench").exists()
    pyproject = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))
    rule = pyproject["tool"]["setuptools"]["packages"]["find"]
    shipped = find_namespace_packages(
        str(CHECKOUT), include=rule.get("include", ["*"]), exclude=rule.get("exclude", [])
    )
    assert "service" in shipped
    assert {name.split(".")[0] for name in shipped} == {"service"}, shipped
    for test in sorted(TESTS.rglob("*.py")):
        assert not any(n.split(".")[0] == "benchmarks" for n in imports(test)), test


def test_scripts_benchmarks_and_the_harness_never_import_the_tests():
    """What they share with the tests (processes, fakes) lives in `harness`; `tests` is the
    tests' own, free to change with them."""
    for folder in ("scripts", "benchmarks", "harness"):
        for path in sorted((CHECKOUT / folder).rglob("*.py")):
            found = {n for n in imports(path) if n.split(".")[0] == "tests"}
            assert not found, f"{path.relative_to(CHECKOUT)} imports {found}"


def _private(name: str) -> bool:
    """One leading underscore, not a dunder."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_names(path: Path) -> list[str]:
    """Where a file reaches a private name of another module or object: an import of one
    (`from x import _y`, `import x._y`) or an attribute (`obj._y`) of anything but
    `self`/`cls`. Libraries' privates count too (python-docx's `paragraph._p`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [*(node.module or "").split("."), *(a.name for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [part for a in node.names for part in a.name.split(".")]
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}:
                continue
            names = [node.attr]
        else:
            continue
        if any(_private(name) for name in names):
            found.append(f"{path.relative_to(CHECKOUT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_tests_touch_no_private_name():
    """A test goes through what the code offers (a public function, a constructor's
    argument, the library's public API); a helper worth testing directly is made public.
    A private name can then change without a test breaking."""
    found = [where for path in sorted(TESTS.rglob("*.py")) for where in private_names(path)]
    assert found == []


def test_no_getattr_probing_in_the_package():
    """Every member the core uses is declared in a contract; none is looked up by name."""
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {
                "getattr",
                "hasattr",
            }:
                target = ast.unparse(node.args[0])
                # Optional fields of third-party configs, argparse's namespace (flags a
                # subcommand lacks) and a log record's `extra` are not our objects.
                allowed = {"config", "model.generation_config", "exc", "args", "record"}
                assert target in allowed, f"{path.relative_to(PACKAGE)}: {ast.unparse(node)}"
