"""XLIFF 1.2 and 2.x in, the same file with English targets out: checked word by word with
the fake that marks every word (`casă` → `casă-en`), reversed too (so that a paired code
must follow its words); inline codes kept with their ids, units marked translate="no" and
units already translated left as they are, the file's own encoding kept; a damaged file is
a 422, an entity trick is never expanded, the work is linear and capped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree

from service.documents.budget import Budget
from service.documents.formats import FORMATS
from tests.support.direct import UNCAPPED, assert_linear, translate_directly
from tests.support.fakes import WordMark

Element = Any  # lxml's element type (its class name is private)
_UNMARKED = re.compile(r"(?<![\w-])([^\W\d_]{2,})(?!-en|[\w-])")
V1 = "urn:oasis:names:tc:xliff:document:1.2"
V2 = "urn:oasis:names:tc:xliff:document:2.0"

XLIFF_12 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="{V1}">
 <file original="app.properties" source-language="ro" datatype="plaintext">
  <body>
   <trans-unit id="1">
    <source>Bună ziua, <g id="b1">dragă</g> prietene.</source>
    <note>O notă pentru traducător.</note>
   </trans-unit>
   <trans-unit id="2"><source>Apăsați <x id="x1"/> pentru a <ph id="p1">&lt;b&gt;</ph>continua\
<ph id="p2">&lt;/b&gt;</ph> acum.</source><target state="needs-translation"/></trans-unit>
   <trans-unit id="3" translate="no"><source>Nu traduce</source></trans-unit>
   <trans-unit id="4"><source>Deja tradus</source><target state="final">Already done</target>\
</trans-unit>
   <group translate="no"><trans-unit id="5"><source>Grup netradus</source></trans-unit></group>
   <trans-unit id="6"><source>42</source></trans-unit>
   <trans-unit id="7"><source>Prima frază. A doua frază.</source><seg-source>\
<mrk mtype="seg" mid="1">Prima frază.</mrk> <mrk mtype="seg" mid="2">A doua frază.</mrk>\
</seg-source></trans-unit>
   <trans-unit id="8"><source>Marca <mrk mtype="protected">Roen</mrk> rămâne.</source>\
</trans-unit>
  </body>
 </file>
</xliff>
"""

XLIFF_2 = f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="{V2}" version="2.1" srcLang="ro">
 <file id="f1">
  <unit id="u1">
   <originalData><data id="d1">&lt;br/&gt;</data></originalData>
   <segment state="initial"><source>Salut <pc id="1">lume frumoasă</pc> de azi\
<ph id="2" dataRef="d1"/>.</source></segment>
   <ignorable><source> </source></ignorable>
   <segment><source>A doua <mrk id="m1" translate="no">Roen</mrk> frază <sc id="3"/>aici\
<ec startRef="3"/>.</source></segment>
  </unit>
  <unit id="u2" translate="no"><segment><source>Nu se traduce</source></segment></unit>
  <unit id="u3"><segment><source>Tradus deja</source><target>Done</target></segment></unit>
 </file>
