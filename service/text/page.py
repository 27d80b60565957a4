"""A whole web page → its article: the title and the main text, without navigation, ads,
scripts, related links or comments (trafilatura, a maintained main-content extractor).

The page is never fetched here: it arrives as text. The title is the article's own `<h1>`
when it has one (a page's `<title>` usually adds the site's name), else `og:title`, else
`<title>`. When the extractor finds no article (a fragment, a post), every translatable
block of the page is the text, so nothing a user pasted is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.text.html_blocks import Block, blocks
from service.text.markup import attributes, runs
from service.text.page_meta import PageMeta, page_meta

# A page rather than a fragment: what the form and the API look for before extracting.
_PAGE = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str | None
    text: str  # the title (if any), a blank line, then the paragraphs, blank-line separated
    method: str  # "trafilatura": the main content; "blocks": every block of the markup
    meta: PageMeta | None = None  # author, date, site, canonical URL, language (page_meta)
    url: str | None = None  # a fetched page's address, after its redirects


def looks_like_page(text: str) -> bool:
    return bool(_PAGE.match(text[:2000]))


def extract(markup: str) -> Extracted:
    """The article of a page (`looks_like_page`); a fragment is all article."""
    items = [i for i in blocks(markup, visible=True) if isinstance(i, Block)]
    title = _title(markup, items)
    body = [b.text for b in items if b.text != title]
    method = "blocks"
    if looks_like_page(markup) and (main := _main_text(markup)):
        # The extractor chooses the blocks; their text is taken from the page's own blocks,
        # which keep a sentence whole across inline tags (it breaks lines at some, e.g. <q>).
        # A short block must be a whole line of it ("Deficit" is in "Deficitul bugetar").
        lines, whole = set(main.splitlines()), _squash(main)
        chosen = [
            text
            for text in body
            if (squashed := _squash(text)) in lines or (len(squashed) >= 20 and squashed in whole)
        ]
        body, method = chosen or [line for line in main.splitlines() if line], "trafilatura"
    text = "\n\n".join(([title] if title else []) + body)
    return Extracted(title, text, method, page_meta(markup))


def _squash(text: str) -> str:
    return "".join(text.split())


def _title(markup: str, items: list[Block]) -> str | None:
    for block in items:
        if block.path.rsplit("/", 1)[-1].startswith("h1["):
            return block.text
    og = _og_title(markup)
    if og:
        return og
    for block in items:
        if block.path.endswith("title[1]"):
            return block.text
    return None


def _og_title(markup: str) -> str | None:
    """The page's `og:title`, read tag by tag (linear in the page, whatever it holds)."""
    for run in runs(markup):
        if run.name == "meta" and run.kind in ("open", "void"):
            found = dict(attributes(run.raw))
            if found.get("property", "").strip().lower() == "og:title":
                title = " ".join(found.get("content", "").split())
                if title:
                    return title
    return None


def _main_text(markup: str) -> str:
    """The article's text, a line per paragraph with no whitespace in it, or ""."""
    import trafilatura  # imported on first use: a server that never sees a page never loads it

    text = trafilatura.extract(
        markup,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,  # its date and metadata parsing costs seconds at first use
    )
    return "\n".join(_squash(line) for line in (text or "").splitlines())
