"""A web page's article metadata: title, author, publication date, site name, canonical URL
and language, read from what the page declares (never guessed from its prose).

Only the tags that declare something are read (one regex finds them; each is matched and
its attributes read as `service.text.markup` does; comments and the content of script,
style and textarea are not markup): linear in the page whatever it holds, about 0.3 s for
2 MB of nothing but such tags, where `markup.runs`, which makes an object of every run,
spends over a second. No import heavier than the standard library's `json`: the first call
costs what any other does (trafilatura's metadata pass spent seconds on first use).

Sources, most trusted first; for each field the first source that gives a valid value wins:

1. JSON-LD (`<script type="application/ld+json">`, top-level objects, arrays and `@graph`,
   with `{"@id": …}` references resolved within a script; the first script that gives a
   field gives all of it): NewsArticle, Article, BlogPosting, ReportageNewsArticle (any
   type named …Article or …BlogPosting) —
   `headline` (else `name`), `author` (a string, an object with `name`, or a list of them),
   `datePublished`, `publisher.name` (else a WebSite node's `name`), `inLanguage`.
2. OpenGraph and article meta: `og:title`, `article:author` (names only, not profile
   URLs), `article:published_time`, `og:site_name`, `og:locale` (ro_RO → ro-RO), `og:url`.
3. Other meta: `twitter:title`; `<meta name="author">`; then `citation_author`,
   `DC.creator`, `parsely-author`, `sailthru.author`; dates from `name="date"`, `pubdate`,
   `DC.date.issued`, `dcterms.issued`, `citation_publication_date`, `parsely-pub-date`,
   `sailthru.date` and `<meta itemprop="datePublished">`.
4. The document itself: `<time datetime>` with itemprop="datePublished" (or `pubdate`),
   then the first `<time datetime>` inside an `<article>`; the text of `<a rel="author">`
   links; the `<title>` element (as given: it often carries the site's name too).

Two fields break the plain order, because the page has a dedicated declaration for them:
the canonical URL is `<link rel="canonical">`, else `og:url` (made absolute against
`<base href>` or `og:url` when relative; with neither it is None; only http(s) is kept);
the language is JSON-LD `inLanguage`, else `<html lang>`, else `og:locale` (often a site's
default), else `<meta http-equiv="content-language">`.

Dates are ISO 8601 (`2026-11-26`, `2026-11-26T09:30:00+02:00`, `…Z`, fractions), the
common `2026-11-26 09:30:00` and `2026/11/26`, and RFC 2822 (`Thu, 26 Nov 2026 09:30:00
+0200`); anything else is None. A date-time with an offset comes back as
`YYYY-MM-DDTHH:MM:SS±HH:MM`; one without (a local time of unknown zone) as its date only,
so that no offset is ever invented. Several authors are joined with ", ".

Bounded work: at most 8 JSON-LD scripts are looked at and a script over 256 KiB is
skipped, as is one that is not valid JSON (or nests too deep): never an error.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from service.text.markup import MAX_TAG, attributes

MAX_JSON_LD_BYTES = 256 * 1024
MAX_JSON_LD_SCRIPTS = 8
_MAX_NODES = 256  # objects read from one script (top level, @graph, mainEntity)
_MAX_NAMES = 32  # authors read from one source
_MAX_TEXT = 500  # a longer title, name or site name is not one
_MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None
    author: str | None  # one string; several authors joined with ", "
    published: str | None  # ISO 8601: a date, or a date-time with its offset
    site_name: str | None
    canonical_url: str | None  # absolute http(s) only
    language: str | None  # BCP 47 as given (ro_RO → ro-RO)


# Ranks (lower is more trusted), per field.
_JSON_LD, _OG, _META, _META_LATE, _DOC, _DOC_LATE = range(6)

_OG_KEYS = {
    "og:title": ("title", _OG),
    "twitter:title": ("title", _META),
    "og:site_name": ("site_name", _OG),
    "article:published_time": ("published", _OG),
    "og:article:published_time": ("published", _OG),
    "article:author": ("author", _OG),
    "og:article:author": ("author", _OG),
    "author": ("author", _META),
    "citation_author": ("author", _META_LATE),
    "dc.creator": ("author", _META_LATE),
    "parsely-author": ("author", _META_LATE),
    "sailthru.author": ("author", _META_LATE),
    "og:locale": ("language", _META),
    **{
        key: ("published", _META)
        for key in (
            "date",
            "pubdate",
            "dc.date.issued",
            "dcterms.issued",
            "citation_publication_date",
            "parsely-pub-date",
            "sailthru.date",
            "datepublished",  # <meta itemprop="datePublished">
        )
    },
}


def page_meta(markup: str) -> PageMeta:
    """The metadata a page declares (see the module's docstring for the sources and their
    order); None for each field it does not declare validly."""
    found = _Found()
    json_ld: list[str] = []
    og_url = base = canonical = None
    seen_html = seen_title = False
    in_article = in_svg = 0  # <title> also names an svg drawing: not the page's title
    author_links = 0
    for name, kind, tag, end in _tags(markup):
        if kind == "close":
            if name == "article":
                in_article = max(0, in_article - 1)
            elif name in ("svg", "math"):
                in_svg = max(0, in_svg - 1)
            continue
        opens = kind == "open"
        if name == "article":
            in_article += opens
        elif name in ("svg", "math"):
            in_svg += opens
        elif name == "meta":
            url = _meta(tag, found)
            og_url = og_url or url
        elif name == "ld+json":
            if len(json_ld) < MAX_JSON_LD_SCRIPTS:
                json_ld.append(tag)
        elif name == "link":
            if canonical is None and _rel(tag, "canonical"):
                canonical = _attr(tag, "href") or None
        elif name == "base":
            base = base or _attr(tag, "href") or None
        elif name == "html" and not seen_html:
            seen_html = True
            attrs = dict(attributes(tag))
            if lang := _language(attrs.get("lang") or attrs.get("xml:lang") or ""):
                found.offer("language", _OG, lang)
        elif name == "time":
            _time(tag, in_article > 0, found)
        elif name == "title" and opens and not in_svg and not seen_title:
            seen_title = True
            if (text := _text_until(markup, end, "title")) is not None:
                found.offer("title", _DOC_LATE, text)
        elif name == "a" and opens and author_links < _MAX_NAMES and _rel(tag, "author"):
            author_links += 1
            if (author := _name(_text_until(markup, end, "a"))) is not None:
                found.offer("author", _DOC_LATE, author)
    for text in json_ld:
        _json_ld(text, found)
    bases = [u.strip() for u in (base, og_url) if u and _http(u.strip())]
    urls = (_absolute(u, bases) for u in (canonical, og_url) if u is not None)
    return PageMeta(
        title=found.first("title"),
        author=found.joined("author"),
        published=found.first("published"),
        site_name=found.first("site_name"),
        canonical_url=next((u for u in urls if u), None),
        language=found.first("language"),
    )


# The tags read here, or what must be stepped over whole: a comment, a raw-text element.
# Every other "<" is passed over by the regex engine: a page of any other markup costs a scan.
_WANTED = re.compile(
    r"<(?:!--|(/?)(meta|link|base|html|time|title|a|article|svg|math|script|style|textarea)"
    r"(?=[\s/>]))",
    re.I,
)
# One tag, quoted attribute values allowed to hold ">" (as markup.runs reads it).
_TAG = re.compile(r"""</?[A-Za-z][\w:.-]*(?:[^>"']|"[^"]*"|'[^']*')*+>""")
_RAW_TEXT = ("script", "style", "textarea")
_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in (*_RAW_TEXT, "title", "a")}
_INNER_TAG = re.compile(r"<[^>]*>")


def _tags(markup: str) -> Iterator[tuple[str, str, str, int]]:
    """(lower-case name, "open"/"void"/"close", the tag, where it ends) of each tag read
    here, in order; a JSON-LD script's content comes as ("ld+json", "text", content, end).
    A raw-text element's content and comments are not markup. Each "<" costs at most
    MAX_TAG characters of matching (as in markup.runs): linear in the page."""
    pos = next_gt = 0
    while (m := _WANTED.search(markup, pos)) is not None:
        start = m.start()
        if m.group(2) is None:  # a comment
            comment_end = markup.find("-->", m.end())
            if comment_end == -1:
                return  # the rest is a comment
            pos = comment_end + 3
            continue
        if next_gt < start and (next_gt := markup.find(">", start)) == -1:
            return  # no tag can close any more
        tag = None
        if next_gt - start <= MAX_TAG:
            tag = _TAG.match(markup, start, min(len(markup), start + MAX_TAG))
        if tag is None:
            pos = start + 1
            continue
        raw, pos, name = tag.group(0), tag.end(), m.group(2).lower()
        if m.group(1):
            yield name, "close", raw, pos
            continue
        yield name, ("void" if raw.endswith("/>") else "open"), raw, pos
        if name in _RAW_TEXT and not raw.endswith("/>"):
            close = _END[name].search(markup, pos)
            end = close.start() if close else len(markup)
            if name == "script" and _attr(raw, "type").strip().lower() == "application/ld+json":
                yield "ld+json", "text", markup[pos:end], end
            if close is None:
                return
            pos = close.end()


def _text_until(markup: str, start: int, name: str) -> str | None:
    """The text from `start` to the element's end tag, if that comes within a title's or a
    name's reach, with any tags in it dropped; else None."""
    close = _END[name].search(markup, start, start + 4 * _MAX_TEXT)
    if close is None:
        return None
    return _text(html.unescape(_INNER_TAG.sub("", markup[start : close.start()])))


class _Found:
    """Valid values offered for each field, by rank, in document order."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[int, list[str]]] = {}

    def has(self, field: str, rank: int) -> bool:
        return rank in self.fields.get(field, {})

    def offer(self, field: str, rank: int, value: str) -> None:
        values = self.fields.setdefault(field, {}).setdefault(rank, [])
        if len(values) < _MAX_NAMES:
            values.append(value)

    def _best(self, field: str) -> list[str]:
        ranks = self.fields.get(field)
        return ranks[min(ranks)] if ranks else []

    def first(self, field: str) -> str | None:
        best = self._best(field)
        return best[0] if best else None

    def joined(self, field: str) -> str | None:
        names: dict[str, str] = {}
        for name in self._best(field):
            names.setdefault(name.casefold(), name)
        return ", ".join(names.values()) or None


def _attr(tag: str, name: str) -> str:
    """The value of a tag's attribute; "" when it has none."""
    return next((value for key, value in attributes(tag) if key == name), "")


def _rel(tag: str, kind: str) -> bool:
    """Whether the tag's rel names `kind` (looked for only where the tag mentions it)."""
    return kind in tag.lower() and kind in _attr(tag, "rel").lower().split()


def _text(value: object) -> str | None:
    """A short piece of text with its whitespace collapsed, or None."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text if text and len(text) <= _MAX_TEXT else None


def _meta(tag: str, found: _Found) -> str | None:
    """Offer what one <meta> declares; its og:url if it is one."""
    attrs = dict(attributes(tag))
    content = attrs.get("content", "")
    if attrs.get("http-equiv", "").strip().lower() == "content-language":
        lang = _language(content.split(",")[0])
        if lang:
            found.offer("language", _DOC_LATE, lang)
        return None
    og_url = None
    keys = dict.fromkeys(attrs.get(k, "").strip().lower() for k in ("property", "name", "itemprop"))
    for key in keys:
        if key == "og:url":
            og_url = content.strip() or None
            continue
        if key not in _OG_KEYS:
            continue
        field, rank = _OG_KEYS[key]
        value: str | None
        if field == "published":
            value = parse_date(content)
        elif field == "language":
            value = _language(content)
        elif field == "author":
            value = _name(content)
        else:
            value = _text(content)
        if value:
            found.offer(field, rank, value)
    return og_url


def _time(tag: str, in_article: bool, found: _Found) -> None:
    attrs = dict(attributes(tag))
    published = parse_date(attrs.get("datetime", ""))
    if published is None:
        return
    if attrs.get("itemprop", "").strip().lower() == "datepublished" or "pubdate" in attrs:
        found.offer("published", _DOC, published)
    elif in_article:
        found.offer("published", _DOC_LATE, published)


# ---- names, languages, URLs ----

# a profile page, not a name: "https://…", "//…", "www.…", "mailto:…", "facebook.com/ana"
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|//|www\.|mailto:|[\w-]+(?:\.[\w-]+)+/)", re.I)
_BCP47 = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _name(value: object) -> str | None:
    """A person's (or organisation's) name; a URL (a profile page) is not one."""
    text = _text(value)
    if text is None or _URLISH.search(text) or len(text) > 200:
        return None
    return text


def _language(value: str) -> str | None:
    tag = value.strip().replace("_", "-")
    return tag if _BCP47.fullmatch(tag) else None


def _http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _absolute(url: str, bases: list[str]) -> str | None:
    """`url` as an absolute http(s) URL: as given, or joined to the first base; else None."""
    url = url.strip()
    if not url or len(url) > _MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    if scheme or url.startswith("//"):
        return url if _http(url) else None
    if not bases:
        return None  # relative, and nothing on the page to make it absolute
    joined = urljoin(bases[0], url)
    return joined if _http(joined) else None


# ---- dates ----

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_RFC2822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?(\d{1,2})\s+("
    + "|".join(_MONTHS)
    + r")\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|ut|utc|gmt|z|[ecmp][sd]t)",
    re.I,
)
_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6}
_ZONES |= {"mdt": -6, "mst": -7, "pdt": -7, "pst": -8}


def parse_date(value: str) -> str | None:
    """An accepted date form (see the module's docstring), normalised; else None."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        if m := _ISO.fullmatch(value):
            y, mo, d, hh, mm, ss, zone = m.groups()
            return _normalised(y, mo, d, hh, mm, ss, _iso_offset(zone))
        if m := _SLASHED.fullmatch(value):
            y, mo, d, hh, mm, ss = m.groups()
            return _normalised(y, mo, d, hh, mm, ss, None)
        if m := _RFC2822.fullmatch(value):
            d, month, y, hh, mm, ss, zone = m.groups()
            mo = str(_MONTHS.index(month.lower()) + 1)
            return _normalised(y, mo, d, hh, mm, ss, _rfc_offset(zone))
    except ValueError:  # a month 13, a 25th hour, an offset of a day
        return None
    return None


def _iso_offset(zone: str | None) -> timedelta | None:
    if zone is None:
        return None
    if zone in "Zz":
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(zone)
    sign = -1 if zone[0] == "-" else 1
    return sign * timedelta(hours=hours, minutes=minutes)


def _rfc_offset(zone: str) -> timedelta | None:
    if zone == "-0000":  # RFC 2822: a local time whose zone is not known
        return None
    if zone[0] in "+-":
        return _iso_offset(zone)
    return timedelta(hours=_ZONES[zone.lower()])


def _normalised(
    y: str, mo: str, d: str, hh: str | None, mm: str | None, ss: str | None, off: timedelta | None
) -> str:
    day = date(int(y), int(mo), int(d))
    if hh is None:
        return day.isoformat()
    moment = datetime(day.year, day.month, day.day, int(hh), int(mm or 0), int(ss or 0))
    if off is None:
        return day.isoformat()  # a local time of unknown zone: its date, no offset invented
    return moment.replace(tzinfo=timezone(off)).isoformat(timespec="seconds")


# ---- JSON-LD ----

_ARTICLE_SUFFIXES = ("Article", "BlogPosting")


def _json_ld(text: str, found: _Found) -> None:
    """Offer what one JSON-LD script declares, for each field no earlier script gave; a
    malformed or oversized script offers nothing."""
    nodes = _nodes(text)
    ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if any(t.endswith(_ARTICLE_SUFFIXES) for t in _types(n))]
    pages = [n for n in nodes if {"WebPage", "WebSite"} & set(_types(n))]
    publishers = [_resolved(_first(n.get("publisher")), ids) for n in articles]
    sites = [*publishers, *(n for n in nodes if "WebSite" in _types(n))]
    candidates: dict[str, Iterator[list[str]]] = {
        "title": ([t] for n in articles for k in ("headline", "name") if (t := _field(n, k))),
        "author": (names for n in articles if (names := list(_names(n.get("author"), ids)))),
        "published": ([d] for n in articles if (d := parse_date(_str(n.get("datePublished"))))),
        "site_name": ([t] for s in sites if isinstance(s, dict) and (t := _field(s, "name"))),
        "language": ([lang] for n in articles + pages if (lang := _in_language(n))),
    }
    for field, found_values in candidates.items():
        if found.has(field, _JSON_LD):
            continue
        for value in next(found_values, []):
            found.offer(field, _JSON_LD, value)


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _field(node: dict[str, Any], key: str) -> str | None:
    # CMSs put entities in JSON-LD text ("Ana &amp; Ion", "&#8217;")
    return _text(html.unescape(_str(node.get(key))))


