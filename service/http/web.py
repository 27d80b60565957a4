"""The web form at `/`: paste or upload Romanian text, get the digest and a side-by-side view.

Works as a plain form POST; static/app.js upgrades it to an in-page update with progress.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from service.errors import RoenError
from service.http.calls import until_disconnect
from service.http.deps import PipelineDep, SettingsDep
from service.http.problems import problem_for
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import SUMMARY_LENGTHS, Digest, SummaryOptions, TranslateOptions
from service.text.layout import paragraphs

# Applied to every HTML page: no inline script or style, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _banner(pipeline: Pipeline) -> list[str]:
    status = pipeline.status()
    if status.loading:
        return ["The models are still loading; translation will be available in a moment."]
    return [
        f"{m.role.capitalize()} model unavailable: {m.error}" for m in status.models if not m.loaded
    ]


def _page(pipeline: Pipeline, status: int = 200, **context: Any) -> Template:
    context.setdefault("text", "")
    context.setdefault("length", "short")
    return Template(
        template_name="index.html",
        context={"banner": _banner(pipeline), "lengths": list(SUMMARY_LENGTHS), **context},
        status_code=status,
        headers=SECURITY_HEADERS,
    )


@get("/", include_in_schema=False)
async def form(pipeline: PipelineDep) -> Template:
    return _page(pipeline)


@post("/", include_in_schema=False, status_code=200)
async def submit(
    request: Request[Any, Any, Any], pipeline: PipelineDep, settings: SettingsDep
) -> Template:
    started = time.perf_counter()
    # request.form() takes both encodings: multipart (the page, with its file input) and
    # urlencoded (curl -d, a form without a file).
    fields = await request.form()
    text = str(fields.get("text") or "")
    length = str(fields.get("length") or "short")
    length = length if length in SUMMARY_LENGTHS else "short"
    upload = fields.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        if len(raw) > settings.max_upload_bytes:
            return _page(
                pipeline,
                413,
                length=length,
                error=f"The file has {len(raw):,} bytes; the limit is "
                f"{settings.max_upload_bytes:,} (ROEN_MAX_UPLOAD_BYTES).",
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(
                pipeline,
                422,
                error="The file is not UTF-8 text; save it as UTF-8 and try again.",
                length=length,
            )
    try:
        digest = await until_disconnect(
            request,
            pipeline.digest(text, TranslateOptions(), SummaryOptions.of(length)),
        )
    except RoenError as err:
        return _page(pipeline, problem_for(err).status, error=err.detail, text=text, length=length)
    return _page(
        pipeline,
        text=text,
        length=length,
        result=_result(digest, pipeline.model_name, started),
    )


def _result(digest: Digest, model: str, started: float) -> dict[str, Any]:
    """The page's view: digest, and source and English side by side, paragraph by paragraph."""
    translation = digest.translation
    flagged: dict[int, set[str]] = {}
    for seg in translation.segments:
        flagged.setdefault(seg.paragraph, set()).update(seg.warnings)
    pairs = zip(paragraphs(translation.source), paragraphs(translation.translation), strict=False)
    return {
        "headline": digest.headline,
        "summary": digest.summary.sentences,
        "translation": translation.translation,
        "rows": [(src, tgt, sorted(flagged.get(i, ()))) for i, (src, tgt) in enumerate(pairs)],
        "segments": len(translation.segments),
        "model": model,
        "elapsed_ms": round((time.perf_counter() - started) * 1000),
    }


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response[bytes]:
    return Response(b"", status_code=204)
