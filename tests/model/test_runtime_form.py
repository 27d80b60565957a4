"""The torch-free runtime gives what the torch stack gives: the same Marian token ids and
decoded text, the same sentence vectors (to cosine 0.999) and the same extractive picks;
and `roen serve` never imports torch or transformers.

The equivalence checks read ../shared/data (beside the checkout in CI and on developer
machines), as the issue's figures are stated on it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.runtime.marian_pieces import MarianPieces

pytestmark = pytest.mark.model

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
WMT = SHARED / "wmt16"


def _lines(name: str) -> list[str]:
    path = WMT / name
    assert path.is_file(), f"shared data missing: {path}"
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def opus_size_tokenizer(tmp_path_factory) -> Path:
    """The tokenizer files of the benchmark's opus-size model (16k SentencePiece pieces per
    side, 60k vocabulary), without its weights."""
    from service.models.random_marian import VOCAB_SIZE, write_random_tokenizer

    out = tmp_path_factory.mktemp("opus-size-tokenizer")
    ro, en = _lines("newstest2016.ro"), _lines("newstest2016.en")
    write_random_tokenizer(out, ro, en, spm_vocab=16_000, vocab_size=VOCAB_SIZE)
    return out


@pytest.fixture(params=["tiny", "opus-size"])
def tokenizer_folder(request, tiny_marian, opus_size_tokenizer) -> Path:
    return tiny_marian if request.param == "tiny" else opus_size_tokenizer


def _pair(folder: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder), MarianPieces(folder)


def test_marian_ids_equal_on_every_newstest_line(tokenizer_folder):
    hf, ours = _pair(tokenizer_folder)
    lines = _lines("newstest2016.ro")
    assert len(lines) == 1999
    expected = hf(lines)["input_ids"]
    differ = [i for i, line in enumerate(lines) if ours.ids(line) != expected[i]]
    assert not differ, f"{len(differ)} lines differ, first: {lines[differ[0]]!r}"


def test_decoded_text_equals_on_every_newstest_reference(tokenizer_folder):
    """What CTranslate2 hands back is target-side pieces: both turn them into the same text."""
    hf, ours = _pair(tokenizer_folder)
    for line in _lines("newstest2016.en"):
        pieces = ours.target.encode(line, out_type=str)
        assert ours.detokenize(pieces) == hf.convert_tokens_to_string(pieces), line


SPECIALS = st.sampled_from(["</s>", "<unk>", "<pad>", ">>ron<<", ">>", "<<", " ", "\n", "\t"])
TEXT = st.lists(st.one_of(st.text(max_size=12), SPECIALS), max_size=8).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_ids_equal_on_any_text(tiny_marian, text):
    hf, ours = _cached_pair(tiny_marian)
    assert ours.ids(text) == hf(text)["input_ids"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_piece_sequence_decodes_alike(tiny_marian, data):
    hf, ours = _cached_pair(tiny_marian)
    vocab = sorted(ours.vocab)
    pieces = data.draw(st.lists(st.sampled_from(vocab), max_size=20))
    assert ours.detokenize(pieces) == hf.convert_tokens_to_string(pieces)


_PAIRS: dict[Path, tuple] = {}


def _cached_pair(folder: Path):
    if folder not in _PAIRS:
        _PAIRS[folder] = _pair(folder)
    return _PAIRS[folder]


# --- sentence embeddings ---------------------------------------------------------------


class TorchMiniLM:
    """The torch path the runtime replaced: transformers' model, mean-pooled, normalised."""

    def __init__(self, path: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(2)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()

    def embed(self, sentences: list[str]) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(sentences), 64):
                batch = self.tokenizer(
                    sentences[i : i + 64],
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out)


