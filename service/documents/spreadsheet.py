"""Excel (.xlsx): the text of every cell translated — the shared strings (plain, or rich
text whose runs each keep their own font, bold, italics, colour and size, and get the
English of their own words, reordered with them: service/documents/runs.py), the inline
strings of each sheet — and the cells' comments (classic notes and threaded comments).

Never sent to translation: formulas, numbers, dates, booleans, errors, a formula's cached
result (a `t="str"` cell's text: Excel computes it again), and any text with no letter in
it ('2024', '12,5', '—'). Kept as they are: sheet names and defined names (formulas name
sheets: a renamed sheet breaks them), the header cells of tables (a table names its columns
by that text, and formulas name them so: `Tabel1[Nume]`), styles, number formats, charts,
pictures, drawings, pivot tables and their caches, data validation, headers and footers,
and every part with nothing to translate, byte for byte.

Read with lxml over the package (service/documents/package.py), never with openpyxl: it
writes only what it understands, and drops charts, pictures and more. A line break inside
a cell ends a sentence and stays where it was (the lines of a header are translated line
by line); edge spaces stay. A part that declares a DOCTYPE (Excel never writes one) is a
damaged file.
"""

from __future__ import annotations

import re
from typing import Any

from service.documents.budget import Budget
from service.documents.package import (
    Package,
    check_package,
    parse_xml,
    refuse_doctype,
    translate_parsed,
    xml_safe,
)
from service.documents.runs import Paragraph
from service.documents.types import (
    CorruptDocument,
    Translators,
    has_letter,
    write_all,
)

