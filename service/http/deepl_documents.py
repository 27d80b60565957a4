"""DeepL's document API, as the official client's `translate_document` calls it:

    POST /v2/document                 multipart `file`, target_lang, source_lang, glossary_id
                                      → {document_id, document_key}
    POST /v2/document/{id}            document_key → {document_id, status, seconds_remaining,
                                      billed_characters}
    POST /v2/document/{id}/result     document_key → the English document, once

roen translates the document while the upload is answered (with every limit, quota and
deadline of its other document routes), so the first status is already `done`; the result
waits in the store (any replica answers) for 30 minutes, for the key that uploaded it and
the holder of its document_key, and is gone once downloaded. Formats: .txt .html .md
.docx .srt (others: 400, as DeepL answers an unsupported type)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath

from service.errors import InputError, NotFound
from service.http.bodies import Params, params
from service.http.calls import metered_file
from service.http.deepl import RESOURCE_ERRORS, TAG
from service.http.deps import AccessDep, DownloadsDep, GlossariesDep, PipelineDep, SettingsDep
from service.http.downloads import DOWNLOAD_TTL_S
from service.http.terms_in import request_terms
from service.http.uploads import read_upload
from service.pipeline.types import TranslatedFile, TranslateOptions
from service.terms.apply import Terms

_GONE = "Document not found"  # unknown, another key's, a wrong document_key, or fetched


@post(
    "/v2/document",
    tags=[TAG],
    status_code=200,
    summary="Upload a document (DeepL)",
    responses=RESOURCE_ERRORS,
)
async def upload(
    request: Request[Any, Any, Any],
    pipeline: PipelineDep,
    access: AccessDep,
    settings: SettingsDep,
    downloads: DownloadsDep,
    glossaries: GlossariesDep,
) -> dict[str, str]:
    found = await params(request)
    caller = await access.admit(request, found)
    target = (found.one("target_lang") or "").upper()
    if target.split("-")[0] != "EN":
        raise InputError(f"Value for 'target_lang' not supported: {target or 'none'} (EN only).")
    source = (found.one("source_lang") or "").upper()
    if source not in ("", "RO"):
        raise InputError(f"Value for 'source_lang' not supported: {source} (RO only).")
    filename, data = await read_upload(found, settings)
    output = (found.one("output_format") or "").lower().lstrip(".")
    if output and not filename.lower().endswith("." + output):
        raise InputError("output_format must be the document's own format here.")
    terms = Terms()
    if found.one("glossary_id"):
        if not source:
            raise InputError("Use of a glossary requires the source_lang parameter to be specified")
        try:
            terms = await request_terms(
                glossaries, caller.name, glossary_id=found.one("glossary_id")
            )
        except NotFound:
            raise InputError("Glossary not found") from None
    names: list[str] = []

    async def work(on_text: Any) -> TranslatedFile:
        done = await pipeline.translate_file(filename, data, TranslateOptions(terms=terms), on_text)
        names.append(await downloads.put(done.data, done.kind, filename))
        return done

    done = await metered_file(request, access, work)
    document_id, document_key = uuid.uuid4().hex.upper(), secrets.token_hex(32)
    record = {
        "owner": caller.name,
        "key": hashlib.sha256(document_key.encode()).hexdigest(),
        "download": names[0],
        "billed": done.chars,
    }
    await downloads.store.set(_key(document_id), json.dumps(record).encode(), DOWNLOAD_TTL_S)
    return {"document_id": document_id, "document_key": document_key}


async def _record(
    request: Request[Any, Any, Any], access: AccessDep, document_id: str
) -> tuple[dict[str, Any], Params]:
    found = await params(request)
    caller = await access.admit(request, found)
    data = await access.accounts.store.get(_key(document_id))
    record = json.loads(data) if data is not None else None
    given = hashlib.sha256((found.one("document_key") or "").encode()).hexdigest()
    if (
        record is None
        or record["owner"] != caller.name
        or not hmac.compare_digest(given, record["key"])
    ):
        raise NotFound(_GONE)
    return record, found


@post(
    "/v2/document/{document_id:str}",
    tags=[TAG],
    status_code=200,
    summary="A document's status (DeepL)",
    responses=RESOURCE_ERRORS,
)
async def status(
    request: Request[Any, Any, Any], access: AccessDep, document_id: FromPath[str]
) -> dict[str, Any]:
    record, _ = await _record(request, access, document_id)
    return {
        "document_id": document_id,
        "status": "done",
        "seconds_remaining": 0,
        "billed_characters": record["billed"],
    }


@post(
    "/v2/document/{document_id:str}/result",
    tags=[TAG],
    status_code=200,
    summary="A translated document (DeepL)",
    responses=RESOURCE_ERRORS,
)
async def result(
    request: Request[Any, Any, Any],
    access: AccessDep,
    downloads: DownloadsDep,
    document_id: FromPath[str],
) -> Response[bytes]:
    record, _ = await _record(request, access, document_id)
    found = await downloads.get(record["download"])
    await downloads.store.delete(_key(document_id))  # once: DeepL's documents are fetched once
    await downloads.delete(record["download"])
    if found is None:
        raise NotFound(_GONE)
    data, kind = found
    return Response(data, media_type=kind.media_type)


def _key(document_id: str) -> str:
    return f"deepl-document:{document_id}"


ROUTES = [upload, status, result]
