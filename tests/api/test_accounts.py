"""Keys, quotas and limits through the real app (fake engines, a store the test sets up):
managed keys alone, a document against a quota, refusals counted, revocation."""

from __future__ import annotations

import asyncio
import io
import json

import docx
import pytest

from service.accounts.keys import KeyBook
from service.settings import Settings
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


@pytest.mark.parametrize("gone", ["while it starts", "before its body"])
def test_a_stream_abandoned_early_gives_back_its_rows_and_hold(make_client, gone):
    """The client is gone while the stream is admitted (499), or once it was promised but
    before its body starts (its generator never runs): either way its queued rows leave
    the scheduler and its held characters go back to the quota."""
    from tests.support.fakes import SlowEcho, fake_engines

    store = MemoryStore()
    text = " ".join(f"Propoziția {i}." for i in range(20))  # 290 characters
    key = add_key(store, "k", characters_per_month=400)
    settings = Settings(_env_file=None, store_url="memory://", max_batch_size=1, key_cache_s=0)
    engines = fake_engines(settings, SlowEcho(delay=0.05))
    body = json.dumps({"text": text}).encode()
    with make_client(engines, store=store, max_batch_size=1, key_cache_s=0) as c:
        sent: list[dict] = []

        async def abandon() -> None:
            messages = [{"type": "http.request", "body": body, "more_body": False}]
            promised = asyncio.Event()

            async def receive() -> dict:
                if messages:
                    return messages.pop(0)
                if gone == "before its body":
                    await promised.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict) -> None:
                sent.append(message)
                if message["type"] == "http.response.start":
                    promised.set()

            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": "/v1/translate",
                "raw_path": b"/v1/translate",
                "query_string": b"",
                "root_path": "",
                "server": ("testserver", 80),
                "client": ("127.0.0.1", 5000),
                "headers": [
                    (b"host", b"testserver"),
                    (b"content-type", b"application/json"),
                    (b"accept", b"application/x-ndjson"),
                    (b"authorization", f"Bearer {key}".encode()),
                ],
                "state": {},
            }
            await c.app(scope, receive, send)

        with c.portal() as portal:
            portal.call(abandon)
        assert sent[0]["status"] == (499 if gone == "while it starts" else 200)
        stats = engines.scheduler.stats()
        assert stats.queued_rows == 0 and stats.cancelled_rows >= 15
        # its 290 characters were held, never counted, and are given back: another fits
        again = c.post("/v1/translate", json={"text": text}, headers=bearer(key))
        assert again.status_code == 200, again.text
