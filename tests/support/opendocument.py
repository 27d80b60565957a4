"""OpenDocument files written by hand (zipfile and XML text, no ODF library): a text
document and a presentation with what a translation must keep, and documents of size n for
the cost tests."""

from __future__ import annotations

import io
import zipfile

ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
_XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # not a real picture: kept byte for byte
_AUTOMATIC = (
    "<office:automatic-styles>"
    '<style:style style:name="T1" style:family="text">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    '<style:style style:name="T2" style:family="text">'
    '<style:text-properties fo:font-style="italic"/></style:style>'
    "</office:automatic-styles>"
)

ODT_BODY = (
    '<text:h text:style-name="Heading_20_1" text:outline-level="1">Titlul documentului</text:h>'
    '<text:p>O <text:span text:style-name="T1">casă roșie</text:span> și mare, vezi '
    '<text:a xlink:type="simple" xlink:href="https://ex.ro/detalii">pagina noastră</text:a>.'
    "</text:p>"
    '<text:p>Primul<text:tab/>rând<text:line-break/>al doilea<text:s text:c="3"/>rând.</text:p>'
    '<text:p>Un text cu notă<text:note text:id="ftn1" text:note-class="footnote">'
    "<text:note-citation>1</text:note-citation><text:note-body>"
    "<text:p>Nota de subsol aici.</text:p></text:note-body></text:note> la sfârșit.</text:p>"
    '<text:p>O imagine <draw:frame draw:name="Imagine1" text:anchor-type="as-char" '
    'svg:width="1cm" svg:height="1cm"><draw:image xlink:href="Pictures/poza.png" '
    'xlink:type="simple"/><svg:title>Poza casei</svg:title></draw:frame> în rând.</text:p>'
    '<table:table table:name="Tabel1"><table:table-column table:number-columns-repeated="2"/>'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Celula unu</text:p>'
    '</table:table-cell><table:table-cell office:value-type="float" office:value="42">'
    "<text:p>42</text:p></table:table-cell></table:table-row></table:table>"
    "<text:list><text:list-item><text:p>Primul element</text:p></text:list-item>"
    '<text:list-item><text:p>Al doilea <text:span text:style-name="T2">element frumos</text:span>'
    "</text:p></text:list-item></text:list>"
    '<text:p><draw:frame draw:name="Caseta" text:anchor-type="paragraph"><draw:text-box>'
    "<text:p>Text în casetă</text:p></draw:text-box></draw:frame></text:p>"
    "<text:p/>"
)
ODT_HEADER = (
    "<style:header><text:p>Antet de pagină</text:p></style:header>"
    "<style:footer><text:p>Pagina <text:page-number>1</text:page-number></text:p></style:footer>"
)

ODP_PAGES = (
    '<draw:page draw:name="pagina1" draw:master-page-name="Implicit">'
    '<draw:frame presentation:class="title"><draw:text-box>'
    "<text:p>Titlul prezentării</text:p></draw:text-box></draw:frame>"
    '<draw:frame presentation:class="outline"><draw:text-box><text:list><text:list-item>'
    '<text:p>Un punct <text:span text:style-name="T1">foarte important</text:span> aici</text:p>'
    "</text:list-item></text:list></draw:text-box></draw:frame>"
    '<draw:custom-shape draw:name="Forma"><text:p>Text în formă</text:p>'
    '<draw:enhanced-geometry draw:type="rectangle"/></draw:custom-shape>'
    '<draw:frame draw:name="Imagine"><draw:image xlink:href="Pictures/poza.png"/></draw:frame>'
    '<draw:frame draw:name="Tabel"><table:table><table:table-row><table:table-cell>'
    "<text:p>Celulă de tabel</text:p></table:table-cell></table:table-row></table:table>"
    "</draw:frame>"
    '<presentation:notes><draw:page-thumbnail draw:page-number="1"/>'
    '<draw:frame presentation:class="notes"><draw:text-box>'
    "<text:p>Notițele vorbitorului</text:p></draw:text-box></draw:frame></presentation:notes>"
    "</draw:page>"
)
# A presentation's master page: its prompt is not the presentation's text.
ODP_MASTER = (
    '<draw:frame presentation:class="title" presentation:placeholder="true"><draw:text-box>'
    "<text:p>Faceți clic pentru a edita titlul</text:p></draw:text-box></draw:frame>"
)


