"""Pages only, and their text. The charset is found as a browser finds it (a byte-order mark,
then the Content-Type header, then a <meta> in the first 4 KiB of HTML, then UTF-8), and
undecodable bytes become U+FFFD rather than failing the fetch: a digest of a page with one
stray byte is still worth having, and the replacement character shows where it was."""

from __future__ import annotations

import codecs
import re

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
META_WINDOW = 4096

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip
# Both `<meta charset="…">` and `<meta http-equiv="Content-Type" content="…; charset=…">`.
_META = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)
# The start of a document the HTML sniffing rules (WHATWG MIME Sniffing) call HTML.
_HTML_START = re.compile(
    rb"<(!doctype\s+html|html|head|body|title|script|style|div|p|h1|table|a|b|br|font|iframe|"
    rb"!--)[\s>]",
    re.IGNORECASE,
)
# Formats whose first bytes are all text, or nearly: caught by their signatures.
_SIGNATURES = (b"%PDF-", b"%!PS", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b",
               b"Rar!", b"\x7fELF", b"{\\rtf")  # fmt: skip
# Bytes that no text file holds (WHATWG's "binary data bytes").
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
# Labels that mean windows-1252 to a browser (WHATWG Encoding), which is what such pages hold.
_AS_1252 = {"ascii", "iso8859-1"}
# Python codecs that are no web encoding: their names in a page would rewrite its text.
_NOT_WEB = {"idna", "punycode", "unicode_escape", "raw_unicode_escape", "undefined", "utf-7"}


def media_type(header: str | None) -> tuple[str | None, str | None]:
    """The media type (lowercase, no parameters) and the charset parameter of a
    Content-Type header; (None, None) when there is none."""
    if not header or not header.strip():
        return None, None
    kind, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return kind.strip().lower(), charset


def sniff(body: bytes) -> str | None:
    """The type of a body served without a Content-Type: HTML when it starts like HTML, text
    when no byte is binary, else None (not a page)."""
    head = body[:1024]
    for bom, _ in _BOMS:
        if head.startswith(bom):
            return "text/plain"
    if head.startswith(_SIGNATURES):
        return None
    if _HTML_START.match(head.lstrip(b" \t\n\r\x0c")):
        return "text/html"
    return None if _BINARY.search(head) else "text/plain"


def decode(body: bytes, media: str, header_charset: str | None) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    declared: list[str | None] = [header_charset]
    if media != "text/plain":
        declared.append(_meta_charset(body[:META_WINDOW]))
    for label in declared:
        codec = _encoding(label)
        if codec is not None:
            return body.decode(codec, "replace")
    return body.decode("utf-8", "replace")


def _meta_charset(head: bytes) -> str | None:
    found = _META.search(head)
    if found is None:
        return None
    label = found.group(1).decode("ascii")
    # A page that says UTF-16 in ASCII bytes is not UTF-16 (the HTML prescan's rule).
    return "utf-8" if label.lower().startswith(("utf-16", "utf16")) else label


def _encoding(label: str | None) -> str | None:
    """Python's codec for a charset label, or None for a label it does not know."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
        b"".decode(name)  # raises for a codec that is not a text encoding (base64, zlib)
    except LookupError:
        return None
    if name in _NOT_WEB:
        return None
    return "cp1252" if name in _AS_1252 else name
