"""EPUB books for the tests, written by hand as readers expect them (`mimetype` first and
stored): a sample with an EPUB 3 nav, an EPUB 2 NCX, chapters with inline tags, a picture
and a style sheet; and books of size n in chapters, in paragraphs and in manifest items."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from tests.support.spreadsheets import PICTURE

XHTML_11 = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
    '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
)
CSS = b"p { text-indent: 1em; }\n"
CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles></container>'
)


def page(title: str, body: str, doctype: str = XHTML_11) -> str:
    """An XHTML chapter, Romanian by its `lang`."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        'xml:lang="ro" lang="ro">\n'
        f'<head><title>{escape(title)}</title><link rel="stylesheet" href="style.css" '
        f'type="text/css"/></head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def book(
    chapters: list[tuple[str, str, str | bytes]],
    title: str = "Povești de seară",
    description: str | None = "O carte scurtă despre o casă.",
    extra: dict[str, bytes | str] | None = None,
    styles: int = 0,
) -> bytes:
    """`chapters`: (href, its label in the tables of contents, its XHTML). The book holds an
    EPUB 3 nav and an EPUB 2 NCX naming each chapter, a picture and a style sheet, and
    `styles` more style sheets, each a part the manifest lists."""
    items = "".join(
        f'<item id="c{i}" href="{href}" media-type="application/xhtml+xml"/>'
        for i, (href, _, _) in enumerate(chapters)
    ) + "".join(
        f'<item id="s{i}" href="css/s{i}.css" media-type="text/css"/>' for i in range(styles)
    )
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    about = f"<dc:description>{escape(description)}</dc:description>" if description else ""
    opf = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:uuid:roen-test</dc:identifier><dc:title>{escape(title)}'
        "</dc:title><dc:creator>Ion Creangă</dc:creator><dc:language>ro</dc:language>"
        f'{about}<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta></metadata>'
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" '
        'properties="nav"/><item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '<item id="css" href="style.css" media-type="text/css"/>'
        '<item id="pic" href="images/poza.png" media-type="image/png"/>'
        f'{items}</manifest><spine toc="ncx">{spine}</spine></package>'
    )
    points = "".join(
        f'<navPoint id="p{i}" playOrder="{i + 1}"><navLabel><text>{escape(label)}</text>'
        f'</navLabel><content src="{href}"/></navPoint>'
        for i, (href, label, _) in enumerate(chapters)
    )
    ncx = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" '
        '"http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        '<head><meta name="dtb:uid" content="urn:uuid:roen-test"/></head>'
        f"<docTitle><text>{escape(title)}</text></docTitle><navMap>{points}</navMap></ncx>"
    )
    links = "".join(f'<li><a href="{href}">{escape(label)}</a></li>' for href, label, _ in chapters)
    nav = page(
        "Cuprins",
        f'<nav epub:type="toc" id="toc"><h1>Cuprins</h1><ol>{links}</ol></nav>',
        "<!DOCTYPE html>",
    )
    parts: dict[str, bytes | str] = {
        "META-INF/container.xml": CONTAINER,
        "OEBPS/content.opf": opf,
        "OEBPS/toc.ncx": ncx,
        "OEBPS/nav.xhtml": nav,
        "OEBPS/style.css": CSS,
        "OEBPS/images/poza.png": PICTURE,
    }
    parts |= {"OEBPS/" + href.replace("%20", " "): xhtml for href, _, xhtml in chapters}
    parts |= {f"OEBPS/css/s{i}.css": CSS for i in range(styles)}
    parts |= extra or {}
    return pack(parts)


def pack(parts: dict[str, bytes | str]) -> bytes:
    """A zip with `mimetype` first and stored, then `parts`, compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        for name, data in parts.items():
            z.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


FIRST = page(
    "Capitolul unu",
    '<h1 id="c1">Capitolul unu</h1>\n'
    '<p class="start">O casă <em>roșie și mare</em> stă pe deal, vezi '
    '<a href="capitol%202.xhtml#sus">pagina următoare</a>.</p>\n'
    "<p>Primul rând<br/>al doilea rând.</p>\n"
    '<p><img src="images/poza.png" alt="O poză"/></p>\n'
    "<p>Prețul este 12,5 lei &amp; ceva.</p>",
)
SECOND = page(
    "Capitolul doi",
    '<h2 id="sus">Capitolul doi</h2>\n<p>Grădina are <b>flori albe</b> și pomi.</p>\n'
    "<pre>cod neatins</pre>",
)


def sample_epub() -> bytes:
    """Two chapters (one with a space in its name) with emphasis, a link, a line break, a
    picture and a code block; a nav, an NCX, a title and a description."""
    return book(
        [("capitol1.xhtml", "Capitolul unu", FIRST), ("capitol%202.xhtml", "Capitolul doi", SECOND)]
    )


def epub_chapters(n: int) -> bytes:
    """n chapters of two short paragraphs each."""
    return book(
        [
            (
                f"c{i}.xhtml",
                f"Capitolul {i}",
                page(f"Capitolul {i}", f"<p>Textul {i} are <em>cuvinte</em>.</p><p>Final {i}.</p>"),
            )
            for i in range(n)
        ]
    )


def epub_manifest(n: int) -> bytes:
    """A chapter, and n style sheets the manifest lists."""
    return book([("c.xhtml", "Capitolul", page("Capitolul", "<p>Un text.</p>"))], styles=n)


def epub_paragraphs(n: int) -> bytes:
    """One chapter of n paragraphs."""
    body = "\n".join(f"<p>Paragraful {i} are <b>text</b> scurt.</p>" for i in range(n))
    return book([("c.xhtml", "Capitolul", page("Capitolul", body))])
