"""OpenDocument text (.odt) and presentations (.odp) in, the same documents in English out:
checked word by word with the fake that marks every word (`casă` → `casă-en`), reversed too
(so that a span must follow its words); what is not text comes back exactly as it was; a
damaged file is a 422, an entity trick is never expanded, the work is linear and capped."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from lxml import etree

from service.documents.budget import Budget
from service.documents.formats import FORMATS
from tests.support.direct import UNCAPPED, assert_linear, translate_directly
from tests.support.fakes import WordMark
from tests.support.opendocument import (
    NS,
    PICTURE,
    odf,
    odp_slides,
    odt_cells,
    odt_notes,
    odt_paragraphs,
    odt_spans,
    sample_odp,
    sample_odt,
)

Element = Any  # lxml's element type (its class name is private)
_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
T = f"{{{NS['text']}}}"
# What a paragraph's own words are held in (a note's, a frame's words are their own).
_WRAPS = {T + "span", T + "a"}


@pytest.fixture
def client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def send(client, name: str, data: bytes):
    return client.post(
        "/v1/translate/file", files={"file": (name, data, "application/octet-stream")}
    )


def translated(make_client, reverse: bool, name: str, data: bytes) -> bytes:
    """The file in English through the API (with the words of each sentence reversed, when
    `reverse`), checked to be the same kind of document."""
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, name, data)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[name[-4:]].media_type
    return r.content


def parts(data: bytes) -> dict[str, Element]:
    package = zipfile.ZipFile(io.BytesIO(data))
    return {n: etree.fromstring(package.read(n)) for n in ("content.xml", "styles.xml", "meta.xml")}


def own_text(element: Element) -> str:
    """A paragraph's own words: its spans' and links' too, not those of what it holds."""
    out = [element.text or ""]
    for child in element:
        if child.tag in _WRAPS:
            out.append(own_text(child))
        elif child.tag in (T + "s", T + "tab", T + "line-break"):
            out.append(" ")
        out.append(child.tail or "")
    return "".join(out)


def words(text: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", text))


def paragraphs(root: Element) -> list[Element]:
    return list(root.iter(T + "p", T + "h"))


def assert_each_word_once(source: bytes, english: bytes, part: str = "content.xml") -> None:
    """Every paragraph: every word translated, each exactly once, none from elsewhere."""
    before, after = paragraphs(parts(source)[part]), paragraphs(parts(english)[part])
    assert len(before) == len(after)
    for a, b in zip(before, after, strict=True):
        assert words(own_text(a)) == words(own_text(b)), (own_text(a), own_text(b))
        assert not _UNMARKED.search(own_text(b)), own_text(b)


@pytest.mark.parametrize("reverse", [False, True])
def test_odt_keeps_spans_links_notes_tables_lists_frames_and_headers(make_client, reverse):
    source = sample_odt()
    english = translated(make_client, reverse, "raport.odt", source)
    content, styles, meta = parts(english).values()
    heading, body, lines, noted, _note, pictured, *_ = paragraphs(content)
    assert heading.tag == T + "h" and heading.text.count("-en") == 2
    (bold,) = body.iter(T + "span")
    assert bold.get(T + "style-name") == "T1"
    assert bold.text == ("roșie-en casă-en" if reverse else "casă-en roșie-en")
    (link,) = body.iter(T + "a")
    assert link.get(q("xlink", "href")) == "https://ex.ro/detalii"
    assert link.text == ("noastră-en pagina-en" if reverse else "pagina-en noastră-en")
    # a tab and a line break stay between the words they were between
    assert [c.tag for c in lines] == [T + "tab", T + "line-break"]
    assert lines.text == "Primul-en" and lines[0].tail == "rând-en"
    # the note is still in its paragraph, its number as it was, its own words translated
    (note,) = noted.iter(T + "note")
    assert note.getparent() is noted and note.get(T + "id") == "ftn1"
    assert note.find(T + "note-citation").text == "1"
    (inner,) = note.iter(T + "p")
    assert words(inner.text) == words("Nota de subsol aici.") and "Nota-en" in inner.text
    # the picture's frame, byte for byte (its title too: a frame is not text)
    (frame,) = pictured.iter(q("draw", "frame"))
    was = next(parts(source)["content.xml"].iter(q("draw", "frame")))
    frame.tail = was.tail = None
    assert etree.tostring(frame) == etree.tostring(was)
    cells = [c.findtext(T + "p") for c in content.iter(q("table", "table-cell"))]
    assert cells == [("unu-en Celula-en" if reverse else "Celula-en unu-en"), "42"]
    items = [own_text(i.find(T + "p")) for i in content.iter(q("text", "list-item"))]
    assert items[0] in ("Primul-en element-en", "element-en Primul-en")
    _, italic = content.iter(T + "span")
    assert italic.get(T + "style-name") == "T2" and "element-en" in italic.text
    (box,) = [p for p in paragraphs(content) if "casetă" in own_text(p)]
    assert box.getparent().tag == q("draw", "text-box")
    header, footer = paragraphs(styles)
    assert words(header.text) == words("Antet de pagină") and header.text.count("-en") == 3
    assert footer.find(T + "page-number").text == "1" and "Pagina-en" in own_text(footer)
    assert meta.findtext(".//" + q("dc", "title")) in ("Raport-en anual-en", "anual-en Raport-en")
    assert_each_word_once(source, english)
    assert_each_word_once(source, english, "styles.xml")


@pytest.mark.parametrize("reverse", [False, True])
def test_odp_keeps_slides_shapes_tables_and_speaker_notes(make_client, reverse):
    source = sample_odp()
    english = translated(make_client, reverse, "curs.odp", source)
    content = parts(english)["content.xml"]
    title, _, shape, cell, notes = (own_text(p) for p in paragraphs(content))
    assert words(title) == words("Titlul prezentării") and title.count("-en") == 2
    (bold,) = content.iter(T + "span")
    assert bold.text == ("important-en foarte-en" if reverse else "foarte-en important-en")
    assert shape.count("-en") == 3 and cell.count("-en") == 3
    (speaker,) = content.iter(q("presentation", "notes"))
    assert "Notițele-en" in "".join(speaker.itertext()) and notes.count("-en") == 2
    assert_each_word_once(source, english)
    # the master page's prompt is not the presentation's text: its part is as it was
    package, was = (zipfile.ZipFile(io.BytesIO(d)) for d in (english, source))
    assert package.read("styles.xml") == was.read("styles.xml")


@pytest.mark.parametrize("build", [sample_odt, sample_odp])
def test_the_package_keeps_its_other_parts_and_its_mimetype_first(client, build):
    source = build()
    r = send(client, "a.odt" if build is sample_odt else "a.odp", source)
    assert r.status_code == 200, r.text
    out, was = (zipfile.ZipFile(io.BytesIO(d)) for d in (r.content, source))
    first = out.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert out.read("mimetype") == was.read("mimetype")
    assert out.read("Pictures/poza.png") == PICTURE
    assert out.read("META-INF/manifest.xml") == was.read("META-INF/manifest.xml")
    assert out.namelist() == was.namelist()


def test_a_document_with_no_words_comes_back_as_it_came(client):
    source = odf("<text:p>42</text:p><text:p>  <text:tab/> 3,14</text:p>")
    r = send(client, "cifre.odt", source)
    assert r.status_code == 200 and r.content == source


def _zip(**files: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name.replace("_", "."), text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words_"),
    [
        (sample_odt()[:400], "cannot be read"),  # truncated
        (b"PK\x03\x04 nu e zip", "cannot be read"),
        (b"", "cannot be read"),
        (_zip(mimetype="application/vnd.oasis.opendocument.text"), "no content.xml"),
        (_zip(content_xml="<office:document-content>nu e XML"), "cannot be read"),
        (_zip(content_xml="<html><body><p>Pagină</p></body></html>"), "not an OpenDocument"),
    ],
    ids=["truncated", "not-a-zip", "empty", "no-content", "bad-xml", "not-odf"],
)
def test_a_damaged_file_is_a_422_with_a_reason(client, data, words_):
    for name in ("a.odt", "a.odp"):
        r = send(client, name, data)
        assert r.status_code == 422, r.text
        assert words_ in r.json()["detail"]


async def _with_control_characters(parts: list[str]) -> list[str]:
    """A "translation" that brings \x01 (before a span, inside it) and \ufffe."""
    return [p.replace("casă", "casă\x01").replace("roșie", "ro\ufffeșie") for p in parts]


def test_a_control_character_the_translation_brings_is_dropped():
    """XML cannot hold it: it goes, and the words and the span stay."""
    source = odf('<text:p>O casă <text:span text:style-name="T1">roșie</text:span> mare.</text:p>')
    out = translate_directly(".odt", source, markup=_with_control_characters)
    (paragraph,) = paragraphs(parts(out)["content.xml"])
    assert own_text(paragraph) == "O casă roșie mare."
    assert paragraph.find(T + "span").text == "roșie"


def _laughs(levels: int) -> str:
    """A DOCTYPE whose entity `&lolN;` expands to 10**N times "lol"."""
    entities = "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "lol") * 10}">'
        for i in range(1, levels + 1)
    )
    return f"<!DOCTYPE office:document-content [{entities}]>"


