"""The production loading and decoding code on a tiny MarianMT checkpoint built locally."""

from pathlib import Path

import pytest

from service.errors import ModelMissing
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import TranslateOptions
from service.runtime.backend import Decoding
from service.runtime.factory import build_backend
from service.runtime.marian_pieces import MarianPieces
from service.settings import Settings
from service.text.layout import paragraph_count
from tests.support.html import assert_structure_kept

pytestmark = pytest.mark.model

ARTICLE = (
    "Guvernul a anunțat astăzi un nou pachet de măsuri. Dl. Popescu a spus că bugetul crește.\n"
    "Peste 15.000 de oameni au protestat.\n"
    "\n"
    "„Nu vom accepta”, a spus liderul sindicatului. Ministerul a confirmat.\n"
    "\n"
    "Festivalul de film a adus mii de spectatori în oraș."
)


class Translator:
    """The production pipeline on a tiny checkpoint, called as the CLI calls it."""

    def __init__(self, settings: Settings) -> None:
        self.pipeline = Pipeline.for_files(settings)
        self.backend = self.pipeline.engines.need_translator()
        self.info = self.pipeline.status().models[0]

    def translate(self, texts, beam_size=None, markup="text"):
        p = self.pipeline
        return p.run(p.translate(texts, TranslateOptions(beam_size, markup=markup)))


@pytest.fixture(scope="module", params=["torch", "ctranslate2"])
def translator(request, tiny_marian):
    settings = Settings(translation_model=str(tiny_marian), backend=request.param, _env_file=None)
    t = Translator(settings)
    t.tiny = tiny_marian
    assert t.info.loaded and t.info.size_bytes and t.info.size_bytes > 10_000
    assert t.info.backend.startswith(request.param)
    yield t
    t.pipeline.engines.close()


def test_structure_and_segments(translator):
    result = translator.translate([ARTICLE])[0]
    out = result.translation
    assert out.count("\n") == ARTICLE.count("\n")
    assert paragraph_count(out) == paragraph_count(ARTICLE) == 3
    assert [s.paragraph for s in result.segments] == [0, 0, 0, 1, 1, 2]
    assert all(s.translation.strip() for s in result.segments)
    for seg in result.segments:
        assert seg.source in ARTICLE


def spy_on_generate(backend, monkeypatch) -> list[tuple[list, object, list]]:
    """Every (rows, decoding, outputs) the pipeline sends the backend from now on."""
    calls: list[tuple[list, object, list]] = []
    real = backend.generate

    def generate(rows, decoding):
        out = real(rows, decoding)
        calls.append((rows, decoding, out))
        return out

    monkeypatch.setattr(backend, "generate", generate)
    return calls


def test_checkpoint_default_beams_and_override(translator, monkeypatch):
    assert translator.backend.default_beam_size == 2  # from the checkpoint's generation_config
    calls = spy_on_generate(translator.backend, monkeypatch)
    greedy = translator.translate(["Primarul a vorbit ieri."], beam_size=1)[0].translation
    default = translator.translate(["Primarul a vorbit azi."])[0].translation
    assert greedy and default
    assert [decoding.beam_size for _, decoding, _ in calls] == [1, 2]


def test_the_backend_searches_with_the_beam_it_is_given(translator):
    """Greedy and beam-2 search differ somewhere on the tiny model: a backend that ignored
    `Decoding.beam_size` would give the same outputs for both."""
    backend = translator.backend
    rows = backend.encode(
        ["Guvernul a anunțat.", "Ploile au provocat inundații.", "Trenul a plecat.", "Da."]
    )
    greedy = backend.generate(rows, Decoding(1, [20] * 4))
    beam = backend.generate(rows, Decoding(2, [20] * 4))
    assert greedy != beam


