"""PDF (.pdf) in, a Word document (.docx) out: the text layer read page by page, its lines
joined back into paragraphs, translated, and written as a Word document with a page
break where each page ended and the document's title (its metadata) in English.

Why not a PDF back: a PDF places each line at fixed coordinates, in a font subset that
holds only the Romanian glyphs it needed. English runs to another length and needs other
glyphs, so text replaced in place overflows its boxes or shows blanks. A Word document
holds every word, reflows, and opens everywhere; DeepL also gives a PDF back as .docx on
request. What is not kept: layout (columns, positions, fonts, sizes), pictures, tables'
grid (their cells come as lines), headers and footers repeated on each page (kept as
lines of their page), links, and form fields.

A PDF with no text layer (a scan, pictures of text) is a 422 saying so: roen does not run
OCR. An encrypted PDF opens only if it has no user password.

Bounds: pypdf decompresses no stream beyond the document's unpacked-bytes cap and parses a
content stream with a bounded budget; pages count as parts, lines as pieces, text as it
occurs; the request's end is checked between pages.
"""

from __future__ import annotations

import io
import re
from typing import Any

from service.documents.budget import Budget
from service.documents.package import read_or_refuse
from service.documents.types import CorruptDocument, Translators
from service.errors import LimitExceeded

# A line that ends a paragraph: it ends a sentence and is clearly shorter than the page's
# full lines (the last line of a paragraph rarely reaches the margin).
_ENDS = re.compile(r"[.!?:;\"”»)]\s*$")
_SHORT = 0.8
# How much parsing one content stream may cost (pypdf's count of operands and operators).
_PARSE_BUDGET = 500_000


async def translate_pdf(data: bytes, translate: Translators) -> bytes:
    budget = translate.budget
    title, pages = await translate.cpu(lambda: _read(data, budget), len(data))
    texts = [title, *(p for page in pages for p in page)]
    todo = list(dict.fromkeys(t for t in texts if t.strip()))
    english = dict(zip(todo, await translate.text(todo), strict=True)) if todo else {}

    def write() -> bytes:
        import docx
        from docx.enum.text import WD_BREAK

        document = docx.Document()
        if title:
            document.core_properties.title = english.get(title, title)
        for n, page in enumerate(pages):
            budget.check()
            if n:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            for paragraph in page:
                document.add_paragraph(english.get(paragraph, paragraph))
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return await translate.cpu(write, len(data))


def _read(data: bytes, budget: Budget) -> tuple[str, list[list[str]]]:
    """The title and each page's paragraphs, or a 422 saying why there are none."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    budget.unpacked(len(data), ".pdf file")
    cap = budget.caps.max_unpacked_bytes
    limits: dict[str, Any] = {
        name: cap
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "maximum_declared_stream_length",
            "image_maximum_buffer_size",
        )
    }

    def read() -> tuple[str, list[list[str]]]:
        try:
            return parse()
        except LimitReachedError as err:  # a stream that unpacks or parses beyond the caps
            raise LimitExceeded(
                f"The .pdf file holds more than roen reads ({err}); at most {cap:,} bytes "
                "per stream (ROEN_MAX_DOCUMENT_UNPACKED_BYTES).",
                limit=cap,
            ) from None

    def parse() -> tuple[str, list[list[str]]]:
        with apply_configuration(None, stream_parsing_work_maximum_count=_PARSE_BUDGET, **limits):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise CorruptDocument(
                    "The .pdf file is encrypted with a password; send it without one."
                )
            budget.parts(len(reader.pages), ".pdf file")
            title = str(reader.metadata.get("/Title") or "").strip() if reader.metadata else ""
            budget.text(title)
            pages = []
            for page in reader.pages:
                budget.check()
                pages.append(_paragraphs(page.extract_text() or "", budget))
            return title, pages

    title, pages = read_or_refuse(".pdf file", read)
    if not any(pages):
        raise CorruptDocument(
            "The .pdf file has no text layer: its pages are pictures (a scan?). roen "
            "translates text, not images; run it through OCR first, or send the text."
        )
    return title, pages


def _paragraphs(text: str, budget: Budget) -> list[str]:
    """A page's lines joined into paragraphs: a blank line ends one, and so does a line
    that ends a sentence short of the page's full width. A line ending in a hyphen joins
    the next with no space, keeping the hyphen (Romanian writes `într-un` across lines)."""
    lines = [line.strip() for line in text.splitlines()]
    full = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        budget.piece()
        budget.text(line)
        if not line:
            paragraphs.append(current)
            current = ""
            continue
        current = current + line if current.endswith("-") else f"{current} {line}".lstrip()
        if _ENDS.search(line) and len(line) < _SHORT * full:
            paragraphs.append(current)
            current = ""
    paragraphs.append(current)
    return [p for p in paragraphs if p.strip()]
