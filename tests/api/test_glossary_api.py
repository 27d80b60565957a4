"""Glossaries at every door, over the real app with a fake engine (its "translation" is
EN(<what it read>), so what the model was given is visible): DeepL's v2 and v3 routes as its
client and Weblate call them, glossary_id on /v2/translate, /v1's inline glossary and
do-not-translate terms (plain, HTML, streamed, documents), LibreTranslate's extension, and
a key that sees only its own glossaries."""

from __future__ import annotations

import json

import pytest

from service.store.memory import MemoryStore

TSV = "Guvernul\tGovernment\nCurtea Supremă\tSupreme Court\n"
DEEPL = {"Authorization": "DeepL-Auth-Key a"}
OTHER = {"Authorization": "DeepL-Auth-Key b"}


@pytest.fixture
def client(make_client):
    with make_client(api_keys="a,b") as c:
        yield c


def create_v2(client, entries=TSV, headers=DEEPL, **extra):
    body = {"name": "news", "source_lang": "RO", "target_lang": "EN", "entries": entries}
    r = client.post("/v2/glossaries", json=body | extra, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def translate_v2(client, text, glossary_id, headers=DEEPL, **extra):
    body = {"text": [text], "source_lang": "RO", "target_lang": "EN-GB", "glossary_id": glossary_id}
    return client.post("/v2/translate", json=body | extra, headers=headers)


def test_deepl_v2_glossary_lifecycle_and_translation(client):
    pairs = client.get("/v2/glossary-language-pairs", headers=DEEPL).json()
    assert pairs == {"supported_languages": [{"source_lang": "ro", "target_lang": "en"}]}
    made = create_v2(client)
    assert made["entry_count"] == 2 and made["ready"] is True
    assert made["creation_time"].endswith("Z") and "." in made["creation_time"]
    gid = made["glossary_id"]
    assert client.get(f"/v2/glossaries/{gid}", headers=DEEPL).json() == made
    assert client.get("/v2/glossaries", headers=DEEPL).json() == {"glossaries": [made]}
    entries = client.get(
        f"/v2/glossaries/{gid}/entries", headers=DEEPL | {"Accept": "text/tab-separated-values"}
    )
    assert entries.text == TSV and entries.headers["content-type"].startswith(
        "text/tab-separated-values"
    )
    refused = client.get(f"/v2/glossaries/{gid}/entries", headers=DEEPL | {"Accept": "text/csv"})
    assert refused.status_code == 415

    r = translate_v2(client, "Decizia Guvernului a ajuns la Curții Supreme.", gid)
    assert r.status_code == 200, r.text
    assert r.json()["translations"][0]["text"] == "EN(Decizia Government a ajuns la Supreme Court.)"
    assert client.delete(f"/v2/glossaries/{gid}", headers=DEEPL).status_code == 204
    gone = client.get(f"/v2/glossaries/{gid}", headers=DEEPL)
    assert gone.status_code == 404 and gone.json() == {"message": "Glossary not found"}
    assert translate_v2(client, "Guvernul.", gid).json() == {"message": "Glossary not found"}


def test_a_key_sees_and_uses_only_its_own_glossaries(client):
    gid = create_v2(client)["glossary_id"]
    assert client.get("/v2/glossaries", headers=OTHER).json() == {"glossaries": []}
    assert client.get(f"/v2/glossaries/{gid}", headers=OTHER).status_code == 404
    assert client.delete(f"/v2/glossaries/{gid}", headers=OTHER).status_code == 404
    assert translate_v2(client, "Guvernul.", gid, headers=OTHER).status_code == 400
    assert client.get(f"/v2/glossaries/{gid}", headers=DEEPL).status_code == 200  # still there
    assert client.get("/v2/glossaries").status_code == 403  # no key: DeepL's auth failure


@pytest.mark.parametrize(
    ("entries", "status", "words"),
    [
        ("Guvernul\tGovernment\nSenatul Senate\n", 400, "Line 2 "),
        ("Guvernul\tGovernment\nGuvernul\tCabinet\n", 400, "repeats the source"),
        ("Guvernul\tGov\x00ernment\n", 400, "control character"),
        ("\tGovernment\n", 400, "empty source"),
        ("Guvernul\t" + "x" * 1100 + "\n", 413, "at most 1,024"),
        ("", 400, "entries"),
    ],
)
def test_bad_entries_are_a_deepl_4xx_naming_the_line(client, entries, status, words):
    body = {"name": "n", "source_lang": "ro", "target_lang": "en", "entries": entries}
    r = client.post("/v2/glossaries", json=body, headers=DEEPL)
    assert r.status_code == status and words in r.json()["message"], r.text


def test_other_pairs_and_ids_are_refused(client):
    body = {"name": "n", "source_lang": "de", "target_lang": "en", "entries": TSV}
    refused = client.post("/v2/glossaries", json=body, headers=DEEPL)
    assert refused.status_code == 400 and "ro → en" in refused.json()["message"]
    malformed = client.get("/v2/glossaries/not-a-uuid", headers=DEEPL)
    assert malformed.status_code == 400 and "glossary_id" in malformed.json()["message"]


def test_deepl_v3_glossaries_merge_replace_and_empty(client):
    body = {
        "name": "news",
        "dictionaries": [
            {"source_lang": "RO", "target_lang": "EN", "entries": TSV, "entries_format": "tsv"}
        ],
    }
    made = client.post("/v3/glossaries", json=body, headers=DEEPL)
    assert made.status_code == 201, made.text
    info = made.json()
    gid = info["glossary_id"]
    assert info["dictionaries"] == [{"source_lang": "ro", "target_lang": "en", "entry_count": 2}]
    merged = client.patch(
        f"/v3/glossaries/{gid}",
        json={
            "name": "news 2",
            "dictionaries": [
                {
                    "source_lang": "RO",
                    "target_lang": "EN",
                    "entries": "Guvernul\tCabinet\nSenatul\tSenate",
                    "entries_format": "tsv",
                }
            ],
        },
        headers=DEEPL,
    ).json()
    assert merged["name"] == "news 2" and merged["dictionaries"][0]["entry_count"] == 3
    read = client.get(
        f"/v3/glossaries/{gid}/entries?source_lang=RO&target_lang=EN", headers=DEEPL
    ).json()
    tsv = read["dictionaries"][0]["entries"]
    assert "Guvernul\tCabinet" in tsv and "Government" not in tsv and "Senatul\tSenate" in tsv
    put = client.put(
        f"/v3/glossaries/{gid}/dictionaries",
        json={
            "source_lang": "ro",
            "target_lang": "en",
            "entries": "PSD\tPSD",
            "entries_format": "tsv",
        },
        headers=DEEPL,
    )
    assert put.json() == {"source_lang": "ro", "target_lang": "en", "entry_count": 1}
    emptied = client.delete(
        f"/v3/glossaries/{gid}/dictionaries?source_lang=ro&target_lang=en", headers=DEEPL
    )
    assert emptied.status_code == 204
    assert client.get(f"/v3/glossaries/{gid}", headers=DEEPL).json()["dictionaries"] == []
    assert client.delete(f"/v3/glossaries/{gid}", headers=DEEPL).status_code == 204
    assert client.get("/v3/glossaries", headers=DEEPL).json() == {"glossaries": []}


def test_weblate_glossary_sync_replayed(client):
    """weblate/machinery/deepl.py (v3): languages for glossaries, list, create under its
    name, find the id by name, translate with it; then a changed glossary: PUT the
    dictionary and PATCH the name, and the list shows the new name."""
    langs = client.get("/v3/languages?resource=glossary", headers=DEEPL).json()
    assert any(x["lang"].upper() == "RO" and x["usable_as_source"] for x in langs)
    assert client.get("/v3/glossaries", headers=DEEPL).json()["glossaries"] == []
    name = "weblate:7:RO:EN-US:0f3a9c2d41b7e865"
    dictionary = {"source_lang": "ro", "target_lang": "en", "entries": TSV.strip()}
    made = {"name": name, "dictionaries": [dictionary | {"entries_format": "tsv"}]}
    client.post("/v3/glossaries", json=made, headers=DEEPL)
    listed = {
        g["name"]: g["glossary_id"]
        for g in client.get("/v3/glossaries", headers=DEEPL).json()["glossaries"]
    }
    gid = listed[name]
    r = client.post(
        "/v2/translate",
        json={
            "text": ['Guvernul <x id="1"></x> a decis.'],
            "source_lang": "RO",
            "target_lang": "EN-US",
            "formality": "default",
            "tag_handling": "xml",
            "ignore_tags": ["x"],
            "glossary_id": gid,
        },
        headers=DEEPL,
    )
    assert r.status_code == 200, r.text
    assert "Government" in r.json()["translations"][0]["text"]
    assert '<x id="1"></x>' in r.json()["translations"][0]["text"]
    new_name = "weblate:7:RO:EN-US:1111111111111111"
    put = client.put(
        f"/v3/glossaries/{gid}/dictionaries",
        json=dictionary | {"entries": "Senatul\tSenate", "entries_format": "tsv"},
        headers=DEEPL,
    )
    assert put.status_code == 200
    assert (
        client.patch(f"/v3/glossaries/{gid}", json={"name": new_name}, headers=DEEPL).status_code
        == 200
    )
    names = [g["name"] for g in client.get("/v3/glossaries", headers=DEEPL).json()["glossaries"]]
    assert names == [new_name]


# --- /v1, LibreTranslate, documents ---------------------------------------------------------
def test_v1_inline_glossary_kept_terms_and_protected_spans(make_client):
    with make_client() as client:
        body = {
            "text": "Guvernului i-a scris @ana despre Dacia 🎉 și {{nume}}.",
            "glossary": {"Guvernul": "Government"},
            "do_not_translate": ["Dacia"],
            "protect": ["braces"],
            "include_segments": True,
        }
        out = client.post("/v1/translate", json=body).json()
        assert out["translation"] == "EN(Government i-a scris @ana despre Dacia 🎉 și {{nume}}.)"
        (segment,) = out["segments"]
        assert [tuple(t.values()) for t in segment["terms"]] == [
            ("Guvernului", 0, 10, "Guvernul", "Government"),
            ("Dacia", 33, 38, "Dacia", "Dacia"),
        ]
        bad = client.post("/v1/translate", json={"text": "a", "protect": ["*"]})
        assert bad.status_code == 422 and "protect" in bad.json()["detail"]
        empty = client.post("/v1/translate", json={"text": "a", "glossary": {"Guvernul": " "}})
        assert empty.status_code == 422 and "empty target" in empty.json()["detail"]


def test_the_sentence_cache_never_serves_a_translation_made_under_another_glossary(make_client):
    with make_client() as client:
        plain = {"text": "Guvernul a decis."}
        first = client.post("/v1/translate", json=plain).json()["translation"]
        glossed = client.post(
            "/v1/translate", json=plain | {"glossary": {"Guvernul": "Cabinet"}}
        ).json()["translation"]
        again = client.post("/v1/translate", json=plain).json()["translation"]
        assert first == again == "EN(Guvernul a decis.)" and glossed == "EN(Cabinet a decis.)"


def test_streams_html_digests_and_documents_honour_the_glossary(make_client):
    glossary = {"Guvernul": "Government"}
    with make_client() as client:
        lines = client.post(
            "/v1/translate",
            json={"text": "Guvernul a decis.", "glossary": glossary},
            headers={"Accept": "application/x-ndjson"},
        ).text.splitlines()
        segment = json.loads(lines[1])
        assert segment["translation"] == "EN(Government a decis.)"
        assert segment["terms"][0]["english"] == "Government"
        html = client.post(
            "/v1/translate",
            json={
                "text": "<p>Guvernul a <b>decis</b>.</p>",
                "format": "html",
                "glossary": glossary,
            },
        ).json()["translation"]
        assert "Government" in html and "<b>" in html and "Guvernul" not in html
        digest = client.post(
            "/v1/digest", json={"text": "Guvernul a decis. Ploaia a venit.", "glossary": glossary}
        ).json()
        assert "Government" in digest["translation"] and "Guvernul" not in digest["summary"]
        doc = client.post(
            "/v1/translate/file",
            files={"file": ("a.txt", b"Guvernul a decis. @ana", "text/plain")},
            data={"do_not_translate": "Guvernul"},
        )
        assert doc.status_code == 200 and doc.text == "EN(Guvernul a decis. @ana)"


def test_libretranslate_takes_the_glossary_as_roen_extension_fields(make_client):
    with make_client() as client:
        r = client.post(
            "/translate",
            json={"q": ["Guvernul a decis."], "source": "ro", "target": "en",
                  "glossary": {"Guvernul": "Government"}},
        )  # fmt: skip
        assert r.json()["translatedText"] == ["EN(Government a decis.)"]
        bad = client.post(
            "/translate",
            json={"q": "a", "source": "ro", "target": "en", "glossary": ["Guvernul"]},
        )
        assert bad.status_code == 400 and "glossary" in bad.json()["error"]


def test_a_glossary_made_through_one_app_is_used_by_another_on_the_same_store(make_client):
    store = MemoryStore()
    with (
        make_client(store=store, api_keys="a") as one,
        make_client(store=store, api_keys="a") as two,
    ):
        gid = create_v2(one)["glossary_id"]
        r = translate_v2(two, "Guvernul a decis.", gid)
        assert r.json()["translations"][0]["text"] == "EN(Government a decis.)"


def test_no_owner_sees_another_whose_name_begins_like_its_own():
    import asyncio

    from service.terms.book import GlossaryBook
    from service.terms.glossary import Entry

    async def main():
        book = GlossaryBook(MemoryStore())
        await book.create("env:0123abcd", "theirs", [Entry("a", "b")])
        return await book.owned("env"), await book.owned("env:0123abcd")

    mine, theirs = asyncio.run(main())
    assert mine == [] and [g.name for g in theirs] == ["theirs"]


def test_merges_stay_within_the_size_limit_and_terms_cannot_swell_a_text(client, monkeypatch):
    import service.terms.glossary as glossary

    gid = create_v2(client)["glossary_id"]
    lines = [f"Termen{i}\t{'x' * 900}\n" for i in range(12)]  # ~910 bytes each
    monkeypatch.setattr(glossary, "MAX_GLOSSARY_BYTES", 10_000)  # 10 KB, not 10 MiB, to test
    r = client.patch(
        f"/v3/glossaries/{gid}",
        json={
            "dictionaries": [
                {"source_lang": "ro", "target_lang": "en", "entries": "".join(lines[:9])}
            ]
        },
        headers=DEEPL,
    )
    assert r.status_code == 200  # alone it fits
    r = client.patch(
        f"/v3/glossaries/{gid}",
        json={
            "dictionaries": [
                {"source_lang": "ro", "target_lang": "en", "entries": "".join(lines[9:])}
            ]
        },
        headers=DEEPL,
    )
    assert r.status_code == 413 and "MiB" in r.json()["message"]
    swollen = client.post(
        "/v1/translate",
        json={"text": "de " * 100, "glossary": {"de": "w" * 1000}},
        headers={"Authorization": "Bearer a"},
    )
    assert swollen.status_code == 413 and "more than twice" in swollen.json()["detail"]


def test_several_glossary_ids_are_refused_one_is_used(client):
    gid = create_v2(client)["glossary_id"]
    body = {"text": ["Guvernul."], "source_lang": "RO", "target_lang": "EN-GB"}
    one = client.post("/v2/translate", json=body | {"glossary_ids": [gid]}, headers=DEEPL)
    assert one.json()["translations"][0]["text"] == "EN(Government.)"
    two = client.post("/v2/translate", json=body | {"glossary_ids": [gid, gid]}, headers=DEEPL)
    assert two.status_code == 400 and "one glossary" in two.json()["message"]


def test_a_deepl_document_is_fetched_once_by_its_key_holder(client):
    up = client.post(
        "/v2/document",
        files={"file": ("a.txt", b"Guvernul a decis.", "text/plain")},
        data={"target_lang": "EN-US", "source_lang": "RO"},
        headers=DEEPL,
    )
    assert up.status_code == 200, up.text
    handle = up.json()
    doc, key = handle["document_id"], handle["document_key"]
    status = client.post(f"/v2/document/{doc}", json={"document_key": key}, headers=DEEPL).json()
    assert status == {
        "document_id": doc,
        "status": "done",
        "seconds_remaining": 0,
        "billed_characters": 17,
    }
    wrong = client.post(f"/v2/document/{doc}", json={"document_key": "x" * 64}, headers=DEEPL)
    assert wrong.status_code == 404 and wrong.json() == {"message": "Document not found"}
    other = client.post(f"/v2/document/{doc}/result", json={"document_key": key}, headers=OTHER)
    assert other.status_code == 404  # another key, even with the document_key
    got = client.post(f"/v2/document/{doc}/result", json={"document_key": key}, headers=DEEPL)
    assert got.status_code == 200 and got.text == "EN(Guvernul a decis.)"
    again = client.post(f"/v2/document/{doc}/result", json={"document_key": key}, headers=DEEPL)
    assert again.status_code == 404  # fetched once
    bad = client.post(
        "/v2/document",
        files={"file": ("a.exe", b"MZ", "application/octet-stream")},
        data={"target_lang": "EN-US"},
        headers=DEEPL,
    )
    assert bad.status_code == 400 and "message" in bad.json()
