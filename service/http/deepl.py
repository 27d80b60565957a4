"""The DeepL v2 dialect, for the pair ro→en: what the official `deepl` client libraries
(with `server_url`), Mastodon, Weblate and "DeepL-compatible" tools speak. Implemented from
DeepL's API documentation and the requests those clients send.

    POST /v2/translate       text (repeated / array, ≤ 50), target_lang EN|EN-GB|EN-US,
                             source_lang RO or absent (then detected), tag_handling html|xml
                             with ignore_tags; split_sentences, preserve_formatting,
                             non_splitting_tags, formality, context, model_type accepted
                             (roen always keeps formatting and structure; English has no
                             formal register to choose; context is not used); glossary_id
                             (one of the key's glossaries; needs source_lang, as DeepL's)
    GET|POST /v2/languages   type=source|target (the client sends `type` as a form body on
                             GET); GET /v3/languages?resource=… for newer clients
    GET|POST /v2/usage       the calling key's characters this month, and its quota
    /v2/glossaries, /v3/glossaries, /v2/glossary-language-pairs: service/http/glossaries.py
Auth: `Authorization: DeepL-Auth-Key <key>` (or Bearer, or the legacy `auth_key` field),
a key from `roen keys add` or ROEN_API_KEYS. Errors are {"message": "..."} with DeepL's
statuses: 400, 403, 413, 429, 456 (the key's monthly quota is used), 503. Every translation
carries `billed_characters`: the official Python client fails
without it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Request, Response, Router, get, route
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException

from service.errors import (
    Forbidden,
    InputError,
    LimitExceeded,
    NotFound,
    QuotaExceeded,
    RoenError,
    Unauthenticated,
)
from service.http.bodies import Params, params
from service.http.calls import metered
from service.http.deps import AccessDep, ServicesDep
from service.http.problems import dialect_responses, status_of
from service.http.schemas import DeepLError
from service.http.terms_in import request_terms
from service.pipeline.types import TranslateOptions, TranslationResult
from service.terms.apply import Terms
from service.terms.book import GlossaryBook

TAG = "deepl"
ERRORS = dialect_responses(
    DeepLError,
    {
        400: "Missing or invalid parameter, unsupported language, glossary, malformed body",
        403: "Authorization failure",
        456: "The key's monthly character quota is used",
        413: "Too many texts or characters",
        429: "Too many requests (Retry-After)",
        500: "Engine failure",
        503: "Model loading or missing; queue full (Retry-After)",
        504: "Did not finish in time",
    },
)
# The routes that name a resource (a glossary, a document): 404 when it is not the caller's.
RESOURCE_ERRORS = {
    **ERRORS,
    **dialect_responses(DeepLError, {404: "No such glossary or document for this key"}),
}
MAX_TEXTS = 50
TARGETS = {"EN", "EN-GB", "EN-US"}
NO_QUOTA = 1_000_000_000_000  # reported as the limit of a key without a quota


def deepl_route(
    path: str, summary: str, *, methods: tuple[str, ...] = ("POST",), errors: Any = None
) -> Any:
    """A DeepL route: 200 whatever its methods (a GET-or-POST route would default to 201
    Created), under DeepL's tag, its error bodies documented."""
    return route(
        path,
        http_method=[HttpMethod(m) for m in methods],
        status_code=200,
        tags=[TAG],
        summary=summary,
        responses=ERRORS if errors is None else errors,
    )


def _detected(results: list[TranslationResult]) -> str:
    """DeepL's `detected_source_language`, one for the request as the texts together read
    (a short string alone is easily taken for another language): each text's languages
    weighed by its length and their confidence."""
    weight: dict[str, float] = {}
    for result in results:
        for found in result.languages:
            weight[found.language] = (
                weight.get(found.language, 0.0) + len(result.source) * found.confidence
            )
    return max(weight, key=weight.__getitem__).upper() if weight else "RO"


def _texts(found: Params) -> list[str]:
    texts = found.all("text")
    if not texts:
        raise InputError("Parameter 'text' not specified.")
    if not all(isinstance(t, str) for t in texts):
        raise InputError("Parameter 'text' must be a string or a list of strings.")
    if len(texts) > MAX_TEXTS:
        raise LimitExceeded(
            f"Too many texts: {len(texts)}; at most {MAX_TEXTS} per request.",
            limit=MAX_TEXTS,
            actual=len(texts),
        )
    return [str(t) for t in texts]


async def pair_and_terms(found: Params, owner: str, glossaries: GlossaryBook) -> Terms:
    """The pair a DeepL call names (RO → EN, the source optional) and the glossary it names
    (one, needing source_lang as DeepL's does): its texts' and its documents' alike."""
    target = (found.one("target_lang") or "").upper()
    if not target:
        raise InputError("Parameter 'target_lang' not specified.")
    if target not in TARGETS:
        raise InputError(
            f"Value for 'target_lang' not supported: {target}. roen translates Romanian→English "
            "only (EN, EN-GB, EN-US)."
        )
    source = (found.one("source_lang") or "").upper()
    if source not in ("", "RO"):
        raise InputError(
            f"Value for 'source_lang' not supported: {source}. roen translates Romanian→English "
            "only (RO, or leave it out)."
        )
    named = [str(g) for g in found.all("glossary_ids") if g] or [found.one("glossary_id") or ""]
    if len(named) > 1:  # the client's newer list (at most 5): one pair, one glossary here
        raise InputError("This server applies one glossary a request: send one glossary_id.")
    if not named[0]:
        return Terms()
    if not source:  # DeepL's rule: a glossary is for one pair, so the source is named
        raise InputError("Use of a glossary requires the source_lang parameter to be specified")
    try:
        return await request_terms(glossaries, owner, glossary_id=named[0])
    except NotFound:
        raise InputError("Glossary not found") from None


