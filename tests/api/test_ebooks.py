"""EPUB books through the API: every chapter, the tables of contents, the title and the
description in English, every tag of a chapter kept and each inline one on the words that
translate it; pictures, styles and the package's order untouched, and the book still opens
(ebooklib) with each chapter well-formed XML. Damaged and hostile books are refused with a
reason; every part read counts once towards the book's caps, whatever its name; the work
grows linearly in chapters, in paragraphs and in manifest items."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from ebooklib import ITEM_DOCUMENT, epub
from lxml import etree

from service.documents.budget import Budget, DocumentCaps
from service.documents.formats import FORMATS
from service.errors import LimitExceeded
from tests.support import ebooks
from tests.support.direct import UNCAPPED, assert_linear, translate_directly
from tests.support.documents import refused_at_once
from tests.support.fakes import WordMark

_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
_H = "{http://www.w3.org/1999/xhtml}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def send(client, data: bytes, name: str = "carte.epub"):
    return client.post(
        "/v1/translate/file", files={"file": (name, data, "application/octet-stream")}
    )


def _words(text: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", text))


def _text(element: Any) -> str:
    return "".join(element.itertext())


@pytest.mark.parametrize("reverse", [False, True])
def test_epub_keeps_every_tag_the_tables_of_contents_title_and_pictures(
    make_client, tmp_path: Path, reverse
):
    source = ebooks.sample_epub()
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, source)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".epub"].media_type

    def turn(*words: str) -> str:
        return " ".join(reversed(words) if reverse else words)

    out, src = zipfile.ZipFile(io.BytesIO(r.content)), zipfile.ZipFile(io.BytesIO(source))
    first = out.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert out.read("mimetype") == b"application/epub+zip"
    assert out.namelist() == src.namelist()
    for name in ("OEBPS/images/poza.png", "OEBPS/style.css", "META-INF/container.xml"):
        assert out.read(name) == src.read(name), name

    chapter = etree.fromstring(out.read("OEBPS/capitol1.xhtml"))  # well-formed XML still
    assert chapter.get("lang") == chapter.get(_XML_LANG) == "en"
    assert _text(chapter.find(f"{_H}head/{_H}title")) == turn("Capitolul-en", "unu-en")
    heading, lead, lines, picture, price = chapter.find(f"{_H}body")
    assert heading.get("id") == "c1" and _text(heading) == turn("Capitolul-en", "unu-en")
    (em,) = lead.findall(f"{_H}em")
    assert _words(_text(em)) == ["mare", "roșie", "și"]  # the emphasis on its own words
    (link,) = lead.findall(f"{_H}a")
    assert link.get("href") == "capitol%202.xhtml#sus"
    assert _text(link) == turn("pagina-en", "următoare-en")
    assert lead.get("class") == "start"
    assert _words(_text(lead)) == _words("O casă roșie și mare stă pe deal, vezi pagina următoare.")
    (br,) = lines  # a line break stays a self-closed element between its two sentences
    assert lines.text == turn("Primul-en", "rând-en") and br.tail.startswith(
        turn("al-en", "doilea-en", "rând-en")
    )
    (img,) = picture
    assert img.attrib == {"src": "images/poza.png", "alt": "O poză"}
    assert "12,5" in _text(price) and "&" in _text(price)

    second = etree.fromstring(out.read("OEBPS/capitol 2.xhtml"))
    assert second.find(f".//{_H}b").text == turn("flori-en", "albe-en")
    assert second.find(f".//{_H}pre").text == "cod neatins"  # code is never translated

    nav = etree.fromstring(out.read("OEBPS/nav.xhtml"))
    labels = [_text(a) for a in nav.iter(f"{_H}a")]
    assert labels == [turn("Capitolul-en", "unu-en"), turn("Capitolul-en", "doi-en")]
    ncx = etree.fromstring(out.read("OEBPS/toc.ncx"))
    assert [t.text for t in ncx.iter(f"{_NCX}text")] == [
        turn("Povești-en", "de-en", "seară-en"),
        turn("Capitolul-en", "unu-en"),
        turn("Capitolul-en", "doi-en"),
    ]
    assert b"<!DOCTYPE ncx PUBLIC" in out.read("OEBPS/toc.ncx")

    path = tmp_path / "carte.en.epub"
    path.write_bytes(r.content)
    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == turn("Povești-en", "de-en", "seară-en")
    assert book.get_metadata("DC", "language")[0][0] == "en"
    assert book.get_metadata("DC", "creator")[0][0] == "Ion Creangă"  # a name: kept
    description = book.get_metadata("DC", "description")[0][0]
    assert _words(description) == _words("O carte scurtă despre o casă.")
    every = [description]
    for item in book.get_items_of_type(ITEM_DOCUMENT):
        root = etree.fromstring(item.get_content())  # every chapter parses as XML
        for pre in root.iter(f"{_H}pre"):
            pre.getparent().remove(pre)
        every.append(_text(root.find(f"{_H}body")) + _text(root.find(f"{_H}head")))
    assert len(every) == 4
    assert not any(_UNMARKED.search(t) for t in every), every  # every word translated


def test_a_chapter_stays_well_formed_whatever_markup_comes_back():
    """Should the HTML path ever return a chapter whose tags do not nest, it is rebuilt as
    well-formed XML, its text kept."""

    async def unnested(parts: list[str]) -> list[str]:
        return [p.replace("</em>", "") for p in parts]

    broken = translate_directly(".epub", ebooks.sample_epub(), markup=unnested)
    with zipfile.ZipFile(io.BytesIO(broken)) as out:
        chapter = etree.fromstring(out.read("OEBPS/capitol1.xhtml"))
        assert "pagina următoare" in _text(chapter)
        assert "lei & ceva" in _text(chapter)
        assert chapter.find(f".//{_H}br") is not None


def _with(name: str, content: bytes | str) -> bytes:
    """The sample book with part `name` replaced (or added)."""
    parts: dict[str, bytes | str] = {}
    with zipfile.ZipFile(io.BytesIO(ebooks.sample_epub())) as src:
        for entry in src.infolist()[1:]:
            parts[entry.filename] = src.read(entry)
    parts[name] = content
    if name == "META-INF/container.xml" and not content:
        del parts[name]
    return ebooks.pack(parts)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (ebooks.sample_epub()[:1_500], "damaged"),
        (b"PK\x03\x04 nu e zip", "damaged"),
        (_with("META-INF/container.xml", ""), "names no package document"),
        (_with("OEBPS/capitol1.xhtml", "<html><body><p>Neînchis</body></html>"), "damaged"),
        (_with("OEBPS/content.opf", b"<package/>"), "damaged"),
        (_with("OEBPS/toc.ncx", b"\xff\xfe nu e XML"), "damaged"),
    ],
)
def test_a_damaged_book_is_a_422_with_a_reason(make_client, data, words):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        r = send(c, data)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]


def _laughs(root: str, depth: int) -> str:
    entities = "".join(f'<!ENTITY e{i + 1} "{f"&e{i};" * 10}">' for i in range(depth))
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY e0 "haha">{entities}]>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        f"<p>Bună &e{depth}; ziua.</p></body></html>"
    )


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("OEBPS/capitol1.xhtml", _laughs("html", 9), "damaged"),  # libxml2's own guard
        ("OEBPS/capitol1.xhtml", _laughs("html", 1), "DOCTYPE"),
        ("OEBPS/toc.ncx", _laughs("ncx", 1), "DOCTYPE"),
        # a `>` in the DTD's name does not hide the entities after it
        ("OEBPS/capitol1.xhtml", _laughs('html SYSTEM "a>b"', 1), "DOCTYPE"),
    ],
)
def test_an_entity_trick_is_never_expanded(make_client, name, content, words):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        refused_at_once(c, "carte.epub", _with(name, content), 422, words)


@pytest.mark.parametrize(
    ("build", "size"),
    [
        (ebooks.epub_chapters, 300),
        (ebooks.epub_paragraphs, 3_000),
        (ebooks.epub_manifest, 8_000),  # each item looked up in the package once
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_a_dimension_at_most_doubles_the_work(build, size):
    assert_linear(lambda data: translate_directly(".epub", data), build(size), build(2 * size))


@pytest.mark.parametrize(
    ("data", "settings", "setting"),
    [
        (ebooks.epub_paragraphs(2_000), {"max_document_pieces": 1_000}, "ROEN_MAX_DOCUMENT_PIECES"),
        (ebooks.epub_chapters(400), {"max_document_pieces": 1_000}, "ROEN_MAX_DOCUMENT_PIECES"),
        # the chapters' text is counted as it occurs, by the reader: 100 short paragraphs
        (ebooks.epub_paragraphs(100), {"max_chars": 1_000}, "ROEN_MAX_CHARS"),
    ],
)
def test_a_book_over_a_cap_is_refused_at_once_naming_it(make_client, data, settings, setting):
    with make_client(**settings) as c:
        refused_at_once(c, "carte.epub", data, 413, setting)


def _padded(chapters: int, suffix: str, padding: str) -> bytes:
    """Chapters named `c<n><suffix>`, each a sentence and `padding` in a comment (bytes and
    `<`s the caps count, and no text)."""
    return ebooks.book(
        [
            (
                f"c{i}{suffix}",
                f"Capitolul {i}",
                ebooks.page(f"Capitolul {i}", f"<p>Capitolul {i}.</p><!-- {padding} -->"),
            )
            for i in range(chapters)
        ]
    )


@pytest.mark.parametrize("suffix", [".xhtml", ".parte"])
@pytest.mark.parametrize(
    ("padding", "settings", "setting"),
    [
        (
            "x" * 50_000,
            {"max_document_unpacked_bytes": 1 << 20},
            "ROEN_MAX_DOCUMENT_UNPACKED_BYTES",
        ),
        ("<" * 5_000, {"max_document_tags": 100_000}, "ROEN_MAX_DOCUMENT_TAGS"),
    ],
    ids=["bytes", "tags"],
)
def test_every_chapter_counts_once_towards_the_books_caps_whatever_its_name(
    make_client, suffix, padding, settings, setting
):
    """12 chapters of 50 KB (or 5,000 `<`) fit in 1 MiB (100,000 tags): each is counted once;
    24 do not, though each one alone would, however the chapters are named."""
    with make_client(backend=WordMark(), rate_limit_per_minute=0, **settings) as c:
        fits, over = send(c, _padded(12, suffix, padding)), send(c, _padded(24, suffix, padding))
    assert fits.status_code == 200, fits.text
    assert over.status_code == 413, over.text
    assert setting in over.json()["detail"]


def test_the_chapters_text_is_counted_as_it_is_read_before_any_translation():
    """The reader counts the text its chapters show (Format.counts_text stays True)."""

    async def never(parts: list[str]) -> list[str]:
        raise AssertionError("nothing over a cap may reach translation")

    capped = Budget(DocumentCaps(max_chars=1_000))
    with pytest.raises(LimitExceeded, match="ROEN_MAX_CHARS"):
        translate_directly(".epub", ebooks.epub_paragraphs(100), markup=never, budget=capped)
    counted = Budget(UNCAPPED)
    translate_directly(".epub", ebooks.epub_paragraphs(10), budget=counted)
    shown = 10 * len("Paragraful 0 are text scurt.") + 2 * len("Capitolul")  # + nav, title
    assert shown <= counted.chars < shown + 200


def test_a_description_written_in_html_stays_html_and_a_utf16_chapter_stays_utf16(make_client):
    chapter = ebooks.page("Capitolul", "<p>O frază <i>scurtă</i>.</p>").replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )
    data = ebooks.book(
        [("c.xhtml", "Capitolul", chapter.encode("utf-16"))],
        description="<p>O carte <b>mică</b>.</p>",
    )
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        r = send(c, data)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as out:
        raw = out.read("OEBPS/c.xhtml")
        opf = etree.fromstring(out.read("OEBPS/content.opf"))
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert etree.fromstring(raw).find(f".//{_H}i").text == "scurtă-en"
    (description,) = opf.iter("{http://purl.org/dc/elements/1.1/}description")
    assert description.text == "<p>O-en carte-en <b>mică-en</b>.</p>"
