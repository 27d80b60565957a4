import unicodedata

from service.text.normalize import normalize_text


def test_cedilla_letters_become_comma_below():
    assert normalize_text("Şeful ţării, ştiinţă, ŞŢ") == "Șeful țării, știință, ȘȚ"


def test_decomposed_cedilla_is_composed_then_mapped():
    decomposed = "s\u0327i t\u0327ara"  # s + combining cedilla
    assert normalize_text(decomposed) == "și țara"


def test_nfc_and_line_endings():
    text = "a\u0306 e\u0301\r\nb\rc"
    out = normalize_text(text)
    assert out == unicodedata.normalize("NFC", "ă é") + "\nb\nc"


def test_other_text_untouched():
    text = "  Brașov — 15.000 de „oameni” 🙂\n\n"
    assert normalize_text(text) == text
