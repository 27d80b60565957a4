"""The web form at `/`: paste or upload Romanian text, get the digest and a side-by-side view.

Works as a plain form POST; static/app.js upgrades it to a streamed digest (POST /stream)
that shows a progress bar and fills the rows in as sentences are done.
"""

from __future__ import annotations

import re
import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException
from litestar.response import Template
from markupsafe import Markup, escape

from service.accounts.callers import Caller
from service.documents.formats import FORMATS
from service.errors import InputError, InvalidField, MalformedBody, RoenError
from service.http.access import Access
from service.http.bodies import Params, urlencoded, utf8
from service.http.calls import (
    digest_billed,
    metered,
    metered_file,
    stream_started,
    until_disconnect,
)
from service.http.deps import Services, ServicesDep
from service.http.problems import problem_for
from service.http.streaming import stream
from service.http.terms_in import request_terms
from service.http.uploads import english_download, too_big, upload_bytes
from service.pipeline.answers import SummaryOut, plain
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import (
    DIGEST_TYPES,
    SUMMARY_LENGTHS,
    Digest,
    Finished,
    SummaryOptions,
    TranslateOptions,
)
from service.settings import Settings
from service.terms.apply import Terms
from service.terms.book import GlossaryBook
from service.terms.glossary import parse_entries
from service.text.layout import paragraphs
from service.text.page import looks_like_page

# Below this confidence a sentence's paragraph is marked on the form (uncalibrated: what a
# value predicts can only be measured on real weights; docs/api.md).
WEAK = 0.3
DIGEST_CHOICES = [
    ("key-points", "key points"),
    ("tldr", "tl;dr"),
    ("teaser", "teaser"),
    ("headline", "headline only"),
]
# A file of these is digested (a text, a page); any other comes back in English as a file.
DIGESTED_FILES = (".txt", ".html", ".htm")
# Applied to every HTML page: no inline script or style, no framing, no sniffing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def code_spans(message: str) -> Markup:
    """The `code` filter: a message's `command` shown as code, not with its backticks;
    everything else escaped (messages quote what clients sent)."""
    parts = str(message).split("`")
    if len(parts) % 2 == 0:  # an odd backtick: not markup, show the text as it is
        return escape(message)
    return Markup("").join(
        Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def marked(text: str, terms: list[str]) -> Markup:
    """The `marked` filter: `text` escaped, each of `terms` in it wrapped in <mark> (the
    glossary's terms where a translation holds them)."""
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    if not wanted:
        return escape(text)
    # whole words only: "Ion" is not marked inside "Ionescu"
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in wanted) + r")(?!\w)")
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos : m.start()]), Markup('<mark class="term">%s</mark>') % m.group()]
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _banner(pipeline: Pipeline) -> list[str]:
    status = pipeline.status()
    if status.loading:
        return ["The models are still loading; translation will be available in a moment."]
    return [
        f"{m.role.capitalize()} model unavailable: {m.error}" for m in status.models if not m.loaded
    ]


async def _admit(request: Request[Any, Any, Any], found: Params, access: Access) -> None:
    await access.admit(request, found, form=True)


async def _page(services: Services, status: int = 200, **context: Any) -> Template:
    context.setdefault("text", "")
    context.setdefault("length", "short")
    context.setdefault("type", "key-points")
    context.setdefault("glossary", "")
    context.setdefault("source", "text")
    context.setdefault("url", "")
    return Template(
        template_name="index.html",
        context={
            "key_required": await services.access.form_needs_key(),
            "banner": _banner(services.pipeline),
            "lengths": list(SUMMARY_LENGTHS),
            "types": DIGEST_CHOICES,
            "formats": list(FORMATS),
            "links": services.pipeline.fetching is not None,
            "weak": WEAK,
            **context,
        },
        status_code=status,
        headers=SECURITY_HEADERS,
    )


@get("/", include_in_schema=False)
async def form(services: ServicesDep) -> Template:
    return await _page(services)


@post("/", include_in_schema=False, status_code=200)
async def submit(
    request: Request[Any, Any, Any], services: ServicesDep
) -> Response[Any] | Template:
    """The form without JavaScript (and a file to give back in English, with it): the whole
    page back with the digest, or the English document as a download."""
    started = time.perf_counter()
    form = Submitted()
    try:
        await form.read(request, services.settings)
        await _admit(request, form.fields, services.access)
        if form.document is not None:
            return await _document(request, services, form)
        await form.fetch(request, services.pipeline)
        options = await form.options(request, services.glossaries)
        call = services.pipeline.digest(form.text, options, form.summary)
        digest = await metered(
            request, services.access, len(form.text), call, digest_billed(form.text)
        )
        if digest.extracted:  # a page: the form shows the article it digested
            form.text = digest.extracted.text
    except RoenError as err:
        status = problem_for(err).status
        if form.source == "link":  # show the link again, not the page it fetched
            form.text = ""
        return await _page(services, status, error=err.detail, **form.shown())
    result = _result(digest, services.pipeline.model_name, started)
    return await _page(services, result=result, **form.shown())


