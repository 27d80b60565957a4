"""Keys, quotas and limits through the real app (fake engines, a store the test sets up):
managed keys alone, a document against a quota, refusals counted, revocation."""

from __future__ import annotations

import asyncio
import io

import docx
import pytest

from service.accounts.keys import KeyBook
from service.store.memory import MemoryStore


def add_key(store: MemoryStore, name: str, **limits) -> str:
    return asyncio.run(KeyBook(store).add(name, **limits))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_revoking_every_managed_key_closes_the_server_it_does_not_open_it(make_client):
    store = MemoryStore()
    key = add_key(store, "only")
    with make_client(store=store, key_cache_s=0) as c:
        assert c.post("/v1/translate", json={"text": "Bună."}).status_code == 401
        assert (
            c.post("/v1/translate", json={"text": "Bună."}, headers=bearer(key)).status_code == 200
        )
        asyncio.run(KeyBook(store).revoke("only"))
        assert (
            c.post("/v1/translate", json={"text": "Bună."}, headers=bearer(key)).status_code == 403
        )
        assert c.post("/v1/translate", json={"text": "Bună."}).status_code == 401


def test_the_name_of_keyless_usage_cannot_be_taken():
    with pytest.raises(Exception, match="anonymous"):
        add_key(MemoryStore(), "anonymous")


def _word(text: str, paragraphs: int) -> bytes:
    d = docx.Document()
    for _ in range(paragraphs):
        d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_a_document_is_held_to_the_quota_on_its_text_before_it_is_translated(make_client):
    store = MemoryStore()
    small = add_key(store, "small", characters_per_month=100)
    roomy = add_key(store, "roomy", characters_per_month=10_000)
    text = "Raportul anual a fost publicat astăzi."  # 38 characters, 10 times: 380
    with make_client(store=store) as c:
        refused = c.post(
            "/v1/translate/file", files={"file": ("a.docx", _word(text, 10))}, headers=bearer(small)
        )
        assert refused.status_code == 429 and refused.json()["limit"] == 100
        ok = c.post(
            "/v1/translate/file", files={"file": ("a.docx", _word(text, 10))}, headers=bearer(roomy)
        )
        assert ok.status_code == 200
        usage = c.get("/v1/usage", headers=bearer(roomy)).json()
        small_usage = c.get("/v1/usage", headers=bearer(small)).json()
    assert usage["characters"] == 380 and usage["character_limit"] == 10_000
    assert small_usage["characters"] == 0  # refused before any work: nothing billed


def test_a_document_with_no_text_is_billed_nothing(make_client):
    store = MemoryStore()
    key = add_key(store, "k", characters_per_month=10)
    with make_client(store=store) as c:
        r = c.post(
            "/v1/translate/file", files={"file": ("a.md", b"![logo](x.png)\n")}, headers=bearer(key)
        )
        assert r.status_code == 200
        assert c.get("/v1/usage", headers=bearer(key)).json()["characters"] == 0


def test_made_up_keys_are_counted_against_their_address_before_they_are_refused(make_client):
    with make_client(api_keys="real", rate_limit_per_minute=2) as c:
        statuses = [
            c.post(
                "/v1/translate", json={"text": "Bună."}, headers=bearer(f"guess-{i}")
            ).status_code
            for i in range(3)
        ]
    assert statuses == [403, 403, 429]


def test_a_quota_refusal_on_deepl_is_456_in_its_words(make_client):
    store = MemoryStore()
    key = add_key(store, "k", characters_per_month=5)
    with make_client(store=store) as c:
        r = c.post(
            "/v2/translate",
            data={"text": "Bună ziua, lume.", "target_lang": "EN-GB"},
            headers={"Authorization": f"DeepL-Auth-Key {key}"},
        )
    assert r.status_code == 456
    assert r.json() == {"message": "Quota for this billing period has been exceeded."}
