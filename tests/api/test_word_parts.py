"""Word's other stories: footnotes, endnotes, comments and text boxes (a drawing's and its
VML fallback's copy, in the body, a header and a note) come back translated word by word,
each run's formatting on its own words, each note's mark and id where it was; walked once
each, linearly, and counted against the document's caps (a text box's two copies' text
once). Text held in content controls, custom XML, smart tags and tracked insertions is
translated inside them; a tracked deletion's is not; a comment in a run is kept."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from typing import Any

import docx
import pytest
from lxml import etree

from service.documents.budget import Budget
from service.documents.formats import FORMATS
from tests.support.direct import UNCAPPED, assert_linear, translate_directly
from tests.support.documents import refused_at_once
from tests.support.fakes import WordMark

_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": _MAIN}
_XMLNS = {
    "w": _MAIN,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
}
DECLARE = " ".join(f'xmlns:{k}="{v}"' for k, v in _XMLNS.items())
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# part file → (its root element, its content type's and relationship's name)
_PARTS = {
    "header1.xml": ("hdr", "header"),
    "footnotes.xml": ("footnotes", "footnotes"),
    "endnotes.xml": ("endnotes", "endnotes"),
    "comments.xml": ("comments", "comments"),
}
_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]+)(?!-en|[\w-])")
_WORD = re.compile(r"[^\W\d_]+(?:-en)*")


def package(body: str, parts: dict[str, str]) -> bytes:
    """A Word package: `body` inside <w:body>, and each of `parts` (a file name of _PARTS →
    the XML inside its root element), related to the document."""
    overrides = "".join(
        f'<Override PartName="/word/{name}" ContentType="{_CT}.{_PARTS[name][1]}+xml"/>'
        for name in parts
    )
    rels = "".join(
        f'<Relationship Id="rP{i}" Type="{_REL}/{_PARTS[name][1]}" Target="{name}"/>'
        for i, name in enumerate(parts)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{_CT}.document.main+xml"/>'
            f"{overrides}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "word/_rels/document.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        z.writestr(
            "word/document.xml", f"<w:document {DECLARE}><w:body>{body}</w:body></w:document>"
        )
        for name, xml in parts.items():
            z.writestr(
                f"word/{name}", f"<w:{_PARTS[name][0]} {DECLARE}>{xml}</w:{_PARTS[name][0]}>"
            )
    return out.getvalue()


def run(text: str, props: str = "") -> str:
    props = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def mark(element: str, style: str) -> str:
    """A run holding no text: a note's reference or its own number."""
    return f'<w:r><w:rPr><w:rStyle w:val="{style}"/></w:rPr><w:{element}/></w:r>'