@post("/document", include_in_schema=False, status_code=200)
async def translate_document(
    request: Request[Any, Any, Any], services: ServicesDep
) -> Response[Any] | Template:
    """A document (field `file`) back in English as a download, or the page again saying
    what was wrong: the form's file choice, also kept at its own address."""
    form = Submitted()
    try:
        await form.read(request, services.settings, as_document=True)
        await _admit(request, form.fields, services.access)
        return await _document(request, services, form)
    except RoenError as err:
        return await _page(services, problem_for(err).status, error=err.detail)


async def _document(
    request: Request[Any, Any, Any], services: Services, form: Submitted
) -> Response[Any]:
    if form.document is None:
        raise InvalidField("Choose a file to translate.", field="file")
    filename, data = form.document
    options = await form.options(request, services.glossaries)
    done = await metered_file(
        request,
        services.access,
        lambda on_text: services.pipeline.translate_file(filename, data, options, on_text),
    )
    response = english_download(done.data, done.kind, filename)
    response.headers.update(SECURITY_HEADERS)
    return response


@post("/stream", include_in_schema=False, status_code=200)
async def submit_streamed(request: Request[Any, Any, Any], services: ServicesDep) -> Response[Any]:
    """The form's script posts here: the same fields, the digest as a stream of JSON lines
    (segments as they are done: the page shows progress and fills its rows). A refusal is
    a problem-details response, as on the API."""
    started = time.perf_counter()
    form = Submitted()
    await form.read(request, services.settings)
    await _admit(request, form.fields, services.access)
    if form.document is not None:
        raise InvalidField(
            "A file to give back in English is posted to / (it comes back as a download); "
            "/stream digests text.",
            field="file",
        )
    await form.fetch(request, services.pipeline)
    options = await form.options(request, services.glossaries)
    charge = await services.access.hold(request, len(form.text))
    starting = services.pipeline.stream([form.text], options, form.summary)
    progress = await stream_started(request, charge, starting)

    def done(finished: Finished) -> dict[str, Any]:
        assert finished.digest is not None
        return _result(finished.digest, services.pipeline.model_name, started)  # the page's view

    response: Response[Any] = stream(request, progress, services.pipeline.model_name, done, charge)
    return response


async def box_terms(request: Request[Any, Any, Any], glossaries: GlossaryBook, box: str) -> Terms:
    """A glossary box's entries ("Romanian = English", or a tab between, a line), checked as
    the API checks a glossary's."""
    lines = box.splitlines()
    tsv = "\n".join(line if "\t" in line else line.replace("=", "\t", 1) for line in lines)
    caller: Caller = request.state.caller
    entries = {e.source: e.target for e in parse_entries(tsv, field="glossary")}
    return await request_terms(glossaries, caller.name, glossary=entries)


