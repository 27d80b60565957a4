"""The web form at `/`: paste or upload Romanian text, get the digest and a side-by-side view.

Works as a plain form POST; static/app.js upgrades it to an in-page update with progress.
"""

from __future__ import annotations

import re
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from service.engine.digest import make_digest
from service.errors import RoenError
from service.http.api import check_sizes
from service.http.deps import EnginesDep, GateDep, SettingsDep
from service.http.problems import status_for
from service.http.schemas import SUMMARY_LENGTHS
from service.text.normalize import normalize_text

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")

# Applied to every HTML page: no inline script or style, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in _BLANK_LINES.split(text) if p.strip()]


def _banner(engines: EnginesDep) -> list[str]:
    if engines.loading:
        return ["The models are still loading; translation will be available in a moment."]
    return [
        f"{m.role.capitalize()} model unavailable: {m.error}"
        for m in engines.models.values()
        if not m.loaded
    ]


def _page(engines: EnginesDep, status: int = 200, **context: Any) -> Template:
    context.setdefault("text", "")
    context.setdefault("length", "short")
    return Template(
        template_name="index.html",
        context={"banner": _banner(engines), "lengths": list(SUMMARY_LENGTHS), **context},
        status_code=status,
        headers=SECURITY_HEADERS,
    )


@get("/", include_in_schema=False)
async def form(engines: EnginesDep) -> Template:
    return _page(engines)


@post("/", include_in_schema=False, status_code=200)
async def submit(
    request: Request[Any, Any, Any], engines: EnginesDep, gate: GateDep, settings: SettingsDep
) -> Template:
    started = time.perf_counter()
    # request.form() takes both encodings: multipart (the page, with its file input) and
    # urlencoded (curl -d, a form without a file).
    fields = await request.form()
    text = str(fields.get("text") or "")
    length = str(fields.get("length") or "short")
    length = length if length in SUMMARY_LENGTHS else "short"
    upload = fields.get("file")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read()
            if len(raw) > settings.max_upload_bytes:
                return _page(
                    engines,
                    413,
                    length=length,
                    error=f"The file has {len(raw):,} bytes; the limit is "
                    f"{settings.max_upload_bytes:,} (ROEN_MAX_UPLOAD_BYTES).",
                )
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                return _page(
                    engines,
                    422,
                    error="The file is not UTF-8 text; save it as UTF-8 and try again.",
                    length=length,
                )
        check_sizes([text], settings)
        translator, summarizer = engines.need_translator(), engines.need_summarizer()
        k = SUMMARY_LENGTHS[length]
        digest = await gate.run(lambda: make_digest(translator, summarizer, text, max_sentences=k))
    except RoenError as err:
        return _page(engines, status_for(err), error=err.detail, text=text, length=length)
    source = normalize_text(text)
    flagged: dict[int, set[str]] = {}
    for seg in digest.translation.segments:
        flagged.setdefault(seg.paragraph, set()).update(seg.warnings)
    rows = [
        (src, tgt, sorted(flagged.get(i, ())))
        for i, (src, tgt) in enumerate(
            zip(paragraphs(source), paragraphs(digest.translation.translation), strict=False)
        )
    ]
    return _page(
        engines,
        text=text,
        length=length,
        result={
            "headline": digest.headline,
            "summary": digest.summary.sentences,
            "translation": digest.translation.translation,
            "rows": rows,
            "segments": len(digest.translation.segments),
            "model": translator.model_name,
            "elapsed_ms": round((time.perf_counter() - started) * 1000),
        },
    )


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response[bytes]:
    return Response(b"", status_code=204)
