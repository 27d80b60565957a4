"""HTML (and DeepL's XML) as tags and text runs: tags pass through byte for byte, only text
is translated, and text that arrived escaped (`&lt;b&gt;`) leaves escaped.

This is the safe floor for markup — it never mangles a tag, an attribute or an entity; a
sentence broken by an inline tag (`a <b>b</b> c`) is translated in its runs. Never
translated: the contents of script, style, code, pre, kbd, samp, textarea, svg, math and
template, of any element with translate="no" or class="notranslate" (Mastodon wraps custom
emoji so), and of the tags a caller names (DeepL's ignore_tags). Linear in the input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>|</?[A-Za-z][^>]*>", re.S)
_NAME = re.compile(r"</?\s*([A-Za-z][\w:.-]*)")
_NO = re.compile(r"""\btranslate\s*=\s*["']?no\b|\bclass\s*=\s*["'][^"']*\bnotranslate\b""", re.I)
NEVER_TRANSLATED = frozenset("script style code pre kbd samp textarea svg math template".split())
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


@dataclass(frozen=True, slots=True)
class Run:
    raw: str  # exactly as it arrived
    text: str | None  # unescaped text to translate; None: pass `raw` through


def runs(markup: str, ignore: frozenset[str] = frozenset()) -> list[Run]:
    """The document as tags and text runs, in order; concatenating `raw` gives it back."""
    out: list[Run] = []
    skip: list[str] = []  # open elements whose text is not translated
    pos = 0
    for match in _TOKEN.finditer(markup):
        if match.start() > pos:
            out.append(_text(markup[pos : match.start()], bool(skip)))
        tag = match.group(0)
        out.append(Run(tag, None))
        pos = match.end()
        name_match = _NAME.match(tag)
        if name_match is None:
            continue  # comment, doctype, CDATA, processing instruction
        name = name_match.group(1).lower()
        if tag.startswith("</"):
            if skip and skip[-1] == name:
                skip.pop()
        elif skip and name == skip[-1] and not tag.endswith("/>"):
            skip.append(name)  # the same element nested inside a skipped one
        elif (
            (name in NEVER_TRANSLATED or name in ignore or _NO.search(tag))
            and not tag.endswith("/>")
            and name not in VOID
        ):
            skip.append(name)
    if pos < len(markup):
        out.append(_text(markup[pos:], bool(skip)))
    return out


def _text(raw: str, skipped: bool) -> Run:
    if skipped or not raw.strip():
        return Run(raw, None)
    return Run(raw, html.unescape(raw))


def escape(text: str) -> str:
    """Translated text back into markup: only what must be escaped (& < >)."""
    return html.escape(text, quote=False)