def test_a_billion_laughs_is_never_expanded(client):
    bomb = odf("<text:p>Râsete &lol9; aici.</text:p>", doctype=_laughs(9))
    r = send(client, "a.odt", bomb)
    # libxml2 refuses the amplification outright: a 422 (or a cap), never a 500
    assert r.status_code in (413, 422), r.text
    small = odf("<text:p>Râsete &lol3; aici.</text:p>", doctype=_laughs(3))
    r = send(client, "a.odt", small)
    assert r.status_code == 200, r.text
    content = zipfile.ZipFile(io.BytesIO(r.content)).read("content.xml").decode()
    assert "&lol3;" in content and "lol" * 20 not in content  # kept as a reference
    assert "Râsete-en" in content and "aici-en" in content


# --- cost ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("suffix", "build", "size"),
    [
        (".odt", odt_paragraphs, 3_000),
        (".odt", odt_spans, 3_000),
        (".odt", odt_cells, 3_000),
        (".odt", odt_notes, 1_500),
        (".odp", odp_slides, 2_000),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_a_dimension_at_most_doubles_the_work(suffix, build, size):
    assert_linear(lambda data: translate_directly(suffix, data), build(size), build(2 * size))


def test_each_paragraph_is_walked_once_its_notes_on_their_own():
    budget = Budget(UNCAPPED)
    translate_directly(".odt", odt_notes(10), budget=budget)
    # the outer paragraph and its 10 notes (inline, kept), then each note's paragraph
    assert budget.pieces == 1 + 10 + 10


def test_a_document_over_the_pieces_cap_is_refused_naming_it(make_client):
    with make_client(max_document_pieces=1_000) as c:
        for name, data in (("a.odt", odt_paragraphs(1_200)), ("a.odp", odp_slides(1_200))):
            r = send(c, name, data)
            assert r.status_code == 413, r.text
            assert "ROEN_MAX_DOCUMENT_PIECES" in r.json()["detail"]
        r = send(c, "a.odt", odt_spans(1_200))  # one paragraph: its spans count
        assert r.status_code == 413 and "ROEN_MAX_DOCUMENT_PIECES" in r.json()["detail"]