def text_box(inner: str, drawing: bool = True) -> str:
    """A run holding a text box of `inner` paragraphs: as Word writes one, a DrawingML shape
    with a VML copy for older readers (mc:AlternateContent), or the VML shape alone."""
    vml = (
        '<w:pict><v:shape type="#_x0000_t202" style="width:100pt;height:40pt">'
        f"<v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict>"
    )
    if not drawing:
        return f"<w:r>{vml}</w:r>"
    shape = (
        '<wp:inline><wp:extent cx="1270000" cy="508000"/><wp:docPr id="1" name="Caseta"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        f'wordprocessingShape"><wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent>'
        "</wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline>"
    )
    return (
        f'<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{shape}</w:drawing>'
        f"</mc:Choice><mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


def paragraph(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def cell_table(text: str) -> str:
    return f"<w:tbl><w:tr><w:tc>{paragraph(run(text))}</w:tc></w:tr></w:tbl>"


SEPARATORS = (
    '<w:{0} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{0}>'
    '<w:{0} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:{0}>"
)


def notes_docx() -> bytes:
    """A body paragraph with a bold run, a footnote's, an endnote's and a comment's marks; a
    body paragraph holding a text box (italic run, a table) in both its copies; a header with
    a text box; a footnote with a bold run and a table; an endnote with a VML text box; a
    comment with an underlined run."""
    box = paragraph(
        run("Caseta conține un "), run("mesaj scurt", "<w:i/>"), run(" pentru cititori.")
    ) + cell_table("Celula din casetă")
    body = paragraph(
        run("Raportul are o "),
        run("notă importantă", "<w:b/>"),
        mark("footnoteReference w:id='1'", "FootnoteReference"),
        run(" și o sursă"),
        mark("endnoteReference w:id='1'", "EndnoteReference"),
        '<w:commentRangeStart w:id="0"/>',
        run(" discutată azi"),
        '<w:commentRangeEnd w:id="0"/>',
        mark("commentReference w:id='0'", "CommentReference"),
        run("."),
    ) + paragraph(
        run("Vedeți caseta "), run("cu sfaturi", "<w:b/>"), text_box(box), run(" de alături.")
    )
    body += '<w:sectPr><w:headerReference w:type="default" r:id="rP0"/></w:sectPr>'
    footnote = paragraph(
        mark("footnoteRef", "FootnoteReference"),
        run(" Nota spune că "),
        run("rezultatul final", "<w:b/>"),
        run(" este bun."),
    ) + cell_table("Tabel în notă")
    endnote = paragraph(
        mark("endnoteRef", "EndnoteReference"),
        run(" Sursa este un articol vechi."),
        text_box(paragraph(run("Casetă în notă")), drawing=False),
    )
    comment = paragraph(
        mark("annotationRef", "CommentReference"),
        run("Verificați "),
        run("această cifră", '<w:u w:val="single"/>'),
        run(" din nou."),
    )
    return package(
        body,
        {
            "header1.xml": paragraph(
                run("Antetul paginii "), text_box(paragraph(run("Sigla firmei noastre")))
            ),
            "footnotes.xml": SEPARATORS.format("footnote")
            + f'<w:footnote w:id="1">{footnote}</w:footnote>',
            "endnotes.xml": SEPARATORS.format("endnote")
            + f'<w:endnote w:id="1">{endnote}</w:endnote>',
            "comments.xml": f'<w:comment w:id="0" w:author="Ana">{comment}</w:comment>',
        },
    )


def parts_of(data: bytes) -> dict[str, Any]:
    z = zipfile.ZipFile(io.BytesIO(data))
    names = ["document.xml", *_PARTS]
    return {name: etree.fromstring(z.read(f"word/{name}")) for name in names}


def own_text(p: Any) -> str:
    """A paragraph's own words: its runs' and links' text, not that of a text box in it."""
    return "".join(p.xpath("./w:r/w:t/text() | ./w:hyperlink/w:r/w:t/text()", namespaces=NS))


def run_with(p: Any, prop: str) -> str:
    (found,) = p.xpath(f"./w:r[w:rPr/w:{prop}]/w:t/text()", namespaces=NS)
    return str(found).strip(" .")


def send(client, data: bytes):
    return client.post(
        "/v1/translate/file", files={"file": ("note.docx", data, "application/octet-stream")}
    )


# the body's 2, its box's paragraph and cell in each of 2 copies, the header's and its box's
# 2 copies, the footnote's and its cell, the endnote's and its box's, the comment's
TEXTED = 2 + 2 * 2 + (1 + 2) + 2 + 2 + 1


def assert_each_word_translated_once(before: dict, after: dict) -> int:
    """Every paragraph, wherever it is, holds each of its words translated exactly once;
    how many paragraphs hold words."""
    checked = 0
    for name, root in after.items():
        pairs = zip(before[name].iter(f"{{{_MAIN}}}p"), root.iter(f"{{{_MAIN}}}p"), strict=True)
        for old, new in pairs:
            checked += words_translated_once(own_text(old), own_text(new))
    return checked


def words_translated_once(old: str, new: str) -> bool:
    """`new` holds each of `old`'s words translated exactly once; whether it holds any."""
    words = _WORD.findall(new)
    assert not _UNMARKED.search(new), new
    assert all(w.endswith("-en") and not w.endswith("-en-en") for w in words), words
    assert Counter(w.removesuffix("-en") for w in words) == Counter(_WORD.findall(old))
    return bool(words)


def translated(make_client, source: bytes, reverse: bool) -> bytes:
    """`source` translated over /v1 by the word-for-word fake: a Word document back."""
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, source)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".docx"].media_type
    docx.Document(io.BytesIO(r.content))  # still a Word document
    return r.content


