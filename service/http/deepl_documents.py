"""DeepL's document API, as the official client's `translate_document` calls it:

    POST /v2/document                 multipart `file`, target_lang, source_lang, glossary_id
                                      → {document_id, document_key}
    POST /v2/document/{id}            document_key → {document_id, status, seconds_remaining,
                                      billed_characters}
    POST /v2/document/{id}/result     document_key → the English document, once

roen translates the document while the upload is answered (with every limit, quota and
deadline of its other document routes), so the first status is already `done`; the result
waits in the store (any replica answers) for 30 minutes, for the key that uploaded it and
the holder of its document_key, and is gone once downloaded. Formats: every one roen
translates (service/documents/formats.py; others: 400, as DeepL answers an unsupported
type); a .pdf comes back as .docx, asked for with output_format=docx."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from litestar import Request, Response
from litestar.params import FromPath

from service.documents.formats import format_of
from service.errors import InputError, NotFound
from service.http.bodies import params
from service.http.calls import metered_download
from service.http.deepl import RESOURCE_ERRORS, deepl_route, pair_and_terms
from service.http.deps import (
    AccessDep,
    DownloadsDep,
    ServicesDep,
)
from service.http.downloads import DOWNLOAD_TTL_S
from service.http.uploads import read_upload
from service.pipeline.types import TranslateOptions

_GONE = "Document not found"  # unknown, another key's, a wrong document_key, or fetched


@deepl_route("/v2/document", "Upload a document (DeepL)", errors=RESOURCE_ERRORS)
async def upload(request: Request[Any, Any, Any], services: ServicesDep) -> dict[str, str]:
    found = await params(request)
    caller = await services.access.admit(request, found)
    terms = await pair_and_terms(found, caller.name, services.glossaries)
    filename, data = await read_upload(found, services.settings)
    _check_output(filename, (found.one("output_format") or "").lower().lstrip("."))
    done, name = await metered_download(
        request,
        services.access,
        services.downloads,
        lambda on_text: services.pipeline.translate_file(
            filename, data, TranslateOptions(terms=terms), on_text
        ),
        filename,
    )
    document_id, document_key = uuid.uuid4().hex.upper(), secrets.token_hex(32)
    record = {
        "owner": caller.name,
        "key": hashlib.sha256(document_key.encode()).hexdigest(),
        "download": name,
        "billed": done.chars,
    }
    await services.downloads.store.set(
        _key(document_id), json.dumps(record).encode(), DOWNLOAD_TTL_S
    )
    return {"document_id": document_id, "document_key": document_key}


async def _record(
    request: Request[Any, Any, Any], access: AccessDep, downloads: DownloadsDep, document_id: str
) -> dict[str, Any]:
    """The uploaded document's record, for its key's holder and its document_key's only."""
    found = await params(request)
    caller = await access.admit(request, found)
    data = await downloads.store.get(_key(document_id))
    record = json.loads(data) if data is not None else None
    given = hashlib.sha256((found.one("document_key") or "").encode()).hexdigest()
    if (
        record is None
        or record["owner"] != caller.name
        or not hmac.compare_digest(given, record["key"])
    ):
        raise NotFound(_GONE)
    return record


@deepl_route(
    "/v2/document/{document_id:str}", "A document's status (DeepL)", errors=RESOURCE_ERRORS
)
async def status(
    request: Request[Any, Any, Any], services: ServicesDep, document_id: FromPath[str]
) -> dict[str, Any]:
    record = await _record(request, services.access, services.downloads, document_id)
    return {
        "document_id": document_id,
        "status": "done",
        "seconds_remaining": 0,
        "billed_characters": record["billed"],
    }


@deepl_route(
    "/v2/document/{document_id:str}/result", "A translated document (DeepL)", errors=RESOURCE_ERRORS
)
async def result(
    request: Request[Any, Any, Any], services: ServicesDep, document_id: FromPath[str]
) -> Response[bytes]:
    record = await _record(request, services.access, services.downloads, document_id)
    found = await services.downloads.get(record["download"])
    await services.downloads.store.delete(
        _key(document_id)
    )  # once: DeepL's documents are fetched once
    await services.downloads.delete(record["download"])
    if found is None:
        raise NotFound(_GONE)
    data, kind = found
    return Response(data, media_type=kind.media_type)


def _check_output(filename: str, asked: str) -> None:
    """DeepL's output_format: roen gives each document back in its own format, and a PDF as
    a Word document, which the client must ask for (a .pdf path given .docx bytes would be a
    broken file)."""
    gives = format_of(filename).output.suffix.lstrip(".")
    if asked and asked != gives:
        raise InputError(f"output_format must be {gives} for this document.")
    if not asked and not filename.lower().endswith("." + gives):
        raise InputError(
            f"roen gives this document back as .{gives}: send output_format={gives} (the "
            f"deepl client sends it when the output file's name ends in .{gives})."
        )


def _key(document_id: str) -> str:
    return f"deepl-document:{document_id}"


ROUTES = [upload, status, result]