@pytest.mark.parametrize("beam", [1, 2])
def test_each_row_of_a_batch_keeps_its_own_output_cap(translator, beam):
    """A short row batched with a long one stops at its own budget, not the batch's."""
    backend = translator.backend
    long = (
        "Ploile au provocat inundații în județele din Moldova, iar autoritățile au evacuat "
        "sute de oameni din satele afectate de revărsarea râurilor."
    )
    short, _ = backend.generate(backend.encode(["Da.", long]), Decoding(beam, [5, 200]))
    assert len(MarianPieces(translator.tiny).source.encode(short.text)) <= 5 + 2


def test_batched_equals_one_at_a_time(translator):
    sentences = [
        "Guvernul a anunțat astăzi.",
        "Ploile au provocat inundații în județele din Moldova.",
        "Salariul minim va fi majorat.",
        "Trenul va lega Bucureștiul de Constanța.",
    ]
    alone = [translator.translate([s], beam_size=1)[0].translation for s in sentences]
    together = translator.translate([" ".join(sentences)], beam_size=1)[0].segments
    assert [s.translation for s in together] == alone


def test_cedilla_and_comma_below_translate_identically(translator):
    a = translator.translate(["Şeful ţării a vorbit."], beam_size=1)[0].translation
    b = translator.translate(["Șeful țării a vorbit."], beam_size=1)[0].translation
    assert a == b


def test_sentence_longer_than_model_limit_is_split(translator, monkeypatch):
    # ~1200 words, no punctuation, numbered so that no two pieces are the same text
    words = " ".join(f"guvernul anunță {i} măsuri noi" for i in range(240))
    count = len(translator.backend.encode([words])[0])
    assert count > 512
    calls = spy_on_generate(translator.backend, monkeypatch)
    seg = translator.translate([words], beam_size=1)[0].segments
    assert len(seg) == 1 and "split" in seg[0].warnings
    rows = [row for batch, _, _ in calls for row in batch]
    outputs = [out for _, _, batch in calls for out in batch]
    limit = min(Settings(_env_file=None).max_segment_tokens, translator.backend.max_input_tokens)
    assert len(rows) >= count / limit and all(len(row) <= limit for row in rows)
    # every piece was translated and is in the sentence's translation
    assert all(out.text.strip() and out.text.strip() in seg[0].translation for out in outputs)


def test_output_length_is_bounded(translator):
    backend = translator.backend
    (out,) = backend.generate(backend.encode(["Da."]), Decoding(1, [5]))
    out = out.text
    # The random model emits pieces of the shared vocabulary, mostly Romanian ones: the source
    # side's SentencePiece measures them as the model produced them.
    assert len(MarianPieces(translator.tiny).source.encode(out)) <= 5 + 2


def test_missing_hub_model_names_folder_and_command(tmp_path):
    with pytest.raises(ModelMissing) as err:
        build_backend(
            Settings(
                translation_model="Helsinki-NLP/opus-mt-roa-en",
                model_cache=tmp_path,
                _env_file=None,
            )
        )
    msg = str(err.value)
    assert (
        "Helsinki-NLP/opus-mt-roa-en" in msg
        and str(tmp_path) in msg
        and "roen models download" in msg
    )


def test_missing_local_folder(tmp_path):
    with pytest.raises(ModelMissing, match=r"no config\.json"):
        build_backend(Settings(translation_model=str(tmp_path / "nope"), _env_file=None))


def test_ct2_conversion_is_reused_across_names_and_starts(tiny_marian, tmp_path):
    from service.models.convert import ensure_converted, find_converted, read_meta

    first = ensure_converted(tiny_marian, "a/b", tmp_path, "int8")
    stamp = (first / "model.bin").stat().st_mtime_ns
    second = ensure_converted(tiny_marian, "another-name", tmp_path, "int8")
    assert second == first
    assert (second / "model.bin").stat().st_mtime_ns == stamp  # not converted again
    assert len(list((tmp_path / "ct2").iterdir())) == 1  # no leftovers from the conversion
    assert read_meta(first)["names"] == ["a/b", "another-name"]
    # found by either name when the checkpoint is not on disk (a baked image)
    assert find_converted("another-name", tmp_path, "int8", None) == first
    assert find_converted("a/b", tmp_path, "int8", None) == first
    assert find_converted("a/b", tmp_path, "float32", None) is None