_WHAT = ".xlsx file"
_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_STRINGS, _SHEET, _COMMENTS, _TABLE = (
    _ML + kind + "+xml" for kind in ("sharedStrings", "worksheet", "comments", "table")
)
_THREADED = "application/vnd.ms-excel.threadedcomments+xml"
_WORKBOOKS = {
    _ML + "sheet.main+xml",
    _ML + "template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Excel writes a character XML cannot hold (and "\r") as _xHHHH_, and a literal "_x" that
# looks like one as _x005F_x.
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# A control character in a cell (Excel's _xHHHH_): the model may not read it, so a run that
# holds one is kept as it is.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


async def translate_xlsx(data: bytes, translate: Translators) -> bytes:
    return await translate_parsed(data, translate, _WHAT, lambda: _Workbook(data, translate.budget))


class _Workbook:
    """The workbook's parts with text, parsed, and their strings: the shared strings, each
    sheet's inline strings, then the comments."""

    def __init__(self, data: bytes, budget: Budget) -> None:
        check_package(data, budget, _WHAT)  # counted before anything is parsed
        self.budget = budget
        self.package = Package(data)
        self.parts: dict[str, Any] = {}  # part name → its parsed tree, for each part with text
        self.pieces: list[_String] = []
        types = self._content_types()
        if not _WORKBOOKS & set(types.values()):
            raise CorruptDocument(
                "The .xlsx file holds no Excel workbook: it is damaged or not what its name "
                "says. Save it again as .xlsx and send it again."
            )
        by_kind = sorted(types.items(), key=lambda item: item[0])
        self.columns = {
            column
            for name, kind in by_kind
            if kind == _TABLE
            for column in _column_names(self._parse(name))
        }
        for wanted in (_STRINGS, _SHEET, _COMMENTS, _THREADED):
            for name, kind in by_kind:
                if kind == wanted:
                    self._walk(name, kind)

    def _content_types(self) -> dict[str, str]:
        """Each part the package lists by name → its content type. OPC names ignore case;
        the zip's own spelling is kept."""
        spelled = {name.lower(): name for name in self.package.names}
        listing = self._parse("[Content_Types].xml")
        found: dict[str, str] = {}
        for override in listing.iter(_TYPES + "Override"):
            name = spelled.get(str(override.get("PartName") or "").lstrip("/").lower())
            if name is not None:
                found[name] = str(override.get("ContentType") or "").strip()
        return found

    def _parse(self, name: str) -> Any:
        if not self.package.has(name):
            raise CorruptDocument(f"The {_WHAT} has no {name}: it is damaged.")
        root = parse_xml(self.package.read(name))
        refuse_doctype(root, _WHAT, name, "Excel")
        return root

    def _walk(self, name: str, kind: str) -> None:
        if kind == _SHEET and b"inlineStr" not in self.package.read(name):
            return  # its cells point at shared strings: nothing to parse
        self.budget.piece()
        root = self._parse(name)
        ns = _namespace(root)
        if kind == _STRINGS:
            found = root.iterchildren(ns + "si")
        elif kind == _SHEET:
            found = (c.find(ns + "is") for c in root.iter(ns + "c") if c.get("t") == "inlineStr")
        else:  # a classic comment's text is rich text; a threaded comment's is plain
            found = root.iter(ns + "text")
        walked = False
        for element in found:
            if element is None:
                continue
            self.budget.piece()
            text = _String(element, ns, kind == _THREADED, self.budget)
            if text.inline.has_text and text.words not in self.columns:
                self.pieces.append(text)
                walked = True
        if walked:
            self.parts[name] = root

    def write(self, english: dict[str, str]) -> bytes:
        write_all(self.pieces, english, self.budget)
        for name, root in self.parts.items():
            self.package.replace_tree(name, root)
        return self.package.save()


class _String:
    """One cell's string (`si`, `is`) or comment (`text`): its runs (`r`), each with its
    properties (`rPr`) and text (`t`), or its one `t`; a threaded comment's `text` is its
    own text (`direct`). Phonetic runs (`rPh`) stay as they are."""

    def __init__(self, element: Any, ns: str, direct: bool, budget: Budget) -> None:
        self.element = element
        self.direct = direct
        self.inline = Paragraph(budget)
        self.texts: list[Any] = []  # by run number: the element holding its text, or None
        # (the element holding a run's text, the run as a child of `parent`, whether its
        # text may be rewritten)
        if direct:
            holders = [(element, element, len(element) == 0)]
        elif (t := element.find(ns + "t")) is not None:
            holders = [(t, t, len(t) == 0)]
        else:
            holders = [
                (run.find(ns + "t"), run, _plain_run(run, ns))
                for run in element.iterchildren(ns + "r")
            ]
        words = []
        for holder, child, editable in holders:
            text = _decode(holder.text or "") if holder is not None else ""
            # What the model may not read (a control character) stays as it is.
            editable = editable and holder is not None and not _CONTROL.search(text)
            self.texts.append(holder if editable else None)
            self.inline.run(child, text.replace("\r\n", "\n").replace("\r", "\n"), editable)
            words.append(text)
        self.words = "".join(words)
        lead = len(self.words) - len(self.words.lstrip())
        self.edges = (self.words[:lead], self.words[len(self.words.rstrip()) :])
        if not has_letter(self.words):
            self.inline.has_text = False  # '2024', '12,5': numbers are never sent
        self.html = self.inline.html  # a line break in a cell ends its sentence (runs.py)

    def write(self, markup: str) -> None:
        parent = self.element.getparent() if self.direct else self.element
        self.inline.write(markup, parent, self._put)  # runs reordered inside `parent`

    def _put(self, number: int, english: str) -> None:
        holder = self.texts[number]
        if len(self.texts) == 1:  # one text: its edge spaces (an indent) as they were
            english = self.edges[0] + english.strip() + self.edges[1]
        holder.text = _encode(english)
        if english != english.strip() and not self.direct:
            holder.set(_SPACE, "preserve")  # Excel drops edge spaces without it


def _plain_run(run: Any, ns: str) -> bool:
    """A run of properties and text only, its text an element with no children."""
    t = run.find(ns + "t")
    return t is not None and len(t) == 0 and all(c.tag in (ns + "rPr", ns + "t") for c in run)


def _namespace(root: Any) -> str:
    """`{uri}` of the part's root: transitional and strict workbooks name theirs apart."""
    from lxml import etree

    return f"{{{etree.QName(root).namespace or ''}}}"


def _column_names(root: Any) -> list[str]:
    ns = _namespace(root)
    return [_decode(str(c.get("name") or "")) for c in root.iter(ns + "tableColumn")]


def _decode(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _encode(text: str) -> str:
    """The English as Excel stores it: a literal `_xHHHH_` escaped. A character XML cannot
    hold never came from the cell (a run with one is kept as it is): one the translation
    brings is dropped."""
    return _ESCAPED.sub(r"_x005F_x\1_", xml_safe(text))