</xliff>
"""


@pytest.fixture
def client(make_client):
    with make_client(backend=WordMark(), rate_limit_per_minute=0) as c:
        yield c


def send(client, name: str, data: bytes):
    return client.post(
        "/v1/translate/file", files={"file": (name, data, "application/octet-stream")}
    )


def units(root: Element, name: str) -> dict[str, Element]:
    return {u.get("id"): u for u in root.iter(f"{{*}}{name}")}


def text(element: Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


def words(s: str) -> list[str]:
    return sorted(w.removesuffix("-en") for w in re.findall(r"[^\W\d_]+(?:-en)?", s))


def kept(code: Element) -> bool:
    """A code whose content is not words to translate."""
    protected = code.get("translate") == "no" or code.get("mtype") == "protected"
    return etree.QName(code).localname not in ("g", "pc", "mrk") or protected


def codes(element: Element) -> list[tuple[str, list[tuple[str, str]], str | None]]:
    """Each inline code: its name, its attributes, its content (a kept code's, verbatim)."""
    return sorted(
        (etree.QName(c).localname, sorted(c.attrib.items()), c.text if kept(c) else None)
        for c in element.iterdescendants()
    )


def own_text(element: Element) -> str:
    """The words a target translates: not those of the codes it keeps."""
    out = [element.text or ""]
    for child in element:
        out += ["" if kept(child) else own_text(child), child.tail or ""]
    return "".join(out)


@pytest.mark.parametrize("reverse", [False, True])
def test_xliff_12_targets_are_filled_with_every_inline_code_kept(make_client, reverse):
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, "app.xlf", XLIFF_12.encode())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == FORMATS[".xlf"].media_type
    root = etree.fromstring(r.content)
    (file,) = root.iter(f"{{{V1}}}file")
    assert file.get("target-language") == "en" and file.get("source-language") == "ro"
    by_id = units(root, "trans-unit")
    source = units(etree.fromstring(XLIFF_12.encode()), "trans-unit")
    for uid in ("1", "2", "7", "8"):
        target = by_id[uid].find(f"{{{V1}}}target")
        origin = by_id[uid].find(f"{{{V1}}}seg-source")
        origin = by_id[uid].find(f"{{{V1}}}source") if origin is None else origin
        assert etree.tostring(by_id[uid][0]) == etree.tostring(source[uid][0])  # source kept
        assert words(own_text(target)) == words(own_text(origin)), uid  # each word once
        assert not _UNMARKED.search(own_text(target)), uid  # every word translated
        assert codes(target) == codes(origin), uid  # the same codes, ids and content
    (g,) = by_id["1"].find(f"{{{V1}}}target")
    assert g.get("id") == "b1" and g.text == "dragă-en"  # around its own word, moved or not
    assert text(by_id["1"].find(f"{{{V1}}}note")) == "O notă pentru traducător."
    assert by_id["2"].find(f"{{{V1}}}target").get("state") == "needs-translation"
    # translate="no", on the unit or its group: no target; a translation there: untouched
    assert by_id["3"].find(f"{{{V1}}}target") is None
    assert by_id["5"].find(f"{{{V1}}}target") is None
    done = by_id["4"].find(f"{{{V1}}}target")
    assert done.text == "Already done" and done.get("state") == "final"
    assert by_id["6"].find(f"{{{V1}}}target").text == "42"  # numbers: copied, unsent
    segments = by_id["7"].find(f"{{{V1}}}target")
    assert [(m.get("mid"), m.text.count("-en")) for m in segments] == [("1", 2), ("2", 3)]
    (protected,) = by_id["8"].find(f"{{{V1}}}target")
    assert protected.text == "Roen"  # a protected mark is kept as it is


@pytest.mark.parametrize("reverse", [False, True])
def test_xliff_2_segments_get_targets_with_their_codes(make_client, reverse):
    with make_client(backend=WordMark(reverse=reverse), rate_limit_per_minute=0) as c:
        r = send(c, "app.xliff", XLIFF_2.encode())
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    assert root.get("trgLang") == "en" and root.get("srcLang") == "ro"
    first, second, *_ = root.iter(f"{{{V2}}}segment")
    assert first.get("state") == "initial"
    target = first.find(f"{{{V2}}}target")
    (pc, ph) = target
    assert pc.get("id") == "1" and ph.get("id") == "2" and ph.get("dataRef") == "d1"
    assert pc.text == ("frumoasă-en lume-en" if reverse else "lume-en frumoasă-en")
    assert words(text(target)) == words("Salut lume frumoasă de azi.")
    target = second.find(f"{{{V2}}}target")
    assert codes(target) == codes(second.find(f"{{{V2}}}source"))
    (mark,) = target.iter(f"{{{V2}}}mrk")
    assert mark.text == "Roen"  # translate="no": as it was
    assert words(text(target)) == words("A doua Roen frază aici.")
    assert not _UNMARKED.search(own_text(target))
    (ignorable,) = root.iter(f"{{{V2}}}ignorable")
    assert ignorable.find(f"{{{V2}}}target") is None
    by_id = units(root, "unit")
    assert by_id["u2"].find(f".//{{{V2}}}target") is None
    assert text(by_id["u3"].find(f".//{{{V2}}}target")) == "Done"