async def _options(found: Params, owner: str, glossaries: GlossaryBook) -> TranslateOptions:
    terms = await pair_and_terms(found, owner, glossaries)
    handling = (found.one("tag_handling") or "").lower()
    if handling not in ("", "html", "xml"):
        raise InputError(f"Value for 'tag_handling' not supported: {handling} (html or xml).")
    ignore: set[str] = set()
    for value in found.all("ignore_tags"):
        ignore.update(t.strip().lower() for t in str(value).split(",") if t.strip())
    return TranslateOptions(
        markup="html" if handling else "text", ignore_tags=frozenset(ignore), terms=terms
    )


@deepl_route("/v2/translate", "Translate (DeepL v2)")
async def translate(request: Request[Any, Any, Any], services: ServicesDep) -> dict[str, Any]:
    """DeepL's /v2/translate for RO → EN, form or JSON. Billed: the source characters."""
    found = await params(request)
    caller = await services.access.admit(request, found)
    texts = _texts(found)
    options = await _options(found, caller.name, services.glossaries)

    auto = not found.one("source_lang")
    chars = sum(len(t) for t in texts)
    call = services.pipeline.translate(texts, replace(options, detect=auto))
    results = await metered(request, services.access, chars, call)
    detected = _detected(results) if auto else "RO"
    request.state.chars = sum(len(t) for t in texts)
    request.state.segments = sum(len(r.segments) for r in results)
    return {
        "translations": [
            {
                "detected_source_language": detected,
                "text": r.translation,
                "billed_characters": len(t),
            }
            for r, t in zip(results, texts, strict=True)
        ]
    }


SOURCE = [{"language": "RO", "name": "Romanian"}]
TARGET = [
    {"language": "EN-GB", "name": "English (British)", "supports_formality": False},
    {"language": "EN-US", "name": "English (American)", "supports_formality": False},
]


@deepl_route("/v2/languages", "Languages (DeepL v2)", methods=("GET", "POST"))
async def languages(request: Request[Any, Any, Any], access: AccessDep) -> list[dict[str, Any]]:
    found = await params(request)  # `type` arrives in the query, or as a form body on GET
    await access.admit(request, found)
    kind = (found.one("type") or "source").lower()
    if kind not in ("source", "target"):
        raise InputError("Value for 'type' not supported (source or target).")
    return TARGET if kind == "target" else SOURCE


@get("/v3/languages", tags=[TAG], summary="Languages (DeepL v3)", responses=ERRORS)
async def languages_v3(request: Request[Any, Any, Any], access: AccessDep) -> list[dict[str, Any]]:
    found = await params(request)
    await access.admit(request, found)
    resource = found.one("resource") or "translate_text"
    if resource == "glossary":  # Weblate asks before it syncs a project's glossary
        return [
            {"lang": "ro", "name": "Romanian", "usable_as_source": True,
             "usable_as_target": False, "features": {}},
            {"lang": "en", "name": "English", "usable_as_source": False,
             "usable_as_target": True, "features": {}},
        ]  # fmt: skip
    if resource != "translate_text":
        return []  # nothing else: an empty list turns it off
    return [
        {
            "lang": "RO",
            "name": "Romanian",
            "usable_as_source": True,
            "usable_as_target": False,
            "features": [],
        },
        *(
            {
                "lang": t["language"],
                "name": t["name"],
                "usable_as_source": False,
                "usable_as_target": True,
                "features": [],
            }
            for t in TARGET
        ),
    ]


@deepl_route("/v2/usage", "Usage (DeepL v2)", methods=("GET", "POST"))
async def usage(request: Request[Any, Any, Any], access: AccessDep) -> dict[str, Any]:
    """The calling key's characters this month (a key reads only its own)."""
    caller = await access.admit(request, await params(request))
    used = await access.accounts.usage.used(caller.name)
    quota = caller.account.characters_per_month if caller.account else None
    return {"character_count": used, "character_limit": quota or NO_QUOTA}


def on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status, detail, headers = status_of(exc)
    headers.pop("WWW-Authenticate", None)
    if isinstance(exc, (Unauthenticated, Forbidden)) or status == 401:
        status, detail = 403, "Authorization failure, check the authentication key."
    if status in (415, 422):
        status = 400
    if isinstance(exc, QuotaExceeded):
        # DeepL's status and words: its clients raise QuotaExceededException, Weblate pauses
        status, detail = 456, "Quota for this billing period has been exceeded."
    headers.pop("WWW-Authenticate", None)
    return Response({"message": detail}, status_code=status, headers=headers)


def router(*more: Any) -> Router:
    """The dialect's routes, and `more` of them (the glossaries') under its error shape."""
    return Router(
        "/",
        route_handlers=[translate, languages, languages_v3, usage, *more],
        exception_handlers={RoenError: on_error, HTTPException: on_error},
    )
