"""HTML (and DeepL's XML) as tags and text runs: tags pass through byte for byte, only text
is translated, and text that arrived escaped (`&lt;b&gt;`) leaves escaped.

This is the safe floor for markup — it never mangles a tag or an attribute; a
sentence broken by an inline tag (`a <b>b</b> c`) is translated in its runs. Never
translated: the contents of script, style, code, pre, kbd, samp, textarea, svg, math and
template, of any element with translate="no" or class="notranslate" (Mastodon wraps custom
emoji so), and of the tags a caller names (DeepL's ignore_tags). Linear in the input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# One tag, quoted attribute values allowed to hold ">"; matched at a position, within
# MAX_TAG characters, so that a stray "<" costs a bounded amount of work.
_TAG = re.compile(r"""</?[A-Za-z][\w:.-]*(?:[^>"']|"[^"]*"|'[^']*')*+>""")
_NAME = re.compile(r"</?\s*([A-Za-z][\w:.-]*)")
_NO = re.compile(r"""\btranslate\s*=\s*["']?no\b|\bclass\s*=\s*["'][^"']*\bnotranslate\b""", re.I)
MAX_TAG = 1_000
NEVER_TRANSLATED = frozenset("script style code pre kbd samp textarea svg math template".split())
# Their content is raw text to the HTML parser: not markup, so not scanned for tags.
RAW_TEXT = frozenset("script style textarea".split())
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements a new one of the same name closes instead of nesting in (<p>a<p>b).
NO_SELF_NESTING = frozenset("p li dt dd option tr td th".split())
# Constructs that are not elements, and how each ends.
_OTHER = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<!", ">"), ("<?", ">"))


@dataclass(frozen=True, slots=True)
class Run:
    raw: str  # exactly as it arrived
    text: str | None  # unescaped text to translate; None: pass `raw` through
    kind: str = "text"  # "text" (whitespace too), "open", "close", "void", "other"
    name: str = ""  # a tag's element name, lower case
    skip: bool = False  # inside (or opening) an element whose text is never translated


def runs(markup: str, ignore: frozenset[str] = frozenset()) -> list[Run]:
    """The document as tags and text runs, in order; concatenating `raw` gives it back.
    Each character is looked at a bounded number of times: linear in the input."""
    out: list[Run] = []
    skip: list[str] = []  # open elements whose text is not translated
    text_from = pos = 0

    def emit_text(end: int) -> None:
        if end > text_from:
            out.append(text_run(markup[text_from:end], bool(skip)))

    next_gt = 0  # where the next ">" is: a "<" with none in reach starts no tag
    while (pos := markup.find("<", pos)) != -1:
        if next_gt < pos:
            next_gt = markup.find(">", pos)
            if next_gt == -1:
                break  # no tag can close any more: the rest is text
        end = _other_end(markup, pos)
        if end is not None:  # comment, CDATA, doctype, processing instruction
            emit_text(pos)
            out.append(Run(markup[pos:end], None, "other", skip=bool(skip)))
            text_from = pos = end
            continue
        match = None
        if next_gt - pos <= MAX_TAG:
            match = _TAG.match(markup, pos, min(len(markup), pos + MAX_TAG))
        if match is None:
            pos += 1  # a "<" that starts no tag is text
            continue
        emit_text(pos)
        tag = match.group(0)
        text_from = pos = match.end()
        name = _NAME.match(tag).group(1).lower()  # type: ignore[union-attr]
        if tag.startswith("</"):
            out.append(Run(tag, None, "close", name, bool(skip)))
            if skip and skip[-1] == name:
                skip.pop()
            continue
        if tag.endswith("/>") or name in VOID:
            out.append(Run(tag, None, "void", name, bool(skip)))
            continue
        opens_skip = name in NEVER_TRANSLATED or name in ignore or bool(_NO.search(tag))
        if skip and name == skip[-1] and name not in NO_SELF_NESTING:
            skip.append(name)  # the same element nested inside a skipped one
        elif opens_skip and not (skip and name == skip[-1]):
            skip.append(name)
        out.append(Run(tag, None, "open", name, bool(skip)))
        if name in RAW_TEXT:  # up to its end tag, untouched, whatever it holds
            close = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(markup, pos)
            end = close.start() if close else len(markup)
            if end > pos:
                out.append(Run(markup[pos:end], None, "other", skip=True))
            text_from = pos = end
    emit_text(len(markup))
    return out


def _other_end(markup: str, pos: int) -> int | None:
    for opener, closer in _OTHER:
        if markup.startswith(opener, pos):
            end = markup.find(closer, pos + len(opener))
            return len(markup) if end == -1 else end + len(closer)
    return None


def text_run(raw: str, skipped: bool = False) -> Run:
    if skipped or not raw.strip():
        return Run(raw, None, skip=skipped)
    return Run(raw, html.unescape(raw))


def escape(text: str) -> str:
    """Translated text back into markup: only what must be escaped (& < >)."""
    return html.escape(text, quote=False)


# The attributes a reader sees or hears (tooltips, alt text, hints, screen readers).
READABLE = frozenset(("alt", "title", "placeholder", "aria-label"))
# One attribute after the tag name: a name, then maybe = and a value (quoted or bare).
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s"'>/=]+)(\s*=\s*)?("[^"]*"|'[^']*'|[^\s"'=<>`]*)?""")


def _attributes(tag: str) -> list[re.Match[str]]:
    """Each attribute of a tag, in order, read one after another (so a value that holds
    `title=` is a value, not an attribute)."""
    name = _NAME.match(tag)
    if name is None or tag.startswith("</"):
        return []
    out = []
    pos, end = name.end(), len(tag) - 1  # up to the closing ">"
    while pos < end and (m := _ATTRIBUTE.match(tag, pos, end)) and m.end() > pos:
        out.append(m)
        pos = m.end()
    return out


def _unquote(value: str) -> str:
    return html.unescape(value[1:-1] if value[:1] in "\"'" else value)


def attributes(tag: str) -> list[tuple[str, str]]:
    """(lower-case name, unescaped value) of each attribute of a tag ("" when bare)."""
    return [(m.group(1).lower(), _unquote(m.group(3) or "")) for m in _attributes(tag)]


def readable_attributes(tag: str) -> list[tuple[str, str]]:
    """(name, unescaped value) of each readable attribute of a tag."""
    return [
        (m.group(1).lower(), _unquote(m.group(3)))
        for m in _attributes(tag)
        if m.group(1).lower() in READABLE and m.group(3)
    ]


def with_attributes(tag: str, english: dict[str, str]) -> str:
    """The tag with each readable attribute's value swapped for its `english` (escaped for
    its quotes; a bare value gets double quotes); everything else byte for byte."""
    out, pos = [], 0
    for m in _attributes(tag):
        value = m.group(3)
        if m.group(1).lower() not in READABLE or not value or _unquote(value) not in english:
            continue
        quote = "'" if value.startswith("'") else '"'
        out += [tag[pos : m.start(3)], quote, html.escape(english[_unquote(value)]), quote]
        pos = m.end(3)
    return "".join(out) + tag[pos:]