def _in_language(node: dict[str, Any]) -> str | None:
    value = node.get("inLanguage")
    if isinstance(value, dict):  # {"@type": "Language", "name": "Romanian", "alternateName": "ro"}
        value = value.get("alternateName")
    return _language(value) if isinstance(value, str) else None


def _nodes(text: str) -> list[dict[str, Any]]:
    if len(text) > MAX_JSON_LD_BYTES or len(text.encode("utf-8", "replace")) > MAX_JSON_LD_BYTES:
        return []
    text = text.strip()
    for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>")):
        if text.startswith(opener) and text.endswith(closer):
            text = text[len(opener) : -len(closer)]
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return []
    nodes: list[dict[str, Any]] = []
    for top in (data if isinstance(data, list) else [data])[:_MAX_NODES]:
        if not isinstance(top, dict):
            continue
        graph = top.get("@graph")
        graph = graph if isinstance(graph, list) else [graph]
        for node in [top, *graph[:_MAX_NODES]]:
            if isinstance(node, dict) and len(nodes) < _MAX_NODES:
                nodes.append(node)
                if isinstance(main := node.get("mainEntity"), dict):
                    nodes.append(main)
    return nodes


def _types(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    # "NewsArticle", "schema:NewsArticle", "https://schema.org/NewsArticle"
    return [k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds[:16] if isinstance(k, str)]


def _resolved(value: object, ids: dict[str, dict[str, Any]]) -> object:
    """A `{"@id": …}` reference as the node it names (in the same script), else as is."""
    if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
        return ids.get(value["@id"], value)
    return value


def _names(value: object, ids: dict[str, dict[str, Any]], depth: int = 0) -> Iterator[str]:
    """The names in a JSON-LD author: a string, an object with a name, or a list of them."""
    if isinstance(value, list) and depth < 2:
        for item in value[:_MAX_NAMES]:
            yield from _names(item, ids, depth + 1)
        return
    value = _resolved(value, ids)
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if not isinstance(name, str):
            parts = [value.get("givenName"), value.get("familyName")]
            name = " ".join(p for p in parts if isinstance(p, str))
        value = name
    if isinstance(value, str) and (name := _name(html.unescape(value))):
        yield name