@pytest.mark.parametrize("reverse", [False, True])
def test_notes_comments_and_text_boxes_are_translated_keeping_each_runs_formatting(
    make_client, reverse
):
    source = notes_docx()
    before, after = parts_of(source), parts_of(translated(make_client, source, reverse))

    checked = assert_each_word_translated_once(before, after)
    assert checked == TEXTED

    def marked(text: str) -> str:
        """What WordMark makes of `text`'s words on their own."""
        words = text.split()
        return " ".join(f"{w}-en" for w in (words[::-1] if reverse else words))

    body, boxes = after["document.xml"], after["document.xml"].findall(".//w:txbxContent", NS)
    assert run_with(body.find(".//w:p", NS), "b") == marked("notă importantă")
    assert len(boxes) == 2  # the drawing's and the VML copy: both translated
    for box in boxes:
        assert run_with(box.find("w:p", NS), "i") == marked("mesaj scurt")
        assert box.findtext(".//w:tc//w:t", namespaces=NS).strip() == marked("Celula din casetă")
    (footnote,) = after["footnotes.xml"].xpath("w:footnote[@w:id='1']/w:p", namespaces=NS)
    assert run_with(footnote, "b") == marked("rezultatul final")
    # the note's own number stays its first run
    assert footnote.find("w:r", NS).find("w:footnoteRef", NS) is not None
    comment = after["comments.xml"].find("w:comment/w:p", NS)
    assert run_with(comment, "u") == marked("această cifră")
    assert comment.find("w:r", NS).find("w:annotationRef", NS) is not None
    assert "Sigla-en" in "".join(
        after["header1.xml"].xpath(".//w:txbxContent//w:t/text()", namespaces=NS)
    )
    assert "Casetă-en" in "".join(
        after["endnotes.xml"].xpath(".//w:txbxContent//w:t/text()", namespaces=NS)
    )

    # each note's mark in the body still there, naming the same note; the separators as they were
    for tag in ("footnoteReference", "endnoteReference", "commentReference", "commentRangeStart"):
        ids = f".//w:{tag}/@w:id"
        assert body.xpath(ids, namespaces=NS) == before["document.xml"].xpath(ids, namespaces=NS)
    for name, tag in (("footnotes.xml", "footnote"), ("endnotes.xml", "endnote")):
        ids = f"w:{tag}/@w:id"
        assert after[name].xpath(ids, namespaces=NS) == ["-1", "0", "1"]
        for old, new in zip(before[name][:2], after[name][:2], strict=True):
            assert etree.tostring(old) == etree.tostring(new)


def test_each_paragraph_is_walked_once_wherever_it_sits():
    source = notes_docx()
    budget = Budget(UNCAPPED)
    translate_directly(".docx", source, budget=budget)
    # every paragraph but the separators', each of its runs, each table cell: counted once
    expected = 0
    for root in parts_of(source).values():
        for p in root.iter(f"{{{_MAIN}}}p"):
            if not p.xpath(
                "ancestor::*[@w:type='separator' or @w:type='continuationSeparator']", namespaces=NS
            ):
                expected += 1 + len(p.xpath("./w:r | ./w:hyperlink/w:r", namespaces=NS))
        expected += len(root.findall(".//w:tc", NS))
    assert budget.pieces == expected


def many_footnotes(size: int) -> bytes:
    """`size` footnotes of a sentence each, each marked in one body paragraph."""
    marks = "".join(
        mark(f"footnoteReference w:id='{i}'", "FootnoteReference") for i in range(1, size + 1)
    )
    notes = "".join(
        f'<w:footnote w:id="{i}">'
        + paragraph(
            mark("footnoteRef", "FootnoteReference"),
            run(f" Nota {i} citează "),
            run("sursa", "<w:b/>"),
        )
        + "</w:footnote>"
        for i in range(1, size + 1)
    )
    return package(
        paragraph(run("Text cu note."), marks),
        {"footnotes.xml": SEPARATORS.format("footnote") + notes},
    )


