"""Spans no model should touch, found in a sentence: by default emoji, links, e-mail
addresses, @mentions, #hashtags and Weblate's [X6X] placeholders; on request the presets
of PRESETS or a caller's own pattern with `*` wildcards ("${*}"). Each comes back byte for
byte (service/terms/apply.py). Every pattern starts at a literal character and its repeats
are bounded or possessive, so a text costs a bounded number of steps a character (checked on
adversarial texts in tests/unit/test_terms.py); no caller-supplied regex runs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.errors import InvalidField

_TRAILING = ".,;:!?)]}»”’'\""  # punctuation that ends a sentence, not a link
_EMOJI_CHAR = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
DEFAULT = {
    "url": r"\b(?:https?://|www\.)[^\s<>\"]+",
    "email": r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+",
    "mention": r"(?<![\w@/])@\w+(?:@[\w-]+(?:\.[\w-]+)+)?",
    "hashtag": r"(?<![\w#&/])#[^\W\d_]\w*",
    "emoji": (
        rf"(?:[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_CHAR}][\ufe0f\U0001f3fb-\U0001f3ff]*)"
        rf"(?:\u200d[{_EMOJI_CHAR}][\ufe0f\U0001f3fb-\U0001f3ff]*)*"
    ),
    "weblate": r"\[X\d+X\]",
}
PRESETS = {
    "braces": r"\{\{[^{}\n]{0,200}\}\}|\{[\w.]{1,100}\}",  # {{person.name}}, {count}
    "printf": r"%(?:\d{1,3}\$)?[-+ #0]{0,5}\d{0,3}(?:\.\d{1,3})?[sdifuxXeEgGcp]|%%",  # %1$s, %.2f
    "xnx": r"\[X\d+X\]",
    "shortcode": r"(?<!\w):[a-z0-9_+-]{1,50}:(?!\w)",  # :thumbsup:
}
# What each kind of span must hold: a sentence with none of these has no span to look for
# (one scan of a character class, ~2 µs, instead of every pattern, ~20 µs).
TRIGGERS = {
    "url": "://|www\\.",
    "email": "@",
    "mention": "@",
    "hashtag": "#",
    "emoji": f"[{_EMOJI_CHAR}]",
    "weblate": "\\[",
    "braces": "\\{",
    "printf": "%",
    "xnx": "\\[",
    "shortcode": ":",
}
MAX_PATTERNS = 20
MAX_PATTERN_CHARS = 100


@dataclass(frozen=True, slots=True)
class Protected:
    start: int
    end: int
    kind: str  # the default's or preset's name, or "pattern"


class Protector:
    def __init__(self, protect: tuple[str, ...] = (), *, defaults: bool = True) -> None:
        parts = [(name, p) for name, p in DEFAULT.items()] if defaults else []
        triggers = [TRIGGERS[name] for name, _ in parts]
        for item in protect:
            if item in PRESETS:
                parts.append((item, PRESETS[item]))
                triggers.append(TRIGGERS[item])
            else:
                parts.append(("pattern", _wildcard(item)))
                triggers.append(re.escape(item.strip("*")[0]))  # its first literal
        self.kinds = [name for name, _ in parts]
        self._re = re.compile("|".join(f"({p})" for _, p in parts)) if parts else None
        self._trigger = re.compile("|".join(dict.fromkeys(triggers))) if parts else None

    def find(self, text: str) -> list[Protected]:
        if self._re is None or self._trigger is None or not self._trigger.search(text):
            return []
        out = []
        for m in self._re.finditer(text):
            start, end = m.span()
            kind = self.kinds[m.lastindex - 1] if m.lastindex else "pattern"
            if kind == "url":  # a sentence's full stop or closing bracket is not the link's
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
            if end > start:
                out.append(Protected(start, end, kind))
        return out


def _wildcard(pattern: str) -> str:
    """A caller's placeholder pattern: literal text, each `*` up to 100 characters that are
    not spaces nor the literal character after it. Possessive and bounded: each place in
    a text is tried in at most 100 steps a wildcard, never backtracked into."""
    pieces = pattern.split("*")
    if not pattern or len(pattern) > MAX_PATTERN_CHARS or (not pieces[0] and not pieces[-1]):
        raise InvalidField(
            f"protect takes preset names ({', '.join(PRESETS)}) or patterns of at most "
            f"{MAX_PATTERN_CHARS} characters with * wildcards between literal text "
            f'("${{*}}", "<*>"); {pattern!r} is neither.',
            field="protect",
        )
    out = re.escape(pieces[0])
    for after in pieces[1:]:
        stop = re.escape(after[0]) if after else ""
        out += rf"[^\s{stop}]{{0,100}}+" + re.escape(after)
    return out


def protector(protect: list[str] | tuple[str, ...]) -> Protector:
    if len(protect) > MAX_PATTERNS:
        raise InvalidField(f"protect takes at most {MAX_PATTERNS} patterns.", field="protect")
    return Protector(tuple(dict.fromkeys(protect)))