def odf(
    body: str,
    *,
    kind: str = "text",
    master: str = "",
    title: str = "",
    doctype: str = "",
) -> bytes:
    """An .odt (`kind="text"`) or .odp (`kind="presentation"`) whose body holds `body`,
    whose master page holds `master`, with a title in its metadata and a picture."""
    media = ODT if kind == "text" else ODP
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<office:document-content {_XMLNS} office:version="1.3">{_AUTOMATIC}'
        f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
        "</office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_XMLNS} '
        'office:version="1.3"><office:master-styles><style:master-page style:name="Standard">'
        f"{master}</style:master-page></office:master-styles></office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_XMLNS} '
        f'office:version="1.3"><office:meta><meta:generator>roen tests</meta:generator>'
        f"{f'<dc:title>{title}</dc:title>' if title else ''}</office:meta></office:document-meta>"
    )
    files = ("content.xml", "styles.xml", "meta.xml", "Pictures/poza.png")
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="'
        f'{"image/png" if name.endswith(".png") else "text/xml"}"/>'
        for name in files
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media}"/>'
        f"{entries}</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), media, zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("styles.xml", styles)
        z.writestr("meta.xml", meta)
        z.writestr("Pictures/poza.png", PICTURE, zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()


def sample_odt() -> bytes:
    """A heading; a paragraph with a bold span and a link; tabs, a line break and spaces;
    a footnote; a picture in a line; a table with a number; a list; a text box; a header
    and a footer with a page number; a title."""
    return odf(ODT_BODY, master=ODT_HEADER, title="Raport anual")


def sample_odp() -> bytes:
    """A slide with a title, a list with a bold span, a shape, a picture, a table and
    speaker notes; its master page's prompt; a title."""
    return odf(ODP_PAGES, kind="presentation", master=ODP_MASTER, title="Prezentare")


# --- documents of size n (the cost tests) -------------------------------------------------
def odt_paragraphs(n: int) -> bytes:
    return odf("".join(f"<text:p>Paragraful numărul {i} al textului.</text:p>" for i in range(n)))


def odt_spans(n: int) -> bytes:
    """One paragraph of n spans."""
    spans = "".join(f'<text:span text:style-name="T1">cuvânt{i} </text:span>' for i in range(n))
    return odf(f"<text:p>Început {spans}sfârșit.</text:p>")


def odt_cells(n: int) -> bytes:
    """One table row of n cells."""
    cells = "".join(
        f"<table:table-cell><text:p>Celula {i}</text:p></table:table-cell>" for i in range(n)
    )
    return odf(f"<table:table><table:table-row>{cells}</table:table-row></table:table>")


def odt_notes(n: int) -> bytes:
    """One paragraph with n footnotes."""
    notes = "".join(
        f'Fraza {i}<text:note text:id="n{i}" text:note-class="footnote"><text:note-citation>'
        f"{i}</text:note-citation><text:note-body><text:p>Nota {i}.</text:p></text:note-body>"
        "</text:note>. "
        for i in range(n)
    )
    return odf(f"<text:p>{notes}</text:p>")


def odp_slides(n: int) -> bytes:
    page = (
        '<draw:page draw:name="p{i}"><draw:frame><draw:text-box><text:p>Diapozitivul {i}'
        "</text:p></draw:text-box></draw:frame></draw:page>"
    )
    return odf("".join(page.format(i=i) for i in range(n)), kind="presentation")
