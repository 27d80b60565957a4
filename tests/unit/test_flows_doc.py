"""docs/architecture.md draws one digest, one HTML and one streamed request in at most ten
named steps each: every step exists, and every name a step gives is in the code where it
says (a renamed function, a moved module or a removed step fails here, not in a reader)."""

from __future__ import annotations

import ast
import keyword
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
FLOWS = ["## One digest request", "## One HTML request", "## One streamed request"]
NAME = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?$")


def _section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


def _defined() -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """Every module, function and class of the package, and each class's (and module's)
    attributes: methods, fields, properties and what `self.x =` sets."""
    modules, names, members = set(), set(), set()
    for path in (ROOT / "service").rglob("*.py"):
        modules.add(path.stem)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
                if node in tree.body:
                    members.add((path.stem, node.name))
            if isinstance(node, ast.ClassDef):
                for item in ast.walk(node):
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        members.add((node.name, item.name))
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members.add((node.name, item.target.id))
                    elif isinstance(item, ast.Attribute) and isinstance(item.ctx, ast.Store):
                        members.add((node.name, item.attr))
    return modules, names, members


MODULES, NAMES, MEMBERS = _defined()


@pytest.mark.parametrize("title", FLOWS)
def test_each_flow_is_ten_named_steps_at_most(title):
    steps = re.findall(r"^(\d+)\. \*\*(.+?)\*\*", _section(title), re.M)
    assert 3 <= len(steps) <= 10, f"{title}: {len(steps)} steps"
    assert [int(n) for n, _ in steps] == list(range(1, len(steps) + 1))


@pytest.mark.parametrize("title", FLOWS)
def test_every_name_a_step_gives_is_in_the_code(title):
    missing = []
    for token in re.findall(r"`([^`]+)`", _section(title)):
        if " " in token or token.startswith("/") or keyword.iskeyword(token):
            continue  # a route, a header, Python's own word
        if "/" in token or token.endswith(".py"):  # a file of the package
            if not (ROOT / "service" / token).exists():
                missing.append(token)
        elif NAME.match(token) and not token.startswith("ROEN_"):
            owner, _, member = token.rpartition(".")
            if owner:
                if (owner, member) not in MEMBERS:
                    missing.append(token)
            elif token not in NAMES | MODULES | {m for _, m in MEMBERS}:
                missing.append(token)
    assert not missing, f"{title} names what the code does not have: {missing}"
