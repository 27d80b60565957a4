"""What one request keeps, read from whichever door it came through: a stored glossary (by
id), its own entries and do-not-translate terms, and the spans it protects."""

from __future__ import annotations

from service.errors import InvalidField
from service.http.bodies import Params
from service.terms.apply import Terms
from service.terms.book import GlossaryBook
from service.terms.glossary import checked
from service.terms.protect import protector
from service.terms.romanian import fold


async def request_terms(
    glossaries: GlossaryBook,
    owner: str,
    *,
    glossary_id: str | None = None,
    glossary: dict[str, str] | None = None,
    do_not_translate: list[str] | None = None,
    protect: list[str] | None = None,
) -> Terms:
    """What one request keeps: one of the caller's stored glossaries, its own entries and
    do-not-translate terms (which win over the stored ones), and the spans it protects
    besides the defaults. Every door builds its request's Terms here."""
    own = checked(
        ((i, s, t) for i, (s, t) in enumerate((glossary or {}).items(), start=1)),
        keep=do_not_translate or (),
        field="glossary",
    )
    spans = protector(protect or [])
    if glossary_id and not own:  # the usual call: a stored glossary, compiled once
        return Terms(await glossaries.stored_matcher(owner, glossary_id), spans)
    stored = list((await glossaries.get(owner, glossary_id)).entries) if glossary_id else []
    mine = {fold(e.source) for e in own}
    entries = own + [e for e in stored if fold(e.source) not in mine]
    return Terms(await glossaries.matcher(entries), spans)


async def found_terms(glossaries: GlossaryBook, owner: str, found: Params) -> Terms:
    """The same from a form, a query or a dialect's JSON body: `glossary_id`, a `glossary`
    object (JSON only), `do_not_translate` and `protect` (repeated fields or arrays)."""
    glossary = (found.all("glossary") or [None])[0]
    if glossary is not None and not (
        isinstance(glossary, dict) and all(isinstance(v, str) for v in glossary.values())
    ):
        raise InvalidField("`glossary` is an object of Romanian term → English.", field="glossary")
    words = {
        k: [v for v in found.all(k) if isinstance(v, str)] for k in ("do_not_translate", "protect")
    }
    return await request_terms(
        glossaries,
        owner,
        glossary_id=found.one("glossary_id") or None,
        glossary=glossary,
        do_not_translate=words["do_not_translate"],
        protect=words["protect"],
    )
