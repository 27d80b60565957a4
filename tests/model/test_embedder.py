"""The summariser's numpy BERT encoder: exact maths, weights kept float16, memory bounded on
long sentences, and a conversion step that refuses what it cannot run.

Its vectors against torch's (cosine ≥ 0.999 on 1,000 sentences, the same extractive picks
on newsdev) are checked in test_runtime_form.py.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.summarize.bert import gelu_
from service.summarize.embeddings import BATCH_TOKENS, token_batches


def test_gelu_is_the_exact_erf_gelu():
    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    got = gelu_(x.copy())
    assert np.abs(got - exact).max() < 2e-6
    assert np.isfinite(got).all()  # the tails: exp underflows to 0, never to NaN
    assert abs(got[0]) < 1e-30 and got[-1] == np.float32(12)


@given(st.lists(st.integers(1, 256), max_size=300))
def test_batches_take_every_row_once_within_the_token_budget(lengths):
    rows = [[7] * n for n in lengths]
    batches = token_batches(rows)
    assert sorted(i for b in batches for i in b) == list(range(len(rows)))
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= BATCH_TOKENS


@pytest.fixture(scope="module")
def runtime_folder(tiny_marian) -> Path:
    """The default embedder's runtime folder (tiny_marian's fixture converted it)."""
    from service.models.prepare import embedder
    from service.settings import Settings

    return embedder(Settings(_env_file=None)).runtime()


@pytest.mark.model
def test_weights_stay_float16_and_memory_mapped_after_use(runtime_folder):
    from service.summarize.embeddings import SentenceEmbedder

    engine = SentenceEmbedder(runtime_folder, threads=1)
    vectors = engine.embed(["The markets rallied.", "Rain is expected on Sunday in the north."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    weights = engine.encoder.w
    assert {a.dtype for a in weights.values()} == {np.dtype(np.float16)}
    assert all(isinstance(a.base, np.memmap) or isinstance(a, np.memmap) for a in weights.values())


MEMORY = """
import sys
from pathlib import Path
from service.summarize.embeddings import SentenceEmbedder

def status(key):
    return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) // 1024

before = status("VmRSS")
engine = SentenceEmbedder(Path(sys.argv[1]), threads=2)
long = "the markets rallied on news that the central bank would hold its rates " * 25
engine.embed([long] * 64)  # 64 rows at the 256-WordPiece window
print(status("VmHWM") - before)
"""


@pytest.mark.model
def test_long_sentences_keep_the_embedders_memory_bounded(runtime_folder):
    """64 sentences at the 256-WordPiece window: one pass over all of them would hold 200 MB
    of attention scores (and CTranslate2's float32 Encoder took +493 MB here); the token
    budget per pass and float16 weights keep the process's peak within 250 MB of its
    start (measured: +155 MB)."""
    grew = subprocess.run(
        [sys.executable, "-c", MEMORY, str(runtime_folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(grew.stdout.strip()) < 250, grew.stdout


@pytest.mark.model
def test_an_encoder_that_is_not_bert_is_refused_at_conversion(tmp_path):
    from transformers import DistilBertConfig, DistilBertModel

    from service.errors import ModelError
    from service.models.convert import ensure_converted

    checkpoint = tmp_path / "distil"
    config = DistilBertConfig(vocab_size=64, dim=32, n_layers=1, n_heads=2, hidden_dim=64)
    DistilBertModel(config).save_pretrained(checkpoint)
    with pytest.raises(ModelError, match=r"must be a BERT model.*distilbert"):
        ensure_converted(checkpoint, "org/distil", tmp_path / "cache", "float16", "embedder")
    assert not list((tmp_path / "cache" / "ct2").glob("*/roen.json"))


@pytest.mark.model
def test_an_embedder_converted_by_an_older_roen_is_converted_again(tmp_path):
    """roen 0.x kept the embedder as CTranslate2 files in the same folder name: that folder
    is not served (no weights.safetensors) and `roen models download` replaces it."""
    from service.models.convert import converted_path, ensure_converted, find_converted
    from service.models.minilm import NAME, STORED_AS, packaged_minilm

    cache = tmp_path / "cache"
    old = converted_path(packaged_minilm(), NAME, cache, STORED_AS)
    old.mkdir(parents=True)
    (old / "model.bin").write_bytes(b"ctranslate2 weights")
    meta = {"kind": "embedder", "names": [NAME], "quantization": STORED_AS}
    (old / "roen.json").write_text(json.dumps(meta))
    assert find_converted(NAME, cache, STORED_AS, None) is None
    assert find_converted(NAME, cache, STORED_AS, packaged_minilm()) is None

    new = ensure_converted(packaged_minilm(), NAME, cache, STORED_AS, "embedder")
    assert new == old and (new / "weights.safetensors").is_file()
    assert not (new / "model.bin").exists()
    assert find_converted(NAME, cache, STORED_AS, None) == new


def test_a_conversion_finished_meanwhile_by_another_process_is_kept(tmp_path, monkeypatch):
    """Two replicas converting into one shared cache: the second to finish uses the first's
    folder (which may be loading) rather than deleting it."""
    from service.models import convert

    checkpoint = tmp_path / "bert"
    checkpoint.mkdir()
    (checkpoint / "config.json").write_text(
        json.dumps({"num_attention_heads": 2, "num_hidden_layers": 1})
    )
    target = convert.converted_path(checkpoint, "org/bert", tmp_path / "cache", "float16")

    def converter(command, **_):  # ours writes its copy while the other process finishes
        out = Path(command[-2])
        out.mkdir(parents=True)
        (out / "weights.safetensors").write_bytes(b"ours")
        target.mkdir(parents=True)
        (target / "weights.safetensors").write_bytes(b"theirs")
        (target / "roen.json").write_text(json.dumps({"kind": "embedder"}))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(convert, "check_converter", lambda name: None)
    monkeypatch.setattr(convert.subprocess, "run", converter)
    got = convert.ensure_converted(
        checkpoint, "org/bert", tmp_path / "cache", "float16", "embedder"
    )
    assert got == target and (target / "weights.safetensors").read_bytes() == b"theirs"
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no leftovers