class Submitted:
    """The form's fields: what to translate (`source`: the text typed, or a file), the
    summary length, the glossary. A file comes back as a document in English when asked
    (`as_document`), or when it is not text or a page to digest (every other document)."""

    def __init__(self) -> None:
        self.text = ""
        self.source = "text"  # or "file", or "link" (a page the server fetches)
        self.url = ""
        self.document: tuple[str, bytes] | None = None  # (name, bytes): a file to give back
        self.length = "short"
        self.kind = "key-points"  # the digest's type (DIGEST_TYPES)
        self.glossary = ""  # a line each: "Romanian = English" (or a tab between)
        self.page = False  # an uploaded .html file, or a pasted page: its article is digested
        self.fields = Params()  # as sent (the key among them)

    @property
    def summary(self) -> SummaryOptions:
        return SummaryOptions.of(self.length, None, self.kind)

    async def read(
        self, request: Request[Any, Any, Any], settings: Settings, as_document: bool = False
    ) -> None:
        fields = await _fields(request, settings)
        self.fields = Params({k: [v] for k, v in fields.items()})
        length = str(fields.get("length") or "short")
        self.length = length if length in SUMMARY_LENGTHS else "short"
        kind = str(fields.get("type") or "key-points")
        self.kind = kind if kind in DIGEST_TYPES else "key-points"
        self.glossary = str(fields.get("glossary") or "")
        self.text = await _text(fields.get("text"), settings) or ""
        upload = fields.get("file")
        self.url = str(fields.get("url") or "").strip()
        if fields.get("source") == "link":
            self.source = "link"
            if not self.url:
                raise InvalidField("Paste the link of the article to digest.", field="url")
            return
        # Without a choice (an older page, curl), a file sent wins over the text.
        self.source = "text" if fields.get("source") == "text" else "file"
        if self.source == "file" and isinstance(upload, UploadFile) and upload.filename:
            name = upload.filename
            as_document = as_document or bool(fields.get("as_document"))
            if as_document or not name.lower().endswith(DIGESTED_FILES):
                self.document = (name, await upload_bytes(upload, settings))
                return
            self.text = await _text(upload, settings) or ""
            self.page = name.lower().endswith((".html", ".htm"))
        else:
            self.source = "text"
        self.page = self.page or looks_like_page(self.text)

    def shown(self) -> dict[str, Any]:
        """What the page shows again in its fields."""
        return {
            "text": self.text,
            "length": self.length,
            "type": self.kind,
            "glossary": self.glossary,
            "source": self.source,
            "url": self.url,
        }

    async def fetch(self, request: Request[Any, Any, Any], pipeline: Pipeline) -> None:
        """A link: its page becomes the text digested (and then shown)."""
        if self.source == "link":
            page = await until_disconnect(request, pipeline.fetch(self.url))
            self.text, self.page = page.text, page.markup == "html"

    async def options(
        self, request: Request[Any, Any, Any], glossaries: GlossaryBook
    ) -> TranslateOptions:
        """A page is digested as markup (its article); the glossary box's terms kept."""
        terms = await box_terms(request, glossaries, self.glossary)
        return TranslateOptions(markup="html" if self.page else "text", terms=terms)


async def _fields(request: Request[Any, Any, Any], settings: Settings) -> dict[str, Any]:
    """Both encodings a form arrives in, decoded strictly: multipart (the page, with its file
    input) and urlencoded (curl -d). Whatever is wrong with the bytes is a page saying so."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if ctype == "application/x-www-form-urlencoded":
            return dict(urlencoded(await request.body()))
        return dict((await request.form()).items())
    except HTTPException as exc:
        if exc.status_code == 413:
            raise too_big(settings.max_body_bytes, "form", "ROEN_MAX_BODY_BYTES") from None
        raise MalformedBody(f"The form could not be read ({exc.detail}).") from None
    except (UnicodeDecodeError, LookupError, ValueError) as err:
        raise MalformedBody(
            f"The form could not be read ({type(err).__name__}): send UTF-8 text fields."
        ) from None


async def _text(value: Any, settings: Settings) -> str | None:
    """A text field, or a file part (the upload, or `text` sent as a file): its UTF-8 text."""
    if not isinstance(value, UploadFile):
        return None if value is None else str(value)
    raw = await upload_bytes(value, settings)
    # A well-formed upload whose content is not UTF-8 text: unprocessable (422), not malformed.
    return utf8(raw, "The file", InputError).removeprefix("\ufeff")


def _result(digest: Digest, model: str, started: float) -> dict[str, Any]:
    """The page's view: digest, and source and English side by side, paragraph by paragraph."""
    translation = digest.translation
    flagged: dict[int, set[str]] = {}
    kept: dict[int, set[tuple[str, str]]] = {}  # the glossary's (source, English) applied
    for seg in translation.segments:
        flagged.setdefault(seg.paragraph, set()).update(seg.warnings)
        if seg.confidence is not None and seg.confidence < WEAK:
            flagged[seg.paragraph].add("low_confidence")
        kept.setdefault(seg.paragraph, set()).update((t.source, t.english) for t in seg.terms)
    pairs = zip(paragraphs(translation.source), paragraphs(translation.translation), strict=False)
    return {
        **plain(SummaryOut.of(digest)),  # headline, summary, summary_sentences, method
        "translation": translation.translation,
        "rows": [
            (src, tgt, sorted(flagged.get(i, ())), sorted(kept.get(i, ())))
            for i, (src, tgt) in enumerate(pairs)
        ],
        "segments": len(translation.segments),
        "model": model,
        "elapsed_ms": round((time.perf_counter() - started) * 1000),
    }


@get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response[bytes]:
    return Response(b"", status_code=204)
