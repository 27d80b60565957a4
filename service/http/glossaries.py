"""DeepL's glossary routes, v2 and v3, for the pair ro→en: what the official `deepl` client
(create_glossary, create_multilingual_glossary, …) and Weblate's glossary sync call.

    GET  /v2/glossary-language-pairs      [{source_lang: ro, target_lang: en}]
    POST /v2/glossaries                   name, source_lang, target_lang, entries, entries_format
    GET  /v2/glossaries                   {glossaries: [...]}
    GET|DELETE /v2/glossaries/{id}
    GET  /v2/glossaries/{id}/entries      TSV
    POST /v3/glossaries                   name, dictionaries: [{source_lang, target_lang, entries,
                                          entries_format}]
    GET  /v3/glossaries, GET|PATCH|DELETE /v3/glossaries/{id}
    GET  /v3/glossaries/{id}/entries      ?source_lang&target_lang: {dictionaries: [...]}
    PUT|DELETE /v3/glossaries/{id}/dictionaries

A key sees only its own glossaries (service/terms/book.py); they live in the store, so every
replica has them. Errors are DeepL's {"message"} with its statuses: 400 for what is
malformed, 404 "Glossary not found" for an id this key does not own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from litestar import Request, Response, route
from litestar.enums import HttpMethod

from service.errors import InputError, InvalidField, NotFound
from service.http.bodies import Params, params
from service.http.deepl import RESOURCE_ERRORS
from service.http.deps import AccessDep, ServicesDep
from service.terms.book import Glossary, GlossaryBook, glossary_name
from service.terms.glossary import Entry, as_tsv, parse_entries

TAG = "deepl"
PAIR = {"source_lang": "ro", "target_lang": "en"}
TSV = "text/tab-separated-values"
GLOSSARY_BODY_BYTES = 12 * 1024 * 1024


def _pair(source: object, target: object) -> None:
    """ro→en only; EN-GB or EN-US read as en, in any case."""
    s = str(source or "").strip().lower()
    t = str(target or "").strip().lower().split("-")[0]
    if not s:
        raise InputError("Parameter 'source_lang' not specified.")
    if not t:
        raise InputError("Parameter 'target_lang' not specified.")
    if (s, t) != ("ro", "en"):
        raise InputError(
            f"Unsupported glossary language pair {s}-{t}: this server's glossaries are ro → en."
        )


def _entries(found: Params | dict[str, Any]) -> list[Entry]:
    """A body's `entries` as sent (not trimmed: a line may start with its tab)."""
    fields = found.values if isinstance(found, Params) else {k: [v] for k, v in found.items()}
    text = (fields.get("entries") or [None])[0]
    if not isinstance(text, str) or not text.strip():
        raise InvalidField("Parameter 'entries' not specified.", field="entries")
    entries_format = (fields.get("entries_format") or ["tsv"])[0]
    return parse_entries(text, str(entries_format or "tsv").strip().lower())


def _v2(g: Glossary) -> dict[str, Any]:
    return {
        "glossary_id": g.id,
        "name": g.name,
        "ready": True,
        **PAIR,
        "creation_time": g.created,
        "entry_count": g.entry_count,
    }


def _v3(g: Glossary) -> dict[str, Any]:
    return {
        "glossary_id": g.id,
        "name": g.name,
        "creation_time": g.created,
        "dictionaries": [{**PAIR, "entry_count": g.entry_count}] if g.entries else [],
    }


async def _owner(request: Request[Any, Any, Any], access: AccessDep) -> tuple[str, Params]:
    found = await params(request)
    caller = await access.admit(request, found)
    return caller.name, found


def _dictionary(value: object) -> list[Entry]:
    if not isinstance(value, dict):
        raise InvalidField("Each of 'dictionaries' is an object.", field="dictionaries")
    _pair(value.get("source_lang"), value.get("target_lang"))
    return _entries(value)


# One handler per path, its methods dispatched here: Litestar's automatic OPTIONS answer
# lists only the methods of the first handler registered for a path.
@dataclass(frozen=True, slots=True)
class _Call:
    owner: str  # whose glossaries these are
    found: Params
    book: GlossaryBook
    id: str  # the path's glossary id ("" on the routes without one)
    accept: str


Handler = Callable[[_Call], Awaitable[Any]]


def _route(path: str, methods: dict[str, tuple[int, Handler]], summary: str) -> Any:
    @route(
        path,
        http_method=[HttpMethod(m) for m in methods],
        tags=[TAG],
        summary=summary,
        responses=RESOURCE_ERRORS,
        status_code=200,
        name=path,
        # DeepL's 10 MiB of entries, in JSON (escapes and all): more than other bodies
        request_max_body_size=GLOSSARY_BODY_BYTES,
    )
    async def handler(request: Request[Any, Any, Any], services: ServicesDep) -> Response[Any]:
        status, work = methods[request.method]
        owner, found = await _owner(request, services.access)
        accept = request.headers.get("accept", "*/*").lower()
        call = _Call(
            owner, found, services.glossaries, request.path_params.get("glossary_id", ""), accept
        )
        body = await work(call)
        if isinstance(body, Response):
            return body
        return (
            Response(body, status_code=status) if status != 204 else Response(None, status_code=204)
        )

    return handler


