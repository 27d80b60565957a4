"""Input normalisation applied before anything else sees the text."""

from __future__ import annotations

import unicodedata

# Romanian ș/ț are officially comma-below (U+0219/U+021B); legacy keyboards and fonts
# produce cedilla ş/ţ (U+015F/U+0163). The model's vocabulary saw mostly comma-below, so
# cedilla letters would be split into rare pieces or <unk>. Map them.
_CEDILLA_TO_COMMA = str.maketrans({"ş": "ș", "Ş": "Ș", "ţ": "ț", "Ţ": "Ț"})


def normalize_text(text: str) -> str:
    """NFC, LF line endings, comma-below Romanian letters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # NFC first: "s" + combining cedilla composes to ş, which the table then maps.
    return unicodedata.normalize("NFC", text).translate(_CEDILLA_TO_COMMA)