@pytest.mark.parametrize("encoding", ["ISO-8859-2", "UTF-16"])
def test_the_file_is_read_and_written_in_its_own_encoding(client, encoding):
    source = (
        f'<?xml version="1.0" encoding="{encoding}"?><xliff version="1.2"><file '
        'source-language="ro"><body><trans-unit id="1"><source>Bună ziua, ţară şi ştiinţă.'
        "</source></trans-unit></body></file></xliff>"
    )
    r = send(client, "a.xlf", source.encode(encoding))
    assert r.status_code == 200, r.text
    assert f"encoding='{encoding}'" in r.content.decode(encoding)
    target = etree.fromstring(r.content).find(".//target")
    # (the cedillas come back as the commas Romanian spells them with: character references
    # where the file's encoding has no such letter)
    assert target.text == "Bună-en ziua-en, țară-en și-en știință-en."


def test_a_file_with_nothing_left_to_translate_comes_back_as_it_came(client):
    source = XLIFF_2.replace("</source></segment>", "</source><target>Gata</target></segment>")
    r = send(client, "a.xliff", source.encode())
    assert r.status_code == 200 and r.content == source.encode()


@pytest.mark.parametrize(
    ("data", "words_"),
    [
        (b"", "cannot be read"),
        (XLIFF_12.encode()[:300], "cannot be read"),
        (b"<xliff version='1.2'><file><body><trans-unit>", "cannot be read"),
        (b"<html><body><p>Pagina</p></body></html>", "not XLIFF"),
        (XLIFF_12.replace('source-language="ro"', 'target-language="de"').encode(), "'de'"),
        (XLIFF_2.replace('srcLang="ro"', 'srcLang="ro" trgLang="fr-FR"').encode(), "'fr-FR'"),
        (b'<?xml version="1.0" encoding="UTF-16"?><xliff/>', "cannot be read"),
    ],
    ids=["empty", "truncated", "bad-xml", "not-xliff", "german", "french", "wrong-encoding"],
)
def test_a_file_that_cannot_be_translated_is_a_422_with_a_reason(client, data, words_):
    r = send(client, "a.xliff", data)
    assert r.status_code == 422, r.text
    assert words_ in r.json()["detail"]


def _laughs(levels: int, text: str) -> bytes:
    entities = "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "lol") * 10}">'
        for i in range(1, levels + 1)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE xliff [{entities}]><xliff version="1.2"><file '
        f'source-language="ro"><body><trans-unit id="1"><source>{text}</source></trans-unit>'
        "</body></file></xliff>"
    ).encode()


def test_a_billion_laughs_is_never_expanded(client):
    r = send(client, "a.xlf", _laughs(9, "Râsete &lol9; aici."))
    assert r.status_code in (413, 422), r.text  # libxml2 refuses the amplification
    r = send(client, "a.xlf", _laughs(3, "Râsete &lol3; aici."))
    assert r.status_code == 200, r.text
    out = r.content.decode()
    assert out.count("&lol3;") == 2 and "lol" * 20 not in out  # in source and target, as is
    assert re.search(r"<target>Râsete-en &lol3; ?aici-en\.</target>", out), out


def test_an_external_entity_is_never_fetched(client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("parola secretă")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<xliff version="1.2"><file source-language="ro"><body><trans-unit id="1"><source>'
        "Fișierul &xxe; aici.</source></trans-unit></body></file></xliff>"
    ).encode()
    r = send(client, "a.xlf", data)
    assert r.status_code == 200, r.text
    assert "parola" not in r.text and r.text.count("&xxe;") == 2  # a reference, as it came


