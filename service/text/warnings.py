"""Warnings on translated segments: cheap signals that a segment looks wrong.

    untranslated   the output is mostly the source, or still reads as Romanian
    repetition     a phrase repeated three times back to back (a decoding loop)
    length_ratio   output far shorter or longer than ro→en translations usually are
    split          the sentence was too long for the model and was translated in pieces

Thresholds are calibrated on WMT newstest2016's reference pairs (scripts/calibrate_warnings.py):
human translations should raise almost none of these. Every check is linear in the text: a
segment can be a 40,000-character run with no punctuation, and a warning must never cost
more than the translation it comments on.
"""

from __future__ import annotations

import re
from collections import Counter

# Character-length ratio English/Romanian: outside these bounds is rare in reference pairs
# (see the calibration script; the ratio is only judged on sources of MIN_CHARS or more).
RATIO_LOW = 0.5
RATIO_HIGH = 1.8
MIN_CHARS = 30
# Share of words that are Romanian-only function words or carry Romanian diacritics.
ROMANIAN_SHARE = 0.25
SAME_AS_SOURCE = 0.8

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
# Frequent Romanian words that are not also English words.
_RO_WORDS = frozenset(
    """
    și în că cu pentru care este sunt nu pe din la mai sau dar fost fi au al ale lui ei
    după până despre între prin fără foarte acest această aceste acestea acum unde cum când
    să se ce mult doar există poate trebuie avea avut anul anii țara român românia române
    guvernul ministrul președintele spus declarat potrivit iar chiar deja însă astfel
    de peste vor va fiind dintre asupra aici acolo ieri mâine astăzi
    si intr intre dupa pana fara aceasta tara
    """.split()
)
_DIACRITICS = set("ăâîșțĂÂÎȘȚ")


MAX_LOOP_WORDS = 6
# A 3–10-letter unit three or more times with nothing between ("CounCounCoun"): the loop a
# subword decoder makes inside one "word". Letters only: "000" and "---" are not loops.
# Bounded unit length, so the search is linear in the text.
_UNSPACED_LOOP = re.compile(r"([^\W\d_]{3,10}?)\1{2,}", re.IGNORECASE)


def has_loop(text: str) -> bool:
    """Whether some 1–6-word phrase repeats three times back to back, or a unit of letters
    repeats three times with no space between."""
    words = text.split()
    for k in range(1, MAX_LOOP_WORDS + 1):
        # words[i:i+k] three times in a row ⇔ words[j] == words[j+k] for 2k consecutive j
        run = 0
        for j in range(len(words) - k):
            run = run + 1 if words[j] == words[j + k] else 0
            if run >= 2 * k:
                return True
    return bool(_UNSPACED_LOOP.search(text))


def overlap(a: str, b: str) -> float:
    """Share of words the two texts have in common (Dice over word multisets, 0–1)."""
    x, y = Counter(_WORD.findall(a.lower())), Counter(_WORD.findall(b.lower()))
    total = sum(x.values()) + sum(y.values())
    return 2 * sum((x & y).values()) / total if total else 0.0


def romanian_share(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    hits = sum(1 for w in words if w.lower() in _RO_WORDS or _DIACRITICS & set(w))
    return hits / len(words)


def segment_warnings(source: str, translation: str, *, split: bool = False) -> tuple[str, ...]:
    warnings: list[str] = []
    src, out = source.strip(), translation.strip()
    if len(_WORD.findall(src)) >= 3 and (
        overlap(src, out) >= SAME_AS_SOURCE or romanian_share(out) >= ROMANIAN_SHARE
    ):
        warnings.append("untranslated")
    if has_loop(out):
        warnings.append("repetition")
    if len(src) >= MIN_CHARS and not RATIO_LOW <= len(out) / len(src) <= RATIO_HIGH:
        warnings.append("length_ratio")
    if split:
        warnings.append("split")
    return tuple(warnings)
