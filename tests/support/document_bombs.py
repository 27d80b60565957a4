"""Small files that unpack or expand to a great deal of work: the inputs an attacker sends
to the document routes. Each is a few KB to a few hundred KB on the wire; `size` scales
the dimension it attacks, so that the same builders serve the linearity tests (double
`size`, time the work) and the live bomb test (the sizes that broke roen before).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _docx(body: str, headers: dict[str, str] | None = None) -> bytes:
    """A minimal Word package: `body` inside <w:body>, and header parts by file name."""
    headers = headers or {}
    overrides = "".join(
        f'<Override PartName="/word/{name}" ContentType="{_CT_MAIN}.header+xml"/>'
        for name in headers
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{_CT_MAIN}.document.main+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rH{i}" Type="{_REL}/header" Target="{name}"/>'
            for i, name in enumerate(headers)
        )
        + "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<w:document {W} {R}><w:body>{body}</w:body></w:document>",
        )
        for name, xml in headers.items():
            z.writestr(f"word/{name}", f"<w:hdr {W} {R}>{xml}</w:hdr>")
    return out.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_runs(size: int) -> bytes:
    """One paragraph: one text run, then `size` empty runs (1.4 KB at 50,000)."""
    return _docx(f"<w:p><w:r><w:t>Bună ziua, lume.</w:t></w:r>{'<w:r/>' * size}</w:p>")


def docx_shared_header(size: int, header_paragraphs: int = 300) -> bytes:
    """`size` sections, each naming the same header three times (default, first, even)."""
    refs = "".join(
        f'<w:headerReference w:type="{kind}" r:id="rH0"/>' for kind in ("default", "first", "even")
    )
    section = f"<w:p><w:pPr><w:sectPr>{refs}</w:sectPr></w:pPr></w:p>"
    header = _p("Antet comun al documentului.") * header_paragraphs
    return _docx(section * size + _p("Text."), {"header1.xml": header})


def docx_empty_paragraphs(size: int) -> bytes:
    """`size` empty paragraphs: 10,000,000 is 60 MB unpacked, ~90 KB on the wire."""
    return _docx(_p("Început.") + "<w:p/>" * size)


def docx_repeated(size: int) -> bytes:
    """`size` identical paragraphs: de-duplicated, they would be one sentence."""
    return _docx(_p("Aceeași frază, din nou.") * size)


def docx_table(size: int) -> bytes:
    """A table of `size` cells in rows of 10."""
    row = "<w:tr>" + f"<w:tc>{_p('Celulă.')}</w:tc>" * 10 + "</w:tr>"
    return _docx("<w:tbl>" + row * max(1, size // 10) + "</w:tbl>")


def md_table_row(size: int) -> bytes:
    """One table row of `size` cells (500,000: 1 MB)."""
    return ("|a" * size + "|\n").encode()


def md_soft_wrapped(size: int) -> bytes:
    """One paragraph soft-wrapped over `size` lines of one word."""
    return b"a\n" * size


def md_lines(size: int) -> bytes:
    """`size` paragraphs of a few words each."""
    return b"".join(f"Paragraful {i} are cuvinte.\n\n".encode() for i in range(size))


def srt_cues(size: int) -> bytes:
    return b"".join(
        f"{i}\n00:00:01,000 --> 00:00:02,000\nReplica {i} aici.\n\n".encode()
        for i in range(1, size + 1)
    )


def srt_long_cue(size: int) -> bytes:
    """One cue of `size` one-word lines."""
    return b"1\n00:00:01,000 --> 00:00:02,000\n" + b"vorba\n" * size


def html_tags(size: int) -> bytes:
    return b"<p>" + b"<b>a</b>" * size + b"</p>"


def txt_lines(size: int) -> bytes:
    return b"Un rand.\n" * size


Bomb = Callable[[int], bytes]
# Each bomb at the size that broke (or would break) a replica before its caps existed.
BOMBS: dict[str, tuple[str, Bomb, int]] = {
    "docx-runs": (".docx", docx_runs, 50_000),
    "docx-runs-under-caps": (".docx", docx_runs, 45_000),  # the most work a .docx may ask
    "docx-shared-header": (".docx", docx_shared_header, 300),
    "docx-empty-paragraphs": (".docx", docx_empty_paragraphs, 10_000_000),
    "docx-repeated": (".docx", docx_repeated, 10_000),
    "docx-table": (".docx", docx_table, 200_000),
    "docx-table-under-caps": (".docx", docx_table, 12_000),
    "md-table-row": (".md", md_table_row, 500_000),
    "md-soft-wrapped": (".md", md_soft_wrapped, 523_000),
    "md-lines": (".md", md_lines, 30_000),
    "srt-cues": (".srt", srt_cues, 18_000),
    "srt-long-cue": (".srt", srt_long_cue, 170_000),
    "html-tags": (".html", html_tags, 130_000),
    "txt-lines": (".txt", txt_lines, 110_000),
}
