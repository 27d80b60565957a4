"""One small, valid document of every format roen translates, by suffix: what the tests that
run every format (each door, the byte fuzz) start from."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.documents import sample_docx
from tests.support.ebooks import sample_epub
from tests.support.opendocument import sample_odp, sample_odt
from tests.support.pdfs import pdf
from tests.support.slides import sample_pptx
from tests.support.spreadsheets import sample_xlsx

XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="app.properties" source-language="ro" datatype="plaintext"><body>
  <trans-unit id="1"><source>Bună ziua, <g id="b1">dragă</g> prietene.</source></trans-unit>
  <trans-unit id="2"><source>Apăsați <x id="x1"/> pentru a continua.</source></trans-unit>
 </body></file>
</xliff>
"""

SAMPLES: dict[str, Callable[[], bytes]] = {
    ".txt": lambda: "Titlu\n\nPrima frază. A doua frază.\n".encode(),
    ".html": lambda: "<p>Bună <b>ziua</b>, prieteni.</p>".encode(),
    ".htm": lambda: b"<html><body><p>Un paragraf.</p></body></html>",
    ".md": lambda: "# Titlu\n\n- un element cu [legătură](https://ex.ro)\n".encode(),
    ".srt": lambda: "1\n00:00:01,000 --> 00:00:02,000\nBună seara.\n".encode(),
    ".docx": sample_docx,
    ".pptx": sample_pptx,
    ".xlsx": sample_xlsx,
    ".odt": sample_odt,
    ".odp": sample_odp,
    ".epub": sample_epub,
    ".xliff": XLIFF.encode,
    ".xlf": XLIFF.encode,
    ".pdf": lambda: pdf([["Guvernul a aprobat legea.", "Ministrul a plecat."]], title="Raport"),
}
