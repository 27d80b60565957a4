"""Does an English sentence lean on the one before it? ("But …", "He …", "After that …")

An extractive summary lifts sentences out of their article; one that opens with a connective
or a pronoun then points at something the reader never saw. This is a word-list heuristic,
not a parser: it looks only at the first few words, so it is cheap and deterministic, and a
miss costs no more than the summariser did before.
"""

from __future__ import annotations

import re

# A sentence opening with one of these continues or answers the previous sentence.
_CONNECTIVES = frozenset(
    """
    and but or nor so yet also then still however meanwhile instead moreover furthermore
    besides nevertheless nonetheless otherwise thus hence therefore consequently likewise
    similarly accordingly afterwards afterward additionally conversely indeed such
    """.split()
)
# Pronouns whose referent is in an earlier sentence. "I" and "you" are left out: in news
# they open quotes, which are attributed in the same sentence often enough.
_PRONOUNS = frozenset("he she they it his her hers its their theirs him them we our".split())
_DEMONSTRATIVES = frozenset("this that these those".split())
# "This year", "these days" point at the time of writing, not at the previous sentence
# ("This time, …" is not here: it compares with an earlier time, so it does lean back).
_DEICTIC_TIME = frozenset(
    """
    year week month weekend morning afternoon evening night summer winter spring autumn
    season days
    """.split()
)
# Openings of more than one word that continue the previous sentence.
_OPENING_PHRASES = (
    "as a result",
    "in addition",
    "on the other hand",
    "by contrast",
    "in contrast",
    "at the same time",
    "for this reason",
    "for example",
    "for instance",
    "even so",
    "in turn",
)
# Back-references that may also come a few words in: "Muhammad recalled blacking out after
# that". "The former" is not here: in news it is nearly always "the former president".
_BACK_REFERENCES = (
    "after that",
    "after this",
    "before that",
    "since then",
    "until then",
    "by then",
    "despite this",
    "despite that",
    "because of this",
    "because of that",
    "the latter",
)
_EARLY_WORDS = 8  # how far into the sentence a back-reference still points at the last one
_WORD = re.compile(r"[^\W\d_]+")  # letters only: "He's" → "He", "Hebrew" stays "Hebrew"


def opens_anaphorically(sentence: str) -> bool:
    """True if the sentence needs the one before it to make sense on its own."""
    words = _WORD.findall(sentence[:200])[:_EARLY_WORDS]  # only the opening is looked at
    if not words:
        return False
    # "IT", "US": an acronym is not a pronoun.
    first = words[0].lower() if not words[0][1:].isupper() else ""
    second = words[1].lower() if len(words) > 1 else ""
    if first in _CONNECTIVES or first in _PRONOUNS:
        return (first, second) != ("so", "far")  # "So far, …" is about now
    if first in _DEMONSTRATIVES:
        return not (first in {"this", "these"} and second in _DEICTIC_TIME)
    opening = f" {' '.join(words).lower()} "  # spaces around every word: whole words only
    return opening.startswith(tuple(f" {p} " for p in _OPENING_PHRASES)) or any(
        f" {p} " in opening for p in _BACK_REFERENCES
    )
