"""PDFs written by hand (objects, streams, a cross-reference table), so a test says exactly
what a page's text layer holds: lines of Helvetica text, or only a picture (a scan)."""

from __future__ import annotations

import zlib


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")  # WinAnsiEncoding: â and î, not ă, ș or ț
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(
    pages: list[list[str]],
    *,
    title: str | None = None,
    scanned: bool = False,
    deflate: bool = False,
) -> bytes:
    """Each page's lines, top to bottom (an empty string leaves a blank line); `scanned`:
    pages that hold only an image, no text; `deflate`: content streams compressed."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the pages' numbers are known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
    )
    kids = []
    for lines in pages:
        if scanned:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            shown = b" T* ".join(b"(" + _escape(line) + b") Tj" for line in lines)
            content = b"BT /F1 11 Tf 14 TL 72 740 Td " + shown + b" ET"
        extra = b""
        if deflate:
            content, extra = zlib.compress(content), b" /Filter /FlateDecode"
        stream = add(
            b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"
        )
        resources = b"<< /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >>" % (font, image)
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %s "
                b"/Contents %d 0 R >>" % (tree, resources, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    refs = b" ".join(b"%d 0 R" % k for k in kids)
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    info = add(b"<< /Title (" + _escape(title) + b") >>") if title else None

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    trailer += b" /Info %d 0 R >>" % info if info else b" >>"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