def test_serving_refuses_a_checkpoint_that_was_not_converted(tiny_marian, tmp_path):
    settings = Settings(translation_model=str(tiny_marian), model_cache=tmp_path, _env_file=None)
    with pytest.raises(ModelMissing) as err:
        build_backend(settings)
    msg = str(err.value)
    assert "not been converted" in msg and "roen models download" in msg and str(tmp_path) in msg


def test_the_runtime_form_serves_without_its_checkpoint(tiny_marian, tmp_path):
    """A baked image carries only the converted folder: the model is found by name."""
    import shutil

    from service.models.convert import ensure_converted

    copy = shutil.copytree(tiny_marian, tmp_path / "ckpt")
    ensure_converted(copy, "org/tiny", tmp_path / "cache", "int8")
    shutil.rmtree(copy)
    settings = Settings(
        translation_model="org/tiny", model_cache=tmp_path / "cache", _env_file=None
    )
    backend, info = build_backend(settings)
    (out,) = backend.generate(backend.encode(["Bună ziua."]), Decoding(1, [6]))
    assert out.text and info.path.startswith(str(tmp_path / "cache" / "ct2"))


def test_a_news_page_in_html_keeps_its_structure(translator):
    """The real path (tokenizer, engine, placement or its run-by-run floor) on a CMS page:
    every element and never-translated byte back, nested as it was, each segment with its
    block's path and some English."""
    page = (Path(__file__).parent.parent / "data" / "html" / "article.html").read_text()
    result = translator.translate([page], markup="html")[0]
    assert_structure_kept(page, result.translation)
    assert result.segments and all(s.path and s.translation.strip() for s in result.segments)
    assert "Guvernul a aprobat" not in result.translation.split("<body", 1)[1]


def test_serving_and_corpus_runs_batch_within_their_own_budgets(tiny_marian):
    """A replica's batches are held to ROEN_BATCH_TOKENS (its memory); a corpus run, which
    owns its machine, to ROEN_CORPUS_BATCH_TOKENS."""
    from service.pipeline.engines import Engines

    settings = Settings(
        translation_model=str(tiny_marian),
        batch_tokens=256,
        corpus_batch_tokens=1024,
        _env_file=None,
    )
    assert Engines(settings).scheduler.batch_tokens == 256
    pipeline = Pipeline.for_files(settings)
    try:
        assert pipeline.engines.scheduler.batch_tokens == 1024
    finally:
        pipeline.engines.close()
    assert Settings(_env_file=None).batch_tokens < Settings(_env_file=None).corpus_batch_tokens


def test_scores_and_alternatives_come_from_the_engine(translator):
    """CTranslate2 gives each row its length-normalised log-probability (a confidence in
    (0, 1]) and, asked for n-best, distinct alternatives; the torch reference gives the
    alternatives and no score."""
    backend = translator.backend
    rows = backend.encode(["Guvernul a anunțat măsuri noi.", "Trenul a plecat."])
    outs = backend.generate(rows, Decoding(1, [20, 20], hypotheses=3))
    for out in outs:
        assert len(out.alternatives) <= 2 and out.text not in out.alternatives
        assert len(set(out.alternatives)) == len(out.alternatives)
    if backend.label.startswith("ctranslate2"):
        assert all(out.score is not None and out.score <= 0 for out in outs)
        assert any(out.alternatives for out in outs)  # a beam of 3 finds other words
    else:
        assert all(out.score is None for out in outs)
    (one,) = backend.generate(rows[:1], Decoding(1, [20]))
    assert (one.alternatives == () and one.text == outs[0].text) or one.text
