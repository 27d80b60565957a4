"""The translator's mechanics with a fake backend: structure, order, nothing dropped."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from service.engine.translator import Translator
from tests.fakes import EchoBackend

ARTICLE = (
    "Şeful statului a vorbit. Apoi a plecat.\n"
    "Un rând nou.\n"
    "\n"
    "  Al doilea paragraf, cu „ghilimele”.  \n"
    "\n\n"
    "***\n"
    "Ultimul paragraf!"
)


def make(backend=None, **kw):
    return Translator(backend or EchoBackend(), model_name="echo", **kw)


def test_structure_is_rebuilt_around_translations():
    result = make().translate([ARTICLE])[0]
    assert result.translation == (
        "EN(Șeful statului a vorbit.) EN(Apoi a plecat.)\n"
        "EN(Un rând nou.)\n"
        "\n"
        "  EN(Al doilea paragraf, cu „ghilimele”.)  \n"
        "\n\n"
        "***\n"
        "EN(Ultimul paragraf!)"
    )


def test_one_segment_per_sentence_with_paragraph_index():
    segs = make().translate([ARTICLE])[0].segments
    assert [(s.source, s.paragraph) for s in segs] == [
        ("Șeful statului a vorbit.", 0),
        ("Apoi a plecat.", 0),
        ("Un rând nou.", 0),
        ("Al doilea paragraf, cu „ghilimele”.", 1),
        ("***", 2),
        ("Ultimul paragraf!", 2),
    ]
    assert segs[4].translation == "***"  # verbatim: never sent to the model


def test_cedilla_normalised_before_the_model():
    backend = EchoBackend()
    make(backend).translate(["Ştiinţa şi ţara."])
    assert backend.batches == [["Știința și țara."]]


def test_order_survives_length_sorted_batches():
    sentences = [f"Propoziția {'foarte ' * (i * 7 % 13)}lungă {i}." for i in range(40)]
    backend = EchoBackend()
    result = make(backend, batch_tokens=40, max_batch_size=4).translate([" ".join(sentences)])[0]
    assert [s.translation for s in result.segments] == [f"EN({s})" for s in sentences]
    assert len(backend.batches) > 5  # really batched
    for batch in backend.batches:
        assert len(batch) <= 4


def test_many_texts_keep_their_own_results_and_duplicates_run_once():
    backend = EchoBackend()
    out = make(backend).translate(["Unu. Doi.", "Doi. Trei.", ""])
    assert [r.translation for r in out] == ["EN(Unu.) EN(Doi.)", "EN(Doi.) EN(Trei.)", ""]
    sent = [t for b in backend.batches for t in b]
    assert sorted(sent) == ["Doi.", "Trei.", "Unu."]


def test_long_sentence_is_split_not_cut():
    words = [f"cuvânt{i}" for i in range(3000)]
    backend = EchoBackend(max_input_tokens=510)
    result = make(backend, max_segment_tokens=100).translate([" ".join(words)])[0]
    assert len(result.segments) == 1
    seg = result.segments[0]
    assert "split" in seg.warnings  # (and "untranslated": the fake echoes its source)
    parts = re.findall(r"EN\((.*?)\)", seg.translation)
    assert len(parts) >= 30
    assert all(len(p.split()) + 1 <= 100 for p in parts)
    assert " ".join(parts).split() == words  # every word, in order


def test_beam_budget_shrinks_batches():
    backend = EchoBackend()
    make(backend, batch_tokens=64).translate(
        [" ".join(f"Propoziția {i}." for i in range(32))], beam_size=4
    )
    assert max(len(b) for b in backend.batches) <= 64 // 4 // 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Bună ziua.", "Ce faci?", "dl. Ion", "\n", "\n\n", " ", "2026", "ș"]),
        max_size=40,
    ).map("".join)
)
def test_any_document_every_sentence_translated_once_in_place(text):
    result = make().translate([text])[0]
    rebuilt = re.sub(r"EN\((.*?)\)", r"\1", result.translation)
    assert rebuilt == text  # unwrap the fake translation → the input, byte for byte
