"""Which documents roen translates, by file name: each format's media type and its
translator. Anything else is refused (415) with the list; a damaged file is a 422."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import PurePath

from service.documents.budget import count_tags
from service.documents.ebook import translate_epub
from service.documents.markdown import translate_markdown
from service.documents.opendocument import translate_odp, translate_odt
from service.documents.pdf import translate_pdf
from service.documents.slides import translate_pptx
from service.documents.spreadsheet import translate_xlsx
from service.documents.subtitles import translate_srt
from service.documents.types import Translators, decode
from service.documents.word import translate_docx
from service.documents.xliff import translate_xliff
from service.errors import UnsupportedMediaType

Translator = Callable[[bytes, Translators], Awaitable[bytes]]


async def translate_txt(data: bytes, translate: Translators) -> bytes:
    def read() -> str:
        translate.budget.unpacked(len(data), ".txt file")
        text = decode(data, ".txt")
        translate.budget.text(text)
        return text

    text = await translate.cpu(read, len(data))
    return (await translate.text([text]))[0].encode() if text.strip() else data


async def translate_html_file(data: bytes, translate: Translators) -> bytes:
    def read() -> str:
        translate.budget.unpacked(len(data), ".html file")
        count_tags(data, translate.budget, ".html file")  # before any parser builds them
        return decode(data, ".html")

    text = await translate.cpu(read, len(data))
    return (await translate.html([text]))[0].encode() if text.strip() else data


@dataclass(frozen=True, slots=True)
class Format:
    suffix: str
    media_type: str
    translate: Translator
    # Its reader counts the text as it occurs (Budget.text); an HTML file's text is known
    # only once parsed, and is counted then, by the pipeline.
    counts_text: bool = True
    # The suffix of the document it gives back, when not its own (a .pdf comes back .docx).
    gives: str = ""

    @property
    def output(self) -> Format:
        return FORMATS[self.gives] if self.gives else self


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
DOCX = _OOXML + "wordprocessingml.document"
FORMATS = {
    f.suffix: f
    for f in (
        Format(".txt", "text/plain", translate_txt),
        Format(".html", "text/html", translate_html_file, counts_text=False),
        Format(".htm", "text/html", translate_html_file, counts_text=False),
        Format(".md", "text/markdown", translate_markdown),
        Format(".docx", DOCX, translate_docx),
        Format(".srt", "application/x-subrip; charset=utf-8", translate_srt),
        Format(".pptx", _OOXML + "presentationml.presentation", translate_pptx),
        Format(".xlsx", _OOXML + "spreadsheetml.sheet", translate_xlsx),
        Format(".odt", _ODF + "text", translate_odt),
        Format(".odp", _ODF + "presentation", translate_odp),
        Format(".epub", "application/epub+zip", translate_epub),
        Format(".xliff", "application/xliff+xml", translate_xliff),
        Format(".xlf", "application/xliff+xml", translate_xliff),
        Format(".pdf", "application/pdf", translate_pdf, gives=".docx"),
    )
}
ACCEPTED = ", ".join(FORMATS)


def format_of(filename: str) -> Format:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        shown = f"a {suffix} file" if suffix else "a file with no extension"
        raise UnsupportedMediaType(
            f"roen cannot translate {shown}; it translates {ACCEPTED} documents. "
            "(Other text can be pasted, or sent to /v1/translate.)"
        )
    return FORMATS[suffix]


def english_name(filename: str, kind: Format | None = None) -> str:
    """`raport.docx` → `raport.en.docx`; `raport.pdf` → `raport.en.docx` (what it gives)."""
    path = PurePath(PurePath(filename).name or "document")
    return f"{path.stem}.en{kind.suffix if kind else path.suffix}"