def test_a_translation_that_loses_or_doubles_a_code_never_loses_or_doubles_it():
    """The English should hold each marker once; when it does not, every code still comes
    back exactly once: a lost one at the end of its parent, a doubled one once (the copy's
    words kept as words)."""

    async def hostile(parts: list[str]) -> list[str]:
        out = []
        for html in parts:
            html = html.replace('<span data-x="0"></span>', "")  # x1 lost
            g = '<span data-x="1">aici <span data-x="2"></span>acum</span>'
            html = html.replace(g, f"{g} {g}")  # g1 twice
            out.append(f"<b>În plus</b> {html}")  # a tag that is not ours
        return out

    data = _xliff_12(
        '<trans-unit id="1"><source>Apăsați <x id="x1"/> pentru <g id="g1">aici <x id="x2"/>'
        'acum</g><ph id="p1">&lt;b&gt;</ph>.</source></trans-unit>'
    )
    out = translate_directly(".xlf", data, markup=hostile)
    target = etree.fromstring(out).find(".//target")
    assert sorted(c.get("id") for c in target.iter("x", "g", "ph")) == ["g1", "p1", "x1", "x2"]
    assert target[-1].get("id") == "x1"  # lost: back at the end of its parent
    (g,) = target.iter("g")
    assert [c.get("id") for c in g] == ["x2"]  # its code inside it, once
    assert words(text(target)) == words("În plus Apăsați pentru aici acum aici acum b")


async def _with_control_characters(parts: list[str]) -> list[str]:
    """A "translation" that brings \x01 (before a code, inside a paired one) and \ufffe."""
    return [p.replace("Bună", "Bună\x01").replace("dragă", "dra\ufffegă") for p in parts]


def test_a_control_character_the_translation_brings_is_dropped():
    """XML cannot hold it: it goes, and the words and the codes stay."""
    source = _xliff_12(
        '<trans-unit id="1"><source>Bună ziua, <g id="b1">dragă</g> prietene.</source></trans-unit>'
    )
    out = etree.fromstring(translate_directly(".xlf", source, markup=_with_control_characters))
    (target,) = out.iter("target")
    assert text(target) == "Bună ziua, dragă prietene."
    assert target.find("g").get("id") == "b1" and target.find("g").text == "dragă"


# --- cost ----------------------------------------------------------------------------------
def _xliff_12(body: str) -> bytes:
    head = '<xliff version="1.2"><file source-language="ro"><body>'
    return f"{head}{body}</body></file></xliff>".encode()


def xliff_units(n: int) -> bytes:
    body = "".join(
        f'<trans-unit id="{i}"><source>Unitatea numărul {i} a fișierului.</source></trans-unit>'
        for i in range(n)
    )
    return _xliff_12(body)


def xliff_codes(n: int) -> bytes:
    """One unit of n paired and n empty codes."""
    inline = "".join(f'<pc id="g{i}">cuvânt{i}</pc> <ph id="x{i}"/>' for i in range(n))
    return (
        f'<xliff version="2.0" xmlns="{V2}" srcLang="ro"><file id="f"><unit id="u"><segment>'
        f"<source>Început {inline}"
        "sfârșit.</source></segment></unit></file></xliff>"
    ).encode()


def xliff_groups(n: int) -> bytes:
    """n units, each in a group of its own."""
    body = "".join(
        f'<group id="g{i}"><trans-unit id="{i}"><source>Grupul {i}.</source></trans-unit></group>'
        for i in range(n)
    )
    return _xliff_12(body)


@pytest.mark.parametrize(
    ("build", "size"), [(xliff_units, 4_000), (xliff_codes, 3_000), (xliff_groups, 4_000)]
)
def test_doubling_a_dimension_at_most_doubles_the_work(build, size):
    assert_linear(lambda data: translate_directly(".xlf", data), build(size), build(2 * size))


def test_each_unit_and_code_is_counted():
    budget = Budget(UNCAPPED)
    translate_directly(".xliff", xliff_codes(10), budget=budget)
    assert budget.pieces == 1 + 20  # the segment, then its 10 paired and 10 empty codes


def test_a_file_over_a_cap_is_refused_naming_it(make_client):
    with make_client(max_document_pieces=1_000) as c:
        for data in (xliff_units(1_200), xliff_codes(600)):
            r = send(c, "a.xlf", data)
            assert r.status_code == 413, r.text
            assert "ROEN_MAX_DOCUMENT_PIECES" in r.json()["detail"]
    with make_client(max_document_tags=1_000) as c:  # counted before anything parses it
        r = send(c, "a.xlf", xliff_units(400))
        assert r.status_code == 413 and "ROEN_MAX_DOCUMENT_TAGS" in r.json()["detail"]
