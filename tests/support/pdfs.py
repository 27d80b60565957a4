"""PDFs written by hand (objects, streams, a cross-reference table), so a test says exactly
what a page's text layer holds: lines of Helvetica text, or only a picture (a scan); and
how it is drawn: a page's own content stream, one stream every page shares, or a form
(an XObject) each page draws."""

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
    padding: int = 0,
    shared: bool = False,
    draws: int = 0,
) -> bytes:
    """Each page's lines, top to bottom (an empty string leaves a blank line); `scanned`:
    pages that hold only an image, no text; `deflate`: content streams compressed;
    `padding`: that many empty graphics operators (`q Q`) after a page's text (content
    that costs parsing and shows nothing); `shared`: every page shows the first page's
    content stream (one object); `draws`: each page's content is a form XObject the page
    draws that many times (`/Fm1 Do`), and not its own stream."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(content: bytes, entries: bytes = b"") -> int:
        extra = b""
        if deflate:
            content, extra = zlib.compress(content), b" /Filter /FlateDecode"
        return add(
            b"<<%s /Length %d%s >>\nstream\n" % (entries, len(content), extra)
            + content
            + b"\nendstream"
        )

    catalog = add(b"")  # filled in below, once the pages' numbers are known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
    )
    fonts = b"/Font << /F1 %d 0 R >>" % font
    kids = []
    first = 0  # the first page's content stream, when every page shares it
    for lines in pages:
        if scanned:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            shown = b" T* ".join(b"(" + _escape(line) + b") Tj" for line in lines)
            content = b"BT /F1 11 Tf 14 TL 72 740 Td " + shown + b" ET" + b" q Q" * padding
        xobjects = b"/Im1 %d 0 R" % image
        if draws:
            form = stream(
                content,
                b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << %s >>" % fonts,
            )
            content, xobjects = b" ".join([b"/Fm1 Do"] * draws), xobjects + b" /Fm1 %d 0 R" % form
        contents = first or stream(content)
        first = contents if shared else 0
        resources = b"<< %s /XObject << %s >> >>" % (fonts, xobjects)
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %s "
                b"/Contents %d 0 R >>" % (tree, resources, contents)
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
