"""The error tree drawn in service/errors.py is the tree of classes: every RoenError the
package defines is drawn under its parent, and nothing is drawn that does not exist."""

from __future__ import annotations

import importlib
import pkgutil
import re

import service
from service import errors


def drawn() -> dict[str, str | None]:
    """Each class in the drawing, with the class it is drawn under."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        m = re.match(r"^\s{4}([│ ]*)(?:[├└]── )?([A-Z]\w+)\s", line + " ")
        if not m or not (m.group(2).endswith(("Error", "Exceeded")) or "──" in line):
            continue
        depth = len(m.group(1)) // 4 + (1 if "──" in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, m.group(2)))
    return parents


def defined() -> dict[str, str | None]:
    for module in pkgutil.walk_packages(service.__path__, "service."):
        if not module.name.startswith(("service.http", "service.batch.on_ray")):
            importlib.import_module(module.name)  # every module that may define one

    found: dict[str, str | None] = {"RoenError": None}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("service."):
                found[sub.__name__] = cls.__name__
                walk(sub)

    walk(errors.RoenError)
    return found


def test_the_drawing_is_the_tree_of_classes():
    assert drawn() == defined()
