"""The pipeline's mechanics with a fake backend, through the real scheduler: structure,
order, nothing dropped, the cache, limits."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import EmptyInput, LimitExceeded
from service.pipeline.cache import SentenceCache
from service.pipeline.limits import Limits
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import TranslateOptions
from service.runtime.backend import Output
from service.settings import Settings
from tests.support.fakes import EchoBackend, fake_engines

ARTICLE = (
    "Şeful statului a vorbit. Apoi a plecat.\n"
    "Un rând nou.\n"
    "\n"
    "  Al doilea paragraf, cu „ghilimele”.  \n"
    "\n\n"
    "***\n"
    "Ultimul paragraf!"
)


class Run:
    """A pipeline over fake engines, called synchronously (as the CLI does)."""

    def __init__(self, backend=None, *, settings=None, **pipeline_kw) -> None:
        self.backend = backend or EchoBackend()
        engines = fake_engines(settings or Settings(_env_file=None), self.backend)
        self.pipeline = Pipeline(engines, **pipeline_kw)

    def translate(self, texts, beam_size=None):
        p = self.pipeline
        return p.run(p.translate(texts, TranslateOptions(beam_size)))


def make(backend=None, **kw):
    return Run(backend, **kw)


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
    tight = Settings(_env_file=None, batch_tokens=64, max_batch_size=4)
    result = make(backend, settings=tight).translate([" ".join(sentences)])[0]
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
    make(backend, settings=Settings(_env_file=None, batch_tokens=64)).translate(
        [" ".join(f"Propoziția {i}." for i in range(32))], beam_size=4
    )
    assert max(len(b) for b in backend.batches) <= 64 // 4 // 3
    assert set(backend.beams) == {4}


def test_beam_from_options_then_settings_then_the_checkpoint():
    backend = EchoBackend()
    backend.default_beam_size = 3
    seen = []
    for configured, asked in ((None, None), (2, None), (2, 5)):
        make(backend, beam_size=configured).translate(["Unu."], beam_size=asked)
        seen += backend.beams
    assert seen == [3, 2, 5]


def test_cache_translates_boilerplate_once_across_requests():
    backend = EchoBackend()
    run = make(backend, cache=SentenceCache(100))
    run.translate(["Sursa: Agerpres. Prima știre."])
    run.translate(["Sursa: Agerpres. A doua știre."])
    sent = [s for batch in backend.batches for s in batch]
    assert sent.count("Sursa: Agerpres.") == 1
    assert run.pipeline.cache.hits == 1
    run.translate(["Sursa: Agerpres."], beam_size=4)  # other decoding options: not a hit
    assert [s for batch in backend.batches for s in batch].count("Sursa: Agerpres.") == 2


def test_cache_is_bounded_and_keeps_scores_not_alternatives():
    c = SentenceCache(3)
    c.put_many(1, {f"s{i}": Output(f"t{i}", -0.1, ("alt",)) for i in range(5)})
    assert c.get_many(1, ["s0", "s1", "s2", "s3", "s4"]) == {
        f"s{i}": Output(f"t{i}", -0.1) for i in (2, 3, 4)
    }


def test_segment_limit_counts_pieces_of_split_sentences():
    words = " ".join(f"cuvânt{i}" for i in range(60))  # one sentence, 61 tokens to the fake
    run = make(max_segment_tokens=20, limits=Limits(max_segments=3))
    with pytest.raises(LimitExceeded) as err:
        run.translate([words])  # one sentence, but four pieces of ≤ 20 tokens
    assert err.value.limit == 3 and err.value.actual == 4
    assert len(run.translate([" ".join(words.split()[:30])])[0].segments) == 1  # 2 pieces: fine


@pytest.fixture(scope="module")
def shared_run():
    """One pipeline (and scheduler thread) for every generated example."""
    return make()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Bună ziua.", "Ce faci?", "dl. Ion", "\n", "\n\n", " ", "2026", "ș"]),
        max_size=40,
    ).map("".join)
)
def test_any_document_every_sentence_translated_once_in_place(shared_run, text):
    if not text.strip():
        with pytest.raises(EmptyInput):
            shared_run.translate([text])
        return
    result = shared_run.translate([text])[0]
    rebuilt = re.sub(r"EN\((.*?)\)", r"\1", result.translation)
    assert rebuilt == text  # unwrap the fake translation → the input, byte for byte
