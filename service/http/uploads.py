"""A document sent as a multipart `file` field: its name and bytes, held to
ROEN_MAX_UPLOAD_BYTES, and the translated document sent back as a download."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.datastructures import UploadFile

from service.documents.formats import Format, english_name
from service.errors import InvalidField, LimitExceeded
from service.http.bodies import Params
from service.settings import Settings


async def read_upload(found: Params, settings: Settings, field: str = "file") -> tuple[str, bytes]:
    values = found.all(field)
    upload = values[0] if values else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidField(
            f"Send the document as a multipart/form-data file field named `{field}`.",
            field=field,
        )
    return upload.filename, await upload_bytes(upload, settings)


async def upload_bytes(upload: UploadFile, settings: Settings) -> bytes:
    """An uploaded file's bytes, or a 413 naming ROEN_MAX_UPLOAD_BYTES."""
    data = await upload.read()
    if len(data) > settings.max_upload_bytes:
        raise too_big(settings.max_upload_bytes, "file", "ROEN_MAX_UPLOAD_BYTES", len(data))
    return data


def too_big(limit: int, what: str, setting: str, actual: int | None = None) -> LimitExceeded:
    size = f"has {actual:,} bytes" if actual is not None else "is larger than that"
    return LimitExceeded(
        f"The {what} {size}; the limit is {limit:,} bytes ({setting}).", limit=limit, actual=actual
    )


def download(data: bytes, kind: Format, filename: str) -> Response[bytes]:
    """The document as an attachment: its own media type, a name any browser keeps (ASCII,
    with the exact name as RFC 6266's filename*)."""
    # Printable ASCII only, no quote or backslash: nothing a client named its file can end
    # the header or start another one.
    ascii_name = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=kind.media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


def english_download(data: bytes, kind: Format, source_name: str) -> Response[Any]:
    return download(data, kind, english_name(source_name, kind))
