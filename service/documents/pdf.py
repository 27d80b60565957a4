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
content stream with a bounded budget; what it parses is one running total held to that cap
too — each page's content, and a form (a stream drawn by name) each time it is drawn, at
most 64 a page — since pypdf parses a stream again wherever it is used: a thousand pages
sharing one content stream cost a thousand of it. Pages count as parts, lines as pieces,
text as it occurs; the request's end is checked between pages. A control character in the
text layer (which a Word document cannot hold) is dropped.
"""

from __future__ import annotations

import io
import re
from typing import Any

from service.documents.budget import Abandoned, Budget
from service.documents.package import read_or_refuse, rebuild_or_refuse, xml_safe
from service.documents.types import CorruptDocument, Translators, translate_all
from service.errors import LimitExceeded

# A line that ends a paragraph: it ends a sentence and is clearly shorter than the page's
# full lines (the last line of a paragraph rarely reaches the margin).
_ENDS = re.compile(r"[.!?:;\"”»)]\s*$")
_SHORT = 0.8
# How much parsing one content stream may cost (pypdf's count of operands and operators).
_PARSE_BUDGET = 500_000
# How many forms a page's text is read from (pypdf's default: 5,000, each parsed again).
_FORMS_PER_PAGE = 64
# The operators that make pypdf copy the page's text so far, and how many characters it
# may copy in all: a few seconds' work. A dense page of 10,000 characters drawn one by one
# copies 100 million; 8 MiB of such pages (the cap on content) about 4 billion.
_COPYING = frozenset({b"Tj", b"TJ", b"'", b'"', b"Td", b"TD", b"Tm", b"T*"})
_COPIED = 50_000_000_000
# How many operators are read between looks at whether the request has ended.
_CHECK_EVERY = 4096


async def translate_pdf(data: bytes, translate: Translators) -> bytes:
    budget = translate.budget
    title, pages = await translate.cpu(lambda: _read(data, budget), len(data))
    texts = [title, *(p for page in pages for p in page)]
    english = await translate_all((t for t in texts if t.strip()), translate.text)

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

    return await translate.cpu(lambda: rebuild_or_refuse(".pdf file", write), len(data))


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
        with apply_configuration(
            None,
            stream_parsing_work_maximum_count=_PARSE_BUDGET,
            xform_maximum_invocations_per_extraction=_FORMS_PER_PAGE,
            **limits,
        ):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise CorruptDocument(
                    "The .pdf file is encrypted with a password; send it without one."
                )
            budget.parts(len(reader.pages), ".pdf file")
            title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
            title = xml_safe(title).strip()
            budget.text(title)
            parsed = _Parsed(budget)
            pages = []
            for page in reader.pages:
                budget.check()
                pages.append(_paragraphs(parsed.text(page), budget))
            return title, pages

    title, pages = read_or_refuse(".pdf file", read)
    if not any(pages):
        raise CorruptDocument(
            "The .pdf file has no text layer: its pages are pictures (a scan?). roen "
            "translates text, not images; run it through OCR first, or send the text."
        )
    return title, pages


class _Parsed:
    """What pypdf's text extraction costs, counted as it goes over the whole document:

    - each page's content streams, and each form (an XObject drawn by name, `Do`) every time
      it is drawn: pypdf parses a stream again wherever it is used. One running total of
      bytes, held to the unpacked-bytes cap;
    - the text it copies: at each piece of text a page shows (a `Tj`, each string of a
      `TJ`, a move to the next line) pypdf copies the page's text so far, so a page drawn in
      tens of thousands of tiny pieces costs the square of its size. Held to _COPIED;
    - the request's end, every _CHECK_EVERY operators, so that one long page stops too.

    pypdf catches whatever is raised while it reads a form: what stops the reading is kept
    in `failed` and raised again at the next operator, and after the page."""

    def __init__(self, budget: Budget) -> None:
        from pypdf.errors import LimitReachedError

        self.budget = budget
        self.total = 0  # bytes of content parsed
        self.copied = 0  # characters of text pypdf copied
        self.shown = 0  # characters of text shown on this page so far
        self.operators = 0
        self.failed: Exception | None = None
        self.stops = (LimitExceeded, LimitReachedError, Abandoned)
        self.scopes: list[Any] = []  # the XObjects in scope: the page's, then each form's drawn
        self.drawn = 0  # forms read on this page (pypdf reads at most _FORMS_PER_PAGE)

    def text(self, page: Any) -> str:
        contents = page.get_contents()
        self._add(len(contents.get_data()) if contents is not None else 0)
        self.scopes, self.drawn, self.shown = [_xobjects(page)], 0, 0
        text = page.extract_text(
            visitor_operand_before=self._before, visitor_operand_after=self._after
        )
        if self.failed is not None:
            raise self.failed
        return str(text or "")

    def _before(self, operator: bytes, operands: Any, *matrices: Any) -> None:
        if self.failed is not None:
            raise self.failed
        try:
            self._count(operator, operands)
        except self.stops as err:
            self.failed = err
            raise

    def _after(self, operator: bytes, *rest: Any) -> None:
        if operator == b"Do":
            self.scopes.pop()

    def _count(self, operator: bytes, operands: Any) -> None:
        self.operators += 1
        if self.operators % _CHECK_EVERY == 0:
            self.budget.check()
        if operator == b"Do":
            form = _form(self.scopes[-1], operands)
            if form is not None and self.drawn < _FORMS_PER_PAGE:
                self.drawn += 1
                self._add(_size(form))
            self.scopes.append(_xobjects(form) if form is not None else None)
        elif operator in _COPYING:
            pieces = operands[0] if operator == b"TJ" and operands else operands
            pieces = pieces if isinstance(pieces, list) else [pieces]
            self.shown += sum(len(p) for p in pieces if isinstance(p, (str, bytes)))
            self.copied += self.shown * (max(len(pieces), 1) if operator == b"TJ" else 1)
            if self.copied > _COPIED:
                raise LimitExceeded(
                    "The .pdf file draws its text in too many small pieces for roen to read "
                    f"it: reading it would copy more than {_COPIED:,} characters (a page's "
                    "text is copied at each piece). Send its text, or split it into smaller "
                    "PDFs.",
                    limit=_COPIED,
                    actual=self.copied,
                )

    def _add(self, size: int) -> None:
        self.total += size
        self.budget.unpacked(self.total, ".pdf file")


def _size(form: Any) -> int:
    """The form once decoded (pypdf keeps the bytes for its own reading); a damaged one
    counts nothing: pypdf skips it. One that unpacks beyond the cap raises."""
    from pypdf.errors import LimitReachedError

    try:
        return len(form.get_data())
    except LimitReachedError:
        raise
    except Exception:
        return 0


def _xobjects(holder: Any) -> Any:
    """The XObjects a page's or a form's resources name, or None."""
    try:
        return holder["/Resources"]["/XObject"]
    except (KeyError, TypeError):
        return None


def _form(xobjects: Any, operands: Any) -> Any:
    """The form `Do` draws (its operand names it in `xobjects`), or None (a picture, a name
    not there)."""
    from pypdf.generic import StreamObject

    try:
        drawn = xobjects[operands[0]] if xobjects is not None and operands else None
    except (KeyError, TypeError):
        return None
    if isinstance(drawn, StreamObject) and drawn.get("/Subtype") == "/Form":
        return drawn
    return None


def _paragraphs(text: str, budget: Budget) -> list[str]:
    """A page's lines joined into paragraphs: a blank line ends one, and so does a line
    that ends a sentence short of the page's full width. A line ending in a hyphen joins
    the next with no space, keeping the hyphen (Romanian writes `într-un` across lines).
    A character XML cannot hold is dropped (a Word document could not hold it)."""
    lines = [xml_safe(line).strip() for line in text.splitlines()]
    full = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current: list[str] = []  # the paragraph's lines and the spaces between, joined once
    for line in lines:
        budget.piece()
        budget.text(line)
        if not line:
            paragraphs.append("".join(current))
            current = []
            continue
        if current and not current[-1].endswith("-"):
            current.append(" ")
        current.append(line)
        if _ENDS.search(line) and len(line) < _SHORT * full:
            paragraphs.append("".join(current))
            current = []
    paragraphs.append("".join(current))
    return [p for p in paragraphs if p.strip()]