async def _pairs(c: _Call) -> Any:
    return {"supported_languages": [PAIR]}


async def _create_v2(c: _Call) -> Any:
    name = glossary_name(c.found.one("name"))
    _pair(c.found.one("source_lang"), c.found.one("target_lang"))
    return _v2(await c.book.create(c.owner, name, _entries(c.found)))


async def _list_v2(c: _Call) -> Any:
    return {"glossaries": [_v2(g) for g in await c.book.owned(c.owner)]}


async def _get_v2(c: _Call) -> Any:
    return _v2(await c.book.get(c.owner, c.id))


async def _delete(c: _Call) -> Any:
    await c.book.delete(c.owner, c.id)


async def _entries_v2(c: _Call) -> Any:
    glossary = await c.book.get(c.owner, c.id)
    if not any(kind in c.accept for kind in (TSV, "*/*", "text/*")):
        return Response(
            {"message": f"Glossary entries are available as {TSV} only."}, status_code=415
        )
    return Response(as_tsv(glossary.entries), media_type=TSV)


async def _create_v3(c: _Call) -> Any:
    name = glossary_name(c.found.one("name"))
    dictionaries = c.found.all("dictionaries")
    if len(dictionaries) != 1:
        raise InvalidField(
            "Send one dictionary, ro → en: this server's glossaries hold that pair only.",
            field="dictionaries",
        )
    return _v3(await c.book.create(c.owner, name, _dictionary(dictionaries[0])))


async def _list_v3(c: _Call) -> Any:
    return {"glossaries": [_v3(g) for g in await c.book.owned(c.owner)]}


async def _get_v3(c: _Call) -> Any:
    return _v3(await c.book.get(c.owner, c.id))


async def _patch_v3(c: _Call) -> Any:
    """A new name, and/or entries merged into the dictionary (a source already there takes
    the new target; the rest are kept), as DeepL documents PATCH."""
    glossary = await c.book.get(c.owner, c.id)
    if c.found.one("name") is not None:
        glossary = replace(glossary, name=glossary_name(c.found.one("name")))
    for value in c.found.all("dictionaries"):
        new = {e.source: e for e in _dictionary(value)}
        kept = [e for e in glossary.entries if e.source not in new]
        glossary = replace(glossary, entries=(*kept, *new.values()))
    return _v3(await c.book.save(c.owner, glossary))


async def _put_dictionary(c: _Call) -> Any:
    glossary = await c.book.get(c.owner, c.id)
    _pair(c.found.one("source_lang"), c.found.one("target_lang"))
    glossary = replace(glossary, entries=tuple(_entries(c.found)))
    await c.book.save(c.owner, glossary)
    return {**PAIR, "entry_count": glossary.entry_count}


async def _delete_dictionary(c: _Call) -> Any:
    glossary = await c.book.get(c.owner, c.id)
    _pair(c.found.one("source_lang"), c.found.one("target_lang"))
    if not glossary.entries:
        raise NotFound("The glossary has no ro → en dictionary.")
    await c.book.save(c.owner, replace(glossary, entries=()))


async def _entries_v3(c: _Call) -> Any:
    glossary = await c.book.get(c.owner, c.id)
    _pair(c.found.one("source_lang"), c.found.one("target_lang"))
    if not glossary.entries:
        raise NotFound("The glossary has no ro → en dictionary.")
    return {
        "dictionaries": [{**PAIR, "entries": as_tsv(glossary.entries), "entries_format": "tsv"}]
    }


ONE = "/{glossary_id:str}"
ROUTES = [
    _route("/v2/glossary-language-pairs", {"GET": (200, _pairs)}, "Glossary language pairs"),
    _route(
        "/v2/glossaries", {"GET": (200, _list_v2), "POST": (201, _create_v2)}, "Glossaries (v2)"
    ),
    _route(
        f"/v2/glossaries{ONE}", {"GET": (200, _get_v2), "DELETE": (204, _delete)}, "A glossary (v2)"
    ),
    _route(f"/v2/glossaries{ONE}/entries", {"GET": (200, _entries_v2)}, "Its entries, TSV (v2)"),
    _route(
        "/v3/glossaries", {"GET": (200, _list_v3), "POST": (201, _create_v3)}, "Glossaries (v3)"
    ),
    _route(
        f"/v3/glossaries{ONE}",
        {"GET": (200, _get_v3), "PATCH": (200, _patch_v3), "DELETE": (204, _delete)},
        "A glossary: read, rename or merge entries, delete (v3)",
    ),
    _route(f"/v3/glossaries{ONE}/entries", {"GET": (200, _entries_v3)}, "Its entries (v3)"),
    _route(
        f"/v3/glossaries{ONE}/dictionaries",
        {"PUT": (200, _put_dictionary), "DELETE": (204, _delete_dictionary)},
        "Replace or empty its ro → en dictionary (v3)",
    ),
]
