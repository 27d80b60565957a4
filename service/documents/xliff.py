"""XLIFF 1.2 and 2.x (.xliff, .xlf): each source without a translation gets its English as
the target, its inline codes kept.

XLIFF 1.2: a `trans-unit`'s `source` (its `seg-source`, when it has one, so that each
`mrk mtype="seg"` keeps its segment) becomes a `target` after it; an empty `target` is
filled, its attributes (`state` among them) kept. XLIFF 2.x: each `segment`'s `source`
gets a `target` the same way. A file that names no target language gets `en`; one that
names another is refused (422), since its targets would be in the wrong language.

Only what has no translation yet is translated: a unit whose target holds anything is a
translator's (or an earlier pass's) work, and is left exactly as it is — as CAT tools
pre-translate a file, filling only the gaps. Units (and groups, and files) marked
`translate="no"` are left as they are, without a target. A source with no words (numbers,
codes only) gets a copy of itself as its target, unsent.

Kept in the target with their ids and attributes: `g`, `pc` and `mrk` around the words
that translate theirs (moved with them); a protected or `translate="no"` `mrk` read with
its sentence and kept as it is; `x`, `bx`, `ex`, `ph`, `bpt`, `ept`, `it`, `sc`, `ec`,
`sm`, `em`, `cp`, comments and unexpanded entities exactly as they are, in their sentence
(a `bpt`/`ept` or `sc`/`ec` pair is two codes: each keeps its own place, not a span of
words). Everything else in the file — notes, contexts, alt-trans, other namespaces, the
DOCTYPE — is written back as it was, in the file's own encoding.
"""

from __future__ import annotations

import copy
from typing import Any

from service.documents.budget import Budget, count_tags
from service.documents.inline_xml import KEEP, SHOWN, WRAP, Mixed, local
from service.documents.package import parse_xml, read_or_refuse, rebuild_or_refuse, serialize
from service.documents.types import CorruptDocument, Translators, translate_all, write_all
from service.errors import InputError

_WHAT = "XLIFF file"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


async def translate_xliff(data: bytes, translate: Translators) -> bytes:
    budget = translate.budget
    root, units = await translate.cpu(lambda: _read(data, budget), len(data))
    if root is None:
        return data  # every unit already translated, or none to translate
    pieces = [u for u in units if u.has_text]
    english = await translate_all((p.html for p in pieces), translate.html)

    def write() -> bytes:
        write_all(pieces, english, budget)
        return serialize(root)

    return await translate.cpu(lambda: rebuild_or_refuse(_WHAT, write), len(data))


def _read(data: bytes, budget: Budget) -> tuple[Any, list[Mixed]]:
    """The parsed file (None when it needs no target) and its targets to write. Its bytes
    are counted and its tags too before the parser sees them; the parser decodes them by
    the file's own declaration (or byte-order mark), expands no entity and fetches nothing."""
    budget.unpacked(len(data), _WHAT)
    count_tags(data, budget, _WHAT)
    root = read_or_refuse(_WHAT, lambda: _parse(data))
    two = _version_two(root)
    _aim_at_english(root, two)
    units = read_or_refuse(_WHAT, lambda: list(_targets(root, two, budget)))
    return (root if units else None), units


def _parse(data: bytes) -> Any:
    root = parse_xml(data)
    if not isinstance(root.tag, str) or local(root.tag) != "xliff":
        raise CorruptDocument(
            f"The {_WHAT} is XML, but not XLIFF (its root is not <xliff>). Export it again "
            "as XLIFF 1.2 or 2.x and send it again."
        )
    return root


def _version_two(root: Any) -> bool:
    version = root.get("version") or ""
    if version:
        return version.startswith("2")
    return root.tag.startswith("{urn:oasis:names:tc:xliff:document:2")


def _aim_at_english(root: Any, two: bool) -> None:
    """Each file names English as its target language (set where it names none)."""
    holders = (
        [root] if two else [f for f in root if isinstance(f.tag, str) and local(f.tag) == "file"]
    )
    name = "trgLang" if two else "target-language"
    for holder in holders:
        language = holder.get(name)
        if not language:
            holder.set(name, "en")
        elif language.lower().replace("_", "-").split("-")[0] != "en":
            raise InputError(
                f"The {_WHAT} asks for a translation into {language[:20]!r} ({name}); roen "
                "translates Romanian into English only. Export it with English as the target "
                "language and send it again."
            )


def _targets(root: Any, two: bool, budget: Budget) -> Any:
    """Each source without a translation, its target made (or emptied) and filled with a
    copy of the source, as the content to translate."""
    for unit in root.iter("{*}segment" if two else "{*}trans-unit"):
        budget.piece()
        if not _translatable(unit.getparent() if two else unit):
            continue
        source = _child(unit, "source")
        if source is None:
            continue
        segmented = None if two else _child(unit, "seg-source")
        origin = source if segmented is None else segmented
        target = _child(unit, "target")
        if target is None:
            target = unit.makeelement(source.tag[: -len("source")] + "target", {})
            if source.get(_XML_SPACE):
                target.set(_XML_SPACE, source.get(_XML_SPACE))
            target.tail = origin.tail  # the file's indentation
            origin.addnext(target)
        elif len(target) or (target.text or "").strip():
            continue  # translated already: a person's work is not overwritten
        target.text = origin.text
        for child in origin:
            target.append(copy.deepcopy(child))
        yield Mixed(target, _role, budget)


def _translatable(unit: Any) -> bool:
    """`translate` is inherited: the unit's own, else its nearest group's or file's."""
    for holder in (unit, *unit.iterancestors()):
        said = holder.get("translate")
        if said is not None:
            return str(said).strip().lower() != "no"
    return True


def _child(parent: Any, name: str) -> Any:
    for child in parent:
        if isinstance(child.tag, str) and local(child.tag) == name:
            return child
    return None


def _role(element: Any) -> str:
    """Paired codes and annotations hold words; a protected one's words are read with its
    sentence and kept as they are; the rest is code (its content too), kept as it is."""
    name = local(element.tag)
    if name not in ("g", "pc", "mrk"):
        return KEEP
    protected = element.get("mtype") == "protected" or element.get("translate") == "no"
    return SHOWN if protected else WRAP