def many_text_boxes(size: int) -> bytes:
    """`size` paragraphs, each with a text box (both copies) between two runs."""
    box = text_box(paragraph(run("Caseta are "), run("un titlu", "<w:i/>"), run(".")))
    return package(paragraph(run("Vedeți "), box, run(" alături.")) * size, {})


def one_long_text_box(size: int) -> bytes:
    """One text box (both copies) of `size` paragraphs."""
    return package(paragraph(text_box(paragraph(run("Un rând din casetă.")) * size)), {})


@pytest.mark.parametrize(
    ("build", "size"),
    [(many_footnotes, 1_000), (many_text_boxes, 500), (one_long_text_box, 1_500)],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_doubling_notes_or_text_boxes_at_most_doubles_the_work(build, size):
    assert_linear(lambda data: translate_directly(".docx", data), build(size), build(2 * size))


def test_a_document_over_the_pieces_cap_through_its_footnotes_is_refused_at_once(make_client):
    notes = "".join(f'<w:footnote w:id="{i}"><w:p/></w:footnote>' for i in range(1, 60_001))
    data = package(paragraph(run("Scurt.")), {"footnotes.xml": notes})
    with make_client(max_upload_bytes=4 << 20, max_body_bytes=4 << 20) as client:
        refused_at_once(client, "note.docx", data, 413, "ROEN_MAX_DOCUMENT_PIECES")


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w:footnotes [<!ENTITY a "hahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(9))
    + "]>"
)


@pytest.mark.parametrize(
    "damage",
    [
        lambda xml: xml[: len(xml) // 2],  # cut short
        lambda xml: xml.replace(b"<w:p>", b"<w:p><w:r>", 1),  # unbalanced
        lambda xml: LAUGHS.encode() + xml.replace(b"Nota spune", b"&j; Nota spune"),
        lambda xml: b"\x89PNG\r\n\x1a\n" + bytes(range(256)),  # not XML at all
    ],
    ids=["truncated", "unbalanced", "billion-laughs", "binary"],
)
@pytest.mark.parametrize("name", ["footnotes.xml", "comments.xml"])
def test_a_damaged_note_part_is_refused_with_a_reason(make_client, name, damage):
    source = zipfile.ZipFile(io.BytesIO(notes_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for entry in source.infolist():
            xml = source.read(entry)
            z.writestr(entry, damage(xml) if entry.filename == f"word/{name}" else xml)
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as client:
        r = send(client, out.getvalue())
    assert r.status_code == 422, r.text
    assert ".docx file" in r.json()["detail"]


def test_a_text_box_keeps_its_english_when_its_paragraph_is_reordered():
    """An English that puts every paragraph's runs in reverse order: the run holding the text
    box moves with its paragraph's others, and the box's own paragraphs (written after the
    move) are translated and reordered inside it, in both copies."""

    async def backwards(parts: list[str]) -> list[str]:
        spans = (re.findall(r'<span data-r="\d+">[^<]*</span>', p)[::-1] for p in parts)
        words = re.compile(r"[^\W\d_]+(?=[^<>]*<)")  # in text, not in a tag
        return [words.sub(r"\g<0>-en", "".join(s)) for s in spans]

    out = parts_of(translate_directly(".docx", notes_docx(), markup=backwards))
    holder = out["document.xml"].findall("w:body/w:p", NS)[1]
    kinds = [
        "box" if r.find(".//w:txbxContent", NS) is not None else r.findtext("w:t", "", NS)
        for r in holder
    ]
    assert kinds == [" de-en alături-en.", "box", "cu-en sfaturi-en", "Vedeți-en caseta-en "]
    boxes = holder.findall(".//w:txbxContent/w:p", NS)
    assert len(boxes) == 2
    for p in boxes:
        texts = [r.findtext("w:t", "", NS) for r in p.findall("w:r", NS)]
        assert texts == [
            " pentru-en cititori-en.",
            "mesaj-en scurt-en",
            "Caseta-en conține-en un-en ",
        ]


@pytest.mark.parametrize("where", ["before", "after"])
def test_words_placed_outside_the_text_runs_join_one_never_lost(where):
    """An English whose words all come outside the runs' spans, before or after them (as
    tag placement may leave them beside a note's mark or a text box): each paragraph's words
    go to one of its text runs, none to a mark or a box, which hold no text."""

    async def outside(parts: list[str]) -> list[str]:
        out = []
        for p in parts:
            spans = "".join(re.findall(r'<span data-r="\d+">', p)).replace(">", "></span>")
            words = " ".join(f"{w}-en" for w in _WORD.findall(re.sub(r"<[^>]*>", "", p)))
            out.append(spans + words if where == "after" else words + spans)
        return out

    source = notes_docx()
    after = parts_of(translate_directly(".docx", source, markup=outside))
    assert assert_each_word_translated_once(parts_of(source), after) == TEXTED


def held_docx() -> bytes:
    """Text Word keeps inside other elements: a content control around a paragraph, a row
    and a cell, and around a bold run; a tracked insertion (a bold run, a link) beside a
    tracked deletion; a smart tag; custom XML around a paragraph and an italic run; XML
    comments and a processing instruction in a paragraph and inside a run."""
    control = (
        '<w:sdt><w:sdtPr><w:alias w:val="{0}"/></w:sdtPr><w:sdtContent>{1}</w:sdtContent></w:sdt>'
    )
    inserted = '<w:ins w:id="{0}" w:author="Ana" w:date="2024-05-02T10:00:00Z">{1}</w:ins>'
    body = (
        control.format("Titlu", paragraph(run("Titlul raportului anual")))
        + paragraph(
            run("Clientul nostru este "),
            control.format("Nume", run("Ion Popescu", "<w:b/>")),
            run(" din Cluj."),
        )
        + paragraph(
            run("Am adăugat "),
            inserted.format(1, run("un rând", "<w:b/>") + run(" nou")),
            '<w:del w:id="2" w:author="Ana"><w:r><w:delText xml:space="preserve"> textul '
            "șters</w:delText></w:r></w:del>",
            inserted.format(
                3, f'<w:hyperlink w:anchor="capitol">{run(" la capitol")}</w:hyperlink>'
            ),
            run(" azi."),
        )
        + paragraph(
            run("Ne vedem la "),
            f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="City">'
            f"{run('București')}</w:smartTag>",
            run(" mâine."),
        )
        + '<w:customXml w:uri="urn:roen" w:element="rezumat">'
        + paragraph(
            run("Rezumatul spune "),
            f'<w:customXml w:element="cifra">{run("totul", "<w:i/>")}</w:customXml>',
            run(" foarte clar."),
        )
        + "</w:customXml>"
        + paragraph(
            "<!-- o notă a autorului -->",
            '<w:r><w:t xml:space="preserve">Un comentariu </w:t><!-- în rând -->'
            "<w:t>ascuns</w:t></w:r>",
            "<?roen pastrat?>",
            run(" nu strică nimic."),
        )
        + "<w:tbl>"
        + control.format(
            "Rând",
            "<w:tr>"
            + control.format("Celulă", f"<w:tc>{paragraph(run('Celula controlată'))}</w:tc>")
            + "</w:tr>",
        )
        + "</w:tbl>"
    )
    return package(body, {})


def document_of(data: bytes) -> Any:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def held_text(p: Any) -> str:
    """A paragraph's words as Word shows them: every run's, however deep it is held; not a
    deletion's (w:delText)."""
    return "".join(p.xpath(".//w:t/text()", namespaces=NS))


_HELD = ("sdt", "sdtContent", "ins", "del", "hyperlink", "smartTag", "customXml")


@pytest.mark.parametrize("reverse", [False, True])
def test_content_controls_insertions_smart_tags_and_custom_xml_are_translated_in_place(
    make_client, reverse
):
    source = held_docx()
    before, after = document_of(source), document_of(translated(make_client, source, reverse))

    # every word translated, each once, in every paragraph wherever it is held
    pairs = list(zip(before.iter(f"{{{_MAIN}}}p"), after.iter(f"{{{_MAIN}}}p"), strict=True))
    assert len(pairs) == 7
    assert all(words_translated_once(held_text(old), held_text(new)) for old, new in pairs)

    def marked(text: str) -> str:
        words = text.split()
        return " ".join(f"{w}-en" for w in (words[::-1] if reverse else words))

    def text_at(path: str) -> str:
        return "".join(after.xpath(path, namespaces=NS)).strip(" .")

    # each holder still there, around its own runs, which hold their own words' English
    for tag in _HELD:
        assert len(after.findall(f".//w:{tag}", NS)) == len(before.findall(f".//w:{tag}", NS))
    assert text_at("w:body/w:sdt/w:sdtContent/w:p//w:t/text()") == marked("Titlul raportului anual")
    assert text_at("//w:p/w:sdt/w:sdtContent/w:r[w:rPr/w:b]/w:t/text()") == marked("Ion Popescu")
    assert text_at("//w:ins/w:r[w:rPr/w:b]/w:t/text()") == marked("un rând")
    assert text_at("//w:ins/w:hyperlink[@w:anchor='capitol']/w:r/w:t/text()") == marked(
        "la capitol"
    )
    assert text_at("//w:smartTag/w:r/w:t/text()") == "București-en"
    assert text_at("w:body/w:customXml/w:p/w:customXml/w:r[w:rPr/w:i]/w:t/text()") == "totul-en"
    assert text_at("//w:tbl/w:sdt/w:sdtContent/w:tr/w:sdt/w:sdtContent/w:tc//w:t/text()") == (
        marked("Celula controlată")
    )
    # the deletion is not translated: its text is no longer the document's
    assert after.xpath("//w:delText/text()", namespaces=NS) == [" textul șters"]
    # the comments and the processing instruction kept, the run's where it was
    assert [c.text for c in after.xpath("//comment()")] == [" o notă a autorului ", " în rând "]
    assert [pi.target for pi in after.xpath("//processing-instruction()")] == ["roen"]
    assert after.xpath("//w:r[comment()]/w:t/text()", namespaces=NS)


def test_held_runs_are_counted_as_they_are_walked():
    source = held_docx()
    budget = Budget(UNCAPPED)
    translate_directly(".docx", source, budget=budget)
    document = document_of(source)
    shown = "".join(document.xpath("//w:t/text()", namespaces=NS))
    assert budget.chars == len(shown)  # every word counted, the deletion's not
    runs = document.xpath("//w:r[not(w:delText)]", namespaces=NS)
    paragraphs, cells = document.findall(".//w:p", NS), document.findall(".//w:tc", NS)
    assert budget.pieces == len(runs) + len(paragraphs) + len(cells)


async def marking(parts: list[str]) -> list[str]:
    """Each word of the HTML's text (not of its tags) marked `-en`."""
    return [re.sub(r"[^\W\d_]+(?=[^<>]*<)", r"\g<0>-en", p) for p in parts]


@pytest.mark.parametrize("differs", [False, True])
def test_a_text_box_stored_twice_is_counted_once(differs):
    """Word's two copies of a text box (mc:Choice's drawing, mc:Fallback's VML) are both
    translated, but their text counts (and is billed) once; a fallback that holds text of
    its own still has that counted."""
    box = paragraph(run("Caseta are "), run("un titlu", "<w:i/>"), run(".")) + cell_table(
        "Celula din casetă"
    )
    extra = "Doar în copie."
    stored = text_box(box)
    if differs:
        stored = stored.replace(
            "</w:txbxContent></v:textbox>", f"{paragraph(run(extra))}</w:txbxContent></v:textbox>"
        )
    source = package(paragraph(run("Vedeți "), stored, run(" alături.")), {})
    budget = Budget(UNCAPPED)
    out = document_of(translate_directly(".docx", source, markup=marking, budget=budget))
    once = "Vedeți " + " alături." + "Caseta are un titlu." + "Celula din casetă"
    assert budget.chars == len(once) + (len(extra) if differs else 0)
    boxes = out.findall(".//w:txbxContent", NS)
    assert len(boxes) == 2
    for found in boxes:
        text = "".join(found.xpath(".//w:t/text()", namespaces=NS))
        assert not _UNMARKED.search(text) and "Caseta-en" in text, text
