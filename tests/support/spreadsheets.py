"""Excel workbooks for the tests, written part by part (openpyxl writes every string inline
and no shared strings, as Excel does not): a sample with rich text, formulas, numbers,
cached results, a table, a comment and a picture; and workbooks of size n along each
dimension a reader walks (shared strings, runs in one string, inline cells)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# A 1×1 PNG: a picture part that must come back byte for byte.
PICTURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f80f0000010101005d2b3a0e0000000049454e44ae426082"
)


def plain(text: str) -> str:
    """A shared or inline string of one plain text."""
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{space}>{escape(text)}</t>"


def rich(*runs: tuple[str, str]) -> str:
    """A string of runs: (properties such as "<b/>", or "" for none; text)."""
    out = []
    for props, text in runs:
        out.append(f"<r>{f'<rPr>{props}</rPr>' if props else ''}{plain(text)}</r>")
    return "".join(out)


def workbook(
    strings: list[str],
    sheets: dict[str, str],
    parts: dict[str, tuple[str, bytes | str]] | None = None,
    linked: dict[int, tuple[str, str]] | None = None,
) -> bytes:
    """`strings`: each shared string's inside (`plain` or `rich`); `sheets`: each sheet's name
    and its `sheetData` rows; `parts`: more parts, name → (content type or "", content);
    `linked`: a sheet's number → (its relationships, what follows its `sheetData`)."""
    linked = linked or {}
    parts = parts or {}
    names = list(sheets)
    overrides = {"xl/workbook.xml": _ML + "sheet.main+xml", "xl/styles.xml": _ML + "styles+xml"}
    overrides |= {
        f"xl/worksheets/sheet{i + 1}.xml": _ML + "worksheet+xml" for i in range(len(names))
    }
    if strings:
        overrides["xl/sharedStrings.xml"] = _ML + "sharedStrings+xml"
    overrides |= {name: kind for name, (kind, _) in parts.items() if kind}
    types = "".join(f'<Override PartName="/{n}" ContentType="{t}"/>' for n, t in overrides.items())
    content: dict[str, bytes | str] = {
        "[Content_Types].xml": _DECLARATION
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Default Extension="png" ContentType="image/png"/>{types}</Types>',
        "_rels/.rels": _DECLARATION + f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": _DECLARATION
        + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, n in enumerate(names)
        )
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": _DECLARATION
        + f'<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        + f'<Relationship Id="rIdS" Type="{_REL}/styles" Target="styles.xml"/>'
        + (
            f'<Relationship Id="rIdT" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            if strings
            else ""
        )
        + "</Relationships>",
        "xl/styles.xml": _DECLARATION + f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/>'
        '</fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="1"><xf/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>",
    }
    if strings:
        content["xl/sharedStrings.xml"] = (
            _DECLARATION
            + f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si>{s}</si>" for s in strings)
            + "</sst>"
        )
    for i, rows in enumerate(sheets.values()):
        content[f"xl/worksheets/sheet{i + 1}.xml"] = (
            _DECLARATION
            + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetData>{rows}</sheetData>'
            + linked.get(i + 1, ("", ""))[1]
            + "</worksheet>"
        )
    for number, (rels, _) in linked.items():
        content[f"xl/worksheets/_rels/sheet{number}.xml.rels"] = (
            _DECLARATION + f'<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
        )
    content |= {name: data for name, (_, data) in parts.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in content.items():
            z.writestr(name, data)
    return out.getvalue()


def cell(ref: str, inside: str, kind: str = "") -> str:
    return f'<c r="{ref}"{f" t={chr(34)}{kind}{chr(34)}" if kind else ""}>{inside}</c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


SHARED = [
    plain("Casa mare are o grădină."),  # 0
    rich(("<b/>", "Casă roșie"), ("", " și "), ("<i/>", "grădina verde")),  # 1
    plain("2024"),  # 2: no letters, never sent
    plain("Nume"),  # 3: a table's column
    plain(" Spațiu la margine "),  # 4
    plain("Linia unu\nLinia doi"),  # 5
    plain("12,5"),  # 6
]

COMMENTS = (
    _DECLARATION + f'<comments xmlns="{_MAIN}"><authors><author>Ion</author></authors>'
    '<commentList><comment ref="A1" authorId="0"><text>'
    + rich(("<b/>", "Ion:"), ("", "\nVerifică suma aceasta."))
    + "</text></comment></commentList></comments>"
)
THREADED = (
    _DECLARATION + '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/'
    '2018/threadedcomments"><threadedComment ref="A2" dT="2024-01-01T00:00:00.00" '
    'personId="{00000000-0000-0000-0000-000000000001}" id="{00000000-0000-0000-0000-000000000002}">'
    "<text>Tom &amp; Ana au scris aici.</text></threadedComment></ThreadedComments>"
)
TABLE = (
    _DECLARATION + f'<table xmlns="{_MAIN}" id="1" name="Tabel1" displayName="Tabel1" '
    'ref="A5:A6"><tableColumns count="1"><tableColumn id="1" name="Nume"/></tableColumns>'
    "</table>"
)


def sample_xlsx() -> bytes:
    """Two sheets: shared strings (plain, rich, numeric-looking, with edge spaces, with a
    line break), a number, a formula and its cached number, a formula's cached text, inline
    strings (plain and rich), a table whose header is a shared string, a comment, a
    threaded comment and a picture part."""
    first = "".join(
        [
            row(
                1,
                cell("A1", "<v>0</v>", "s"),
                cell("B1", "<v>12.5</v>"),
                cell("C1", "<f>B1*2</f><v>25</v>"),
                cell("D1", "<v>2</v>", "s"),
                cell("E1", "<v>6</v>", "s"),
            ),
            row(
                2,
                cell("A2", "<v>1</v>", "s"),
                cell("B2", '<f>CONCATENATE("Zi ","bună")</f><v>Zi bună</v>', "str"),
            ),
            row(3, cell("A3", f"<is>{plain('Un text direct în celulă.')}</is>", "inlineStr")),
            row(
                4,
                cell(
                    "A4",
                    f"<is>{rich(('<u/>', 'Prețul'), ('', ' este mic.'))}</is>",
                    "inlineStr",
                ),
            ),
            row(5, cell("A5", "<v>3</v>", "s")),
            row(6, cell("A6", "<v>0</v>", "s")),
        ]
    )
    second = "".join(
        [
            row(1, cell("A1", "<v>4</v>", "s"), cell("B1", "<f>'Vânzări'!B1+1</f><v>13.5</v>")),
            row(2, cell("A2", "<v>5</v>", "s")),
        ]
    )
    rels = (
        f'<Relationship Id="rIdC" Type="{_REL}/comments" Target="../comments1.xml"/>'
        f'<Relationship Id="rIdT1" Type="{_REL}/table" Target="../tables/table1.xml"/>'
    )
    return workbook(
        SHARED,
        {"Vânzări": first, "Note": second},
        {
            "xl/comments1.xml": (_ML + "comments+xml", COMMENTS),
            "xl/tables/table1.xml": (_ML + "table+xml", TABLE),
            "xl/threadedComments/threadedComment1.xml": (
                "application/vnd.ms-excel.threadedcomments+xml",
                THREADED,
            ),
            "xl/media/image1.png": ("", PICTURE),
        },
        {1: (rels, '<tableParts count="1"><tablePart r:id="rIdT1"/></tableParts>')},
    )


def xlsx_shared_strings(n: int) -> bytes:
    """n different shared strings (one cell names the first)."""
    strings = [plain(f"Rândul {i} are un text scurt.") for i in range(n)]
    return workbook(strings, {"Foaie": row(1, cell("A1", "<v>0</v>", "s"))})


def xlsx_runs(n: int) -> bytes:
    """One shared string of n runs, bold and plain in turn."""
    runs = [("<b/>" if i % 2 else "", f"cuvânt{i} ") for i in range(n)]
    return workbook([rich(*runs)], {"Foaie": row(1, cell("A1", "<v>0</v>", "s"))})


def xlsx_inline_cells(n: int) -> bytes:
    """n cells of inline strings, ten to a row."""
    rows = "".join(
        row(
            r + 1,
            *(
                cell(
                    f"{chr(65 + c)}{r + 1}",
                    f"<is>{plain(f'Celula {r} {c} are text.')}</is>",
                    "inlineStr",
                )
                for c in range(min(10, n - 10 * r))
            ),
        )
        for r in range((n + 9) // 10)
    )
    return workbook([], {"Foaie": rows})
