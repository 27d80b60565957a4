from hypothesis import given
from hypothesis import strategies as st

from service.text.layout import Piece, layout, paragraph_count

ARTICLE = (
    "  Titlu: alegeri la Iași\n"
    "\n"
    "Prima propoziție. A doua propoziție!\n"
    "Un rând nou, în același paragraf.\n"
    "\n\n"
    "\tAl treilea paragraf... cu indentare. https://www.gov.ro  \n"
    "***\n"
)


def test_pieces_rebuild_the_text_exactly():
    assert "".join(p.text for p in layout(ARTICLE)) == ARTICLE


def test_paragraph_indices_follow_blank_lines():
    sentences = [(p.text, p.paragraph) for p in layout(ARTICLE) if p.kind != "glue"]
    assert sentences == [
        ("Titlu: alegeri la Iași", 0),
        ("Prima propoziție.", 1),
        ("A doua propoziție!", 1),
        ("Un rând nou, în același paragraf.", 1),
        ("Al treilea paragraf... cu indentare. https://www.gov.ro", 2),
        ("***", 2),
    ]
    assert paragraph_count(ARTICLE) == 3


def test_every_piece_carries_its_paragraph_and_line():
    """The whole layout, glue included: a line's newline belongs to that line, a blank line
    to the paragraph that follows it, and no piece is empty."""
    g, s = "glue", "sentence"
    assert layout("Ana are mere.  Ion nu. \n  \n\n Doi. 2026\nTrei") == [
        Piece("Ana are mere.", s, 0, 0),
        Piece("  ", g, 0, 0),
        Piece("Ion nu.", s, 0, 0),
        Piece(" ", g, 0, 0),
        Piece("\n", g, 0, 0),
        Piece("  ", g, 1, 1),
        Piece("\n", g, 1, 1),
        Piece("\n", g, 1, 2),
        Piece(" ", g, 1, 3),
        Piece("Doi.", s, 1, 3),
        Piece(" ", g, 1, 3),
        Piece("2026", "verbatim", 1, 3),
        Piece("\n", g, 1, 3),
        Piece("Trei", s, 1, 4),
    ]
    # Blank lines before the first text open no paragraph of their own.
    assert layout("\n \nAna.") == [
        Piece("\n", g, 0, 0),
        Piece(" ", g, 0, 1),
        Piece("\n", g, 0, 1),
        Piece("Ana.", s, 0, 2),
    ]


def test_text_without_letters_and_lone_urls_pass_verbatim():
    kinds = {
        p.text: p.kind for p in layout("***\nhttps://ex.ro/x\n2026\ncontact@gov.ro\nBună ziua.")
    }
    assert kinds["***"] == kinds["https://ex.ro/x"] == kinds["2026"] == "verbatim"
    assert kinds["contact@gov.ro"] == "verbatim"
    assert kinds["Bună ziua."] == "sentence"


_text = st.lists(
    st.sampled_from([*"ab ȘțĂ.!?\n\t „”", "Dl. ", "nr. 5", "\n\n", "\r\n", "***"]),
    max_size=80,
).map("".join)


@given(_text)
def test_any_text_is_covered_and_glue_is_whitespace(text):
    pieces = layout(text)
    assert "".join(p.text for p in pieces) == text
    for p in pieces:
        if p.kind == "glue":
            assert p.text.strip() == ""
        else:
            assert p.text.strip() == p.text and p.text
    # paragraph indices never decrease and count the non-blank paragraphs
    indices = [p.paragraph for p in pieces if p.kind != "glue"]
    assert indices == sorted(indices)
    assert len(set(indices)) == paragraph_count(text)


def test_paragraphs_keep_their_indentation_and_lose_only_the_blank_lines():
    """The form's side-by-side view pairs paragraphs; a paragraph's own leading spaces (a
    poem, a quote) are its content."""
    from service.text.layout import paragraphs

    assert paragraphs("  Indentat.\n\n\n  Al doilea\nrând.\n") == [
        "  Indentat.",
        "  Al doilea\nrând.",
    ]
    assert paragraphs("\nXenia a plecat X\n") == ["Xenia a plecat X"]  # only newlines go