def _articles() -> list[list[str]]:
    path = WMT / "newsdev2016-roen-ref.en.sgm"
    assert path.is_file(), f"shared data missing: {path}"
    text = path.read_text(encoding="utf-8")
    return [
        [s.strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", body, re.S)]
        for body in re.findall(r"<doc[^>]*>(.*?)</doc>", text, re.S)
    ]


@pytest.fixture(scope="module")
def embedders(tiny_marian):
    """(torch reference, runtime embedder); tiny_marian's fixture converted the embedder."""
    from service.models.prepare import embedder
    from service.settings import Settings
    from service.summarize.embeddings import SentenceEmbedder

    need = embedder(Settings(_env_file=None))
    return TorchMiniLM(need.locate()), SentenceEmbedder(need.runtime(), threads=2)


@pytest.mark.slow
def test_embeddings_match_torch_on_1000_sentences(embedders):
    reference, runtime = embedders
    sentences = _lines("newstest2016.en")[:1000]
    cosine = (reference.embed(sentences) * runtime.embed(sentences)).sum(1)
    assert cosine.shape == (1000,)
    assert cosine.min() >= 0.999, f"lowest cosine {cosine.min():.5f}"


class Remembered:
    """Embeds each article once for the three summary lengths."""

    def __init__(self, inner) -> None:
        self.inner, self.seen = inner, {}

    def embed(self, sentences: list[str]) -> np.ndarray:
        key = tuple(sentences)
        if key not in self.seen:
            self.seen[key] = self.inner.embed(sentences)
        return self.seen[key]


@pytest.mark.slow
def test_extractive_summaries_pick_the_same_sentences_on_newsdev(embedders):
    from service.summarize.extractive import ExtractiveSummarizer

    reference, runtime = embedders
    articles = _articles()
    assert len(articles) == 111
    by_torch = ExtractiveSummarizer(Remembered(reference))
    by_runtime = ExtractiveSummarizer(Remembered(runtime))
    compared = 0
    for sentences in articles:
        for k in (3, 5, 8):
            if len(sentences) <= k:
                continue
            a = by_torch.summarize(sentences, max_sentences=k).sentences
            b = by_runtime.summarize(sentences, max_sentences=k).sentences
            assert a == b, sentences[0]
            compared += 1
    assert compared > 250


# --- the serving process -----------------------------------------------------------------

BLOCKER = """import os, traceback
with open(os.environ["ROEN_TEST_IMPORT_LOG"], "a") as log:
    log.write("imported {name}:\\n" + "".join(traceback.format_stack()) + "\\n")
raise ImportError("{name} was imported by the serving process")
"""


def test_roen_serve_never_imports_torch_or_transformers(tiny_marian, tmp_path):
    """Torch and transformers are replaced by modules that log who imports them: the server
    then loads both models, answers every kind of request, and the log stays empty."""
    import httpx

    from tests.support.live_server import Server

    for name in ("torch", "transformers"):
        (tmp_path / "stubs" / name).mkdir(parents=True)
        (tmp_path / "stubs" / name / "__init__.py").write_text(BLOCKER.format(name=name))
    log = tmp_path / "imports.log"
    server = Server(
        {
            "PYTHONPATH": str(tmp_path / "stubs"),
            "ROEN_TEST_IMPORT_LOG": str(log),
            "ROEN_TRANSLATION_MODEL": str(tiny_marian),
            "ROEN_MODEL_CACHE": os.environ["ROEN_MODEL_CACHE"],
        }
    )
    try:
        server.wait_ready(120)
        text = (
            "Guvernul a anunțat un nou pachet de măsuri. Ministerul a confirmat vestea. "
            "Sindicatele au cerut salarii mai mari. Premierul a spus că bugetul crește. "
            "Opoziția a criticat planul. Festivalul de film a adus mii de spectatori."
        )
        with httpx.Client(base_url=server.base, timeout=60) as http:
            models = http.get("/v1/models").json()
            assert all(m["loaded"] for m in models["models"]), models
            assert http.post("/v1/translate", json={"text": text}).status_code == 200
            # six sentences, two picked: the embedder ranks them
            digest = http.post("/v1/digest", json={"text": text, "max_sentences": 2})
            assert digest.status_code == 200 and len(digest.json()["summary_sentences"]) == 2
            assert http.post("/", data={"text": text}).status_code == 200
            lt = http.post("/translate", json={"q": text, "source": "auto", "target": "en"})
            assert lt.status_code == 200, lt.text
            assert http.get("/metrics").status_code == 200
    finally:
        server.stop()
    assert not log.exists(), log.read_text()
    assert "Traceback" not in server.log(), server.log()


# --- finding and making the runtime form ----------------------------------------------------


def test_the_embedder_is_found_by_name_without_its_wheel(tiny_marian, monkeypatch, tmp_path):
    """The runtime image has no wheel (nor torch): its conversion is enough; and with neither,
    the message says what to install and run."""
    from service.errors import ModelMissing
    from service.models import prepare
    from service.settings import Settings

    converted = prepare.embedder(Settings(_env_file=None)).runtime()

    def no_wheel() -> Path:
        raise ModelMissing("all-MiniLM-L6-v2", "site-packages", detail="no wheel here")

    monkeypatch.setattr(prepare, "packaged_minilm", no_wheel)
    assert prepare.embedder(Settings(_env_file=None)).runtime() == converted
    with pytest.raises(ModelMissing, match="no wheel here"):
        prepare.embedder(Settings(_env_file=None, model_cache=tmp_path)).runtime()


def test_converting_without_torch_names_the_extra_before_downloading(monkeypatch, tmp_path):
    import importlib.util

    from service.errors import ModelError
    from service.models.prepare import Needed

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("torch", "transformers") else real(name, *a),
    )
    fetched: list[str] = []

    def fetch() -> Path:
        fetched.append("org/model")
        return tmp_path

    need = Needed("translation", "org/model", fetch, fetch, tmp_path, "int8")
    with pytest.raises(ModelError, match=r"pip install 'roen\[convert\]'"):
        need.prepare()
    assert fetched == []  # nothing downloaded that could not be converted


def test_hub_snapshots_are_found_as_huggingface_hub_finds_them(tmp_path):
    """Serving reads the hub cache layout itself (no huggingface_hub in a serving install):
    the same folder as the hub client's offline lookup, and nothing where it finds nothing."""
    from huggingface_hub import snapshot_download

    from service.errors import ModelMissing
    from service.models.resolve import resolve_model

    repo = tmp_path / "models--org--marian"
    for revision in ("1" * 40, "2" * 40):
        (repo / "snapshots" / revision).mkdir(parents=True)
        (repo / "snapshots" / revision / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("2" * 40)
    hub = snapshot_download("org/marian", cache_dir=tmp_path, local_files_only=True)
    assert resolve_model("org/marian", tmp_path) == Path(hub) == repo / "snapshots" / ("2" * 40)
    with pytest.raises(ModelMissing):
        resolve_model("org/other", tmp_path)
    (repo / "refs" / "main").unlink()
    with pytest.raises(ModelMissing):
        resolve_model("org/marian", tmp_path)
