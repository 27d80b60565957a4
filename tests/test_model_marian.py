"""The production loading and decoding code on a tiny MarianMT checkpoint built locally."""

import pytest

from service.errors import ModelMissing
from service.pipeline.pipeline import Pipeline
from service.pipeline.types import TranslateOptions
from service.runtime.backend import Decoding
from service.runtime.factory import build_backend
from service.settings import Settings
from service.text.layout import paragraph_count

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

    def translate(self, texts, beam_size=None):
        p = self.pipeline
        return p.run(p.translate(texts, TranslateOptions(beam_size)))


@pytest.fixture(scope="module", params=["torch", "ctranslate2"])
def translator(request, tiny_marian):
    settings = Settings(translation_model=str(tiny_marian), backend=request.param, _env_file=None)
    t = Translator(settings)
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


def test_checkpoint_default_beams_and_override(translator):
    assert translator.backend.default_beam_size == 2  # from the checkpoint's generation_config
    greedy = translator.translate(["Guvernul a anunțat."], beam_size=1)[0].translation
    assert greedy


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


def test_sentence_longer_than_model_limit_is_split(translator):
    words = " ".join(["guvernul anunță măsuri noi"] * 300)  # ~1200 words, no punctuation
    count = len(translator.backend.encode([words])[0])
    assert count > 512
    seg = translator.translate([words], beam_size=1)[0].segments
    assert len(seg) == 1 and "split" in seg[0].warnings
    assert len(seg[0].translation) > 100


def test_output_length_is_bounded(translator):
    backend = translator.backend
    (out,) = backend.generate(backend.encode(["Da."]), Decoding(1, [5]))
    assert len(backend.tokenizer(out, add_special_tokens=False)["input_ids"]) <= 5 + 2


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
    from service.runtime.ct2 import CT2Backend

    first = CT2Backend(tiny_marian, name="a/b", cache_dir=tmp_path, threads=1)
    stamp = (first.path / "model.bin").stat().st_mtime_ns
    second = CT2Backend(tiny_marian, name="another-name", cache_dir=tmp_path, threads=1)
    assert second.path == first.path
    assert (second.path / "model.bin").stat().st_mtime_ns == stamp  # not converted again
    assert len(list((tmp_path / "ct2").iterdir())) == 1  # no leftovers from the conversion
