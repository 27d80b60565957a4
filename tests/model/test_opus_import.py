"""Import a Marian-native OPUS-MT release that the test builds itself, then translate with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

pytestmark = pytest.mark.model

D, HEADS, FFN = 16, 2, 32
DATA = Path(__file__).parent.parent / "data"


def _release(folder: Path) -> tuple[Path, dict[str, np.ndarray]]:
    """What OPUS-MT publishes, in miniature: npz with Marian's names and shapes, YAMLs, SPMs."""
    from service.models.random_marian import train_sentencepiece

    folder.mkdir(parents=True)
    ro = (DATA / "corpus.ro.txt").read_text(encoding="utf-8").splitlines()
    en = (DATA / "corpus.en.txt").read_text(encoding="utf-8").splitlines()
    import sentencepiece as spm

    pieces: dict[str, None] = {"</s>": None, "<unk>": None}
    for name, lines in (("source.spm", ro), ("target.spm", en)):
        proto = train_sentencepiece(lines, 300)
        (folder / name).write_bytes(proto)
        sp = spm.SentencePieceProcessor(model_proto=proto)
        pieces.update(dict.fromkeys(sp.id_to_piece(i) for i in range(3, sp.get_piece_size())))
    vocab = {p: i for i, p in enumerate(pieces)}
    (folder / "opus.spm32k-spm32k.vocab.yml").write_text(
        yaml.safe_dump(vocab, allow_unicode=True), encoding="utf-8"
    )
    rng = np.random.default_rng(0)
    w: dict[str, np.ndarray] = {
        "Wemb": rng.normal(size=(len(vocab), D)).astype(np.float32),
        "decoder_ff_logit_out_b": rng.normal(size=(1, len(vocab))).astype(np.float32),
    }
    for side, blocks in (("encoder", ("self",)), ("decoder", ("self", "context"))):
        prefix = f"{side}_l1"
        for block in blocks:
            for p in "qkvo":
                w[f"{prefix}_{block}_W{p}"] = rng.normal(size=(D, D)).astype(np.float32)
                w[f"{prefix}_{block}_b{p}"] = rng.normal(size=(1, D)).astype(np.float32)
            w[f"{prefix}_{block}_Wo_ln_scale"] = rng.normal(size=(1, D)).astype(np.float32)
            w[f"{prefix}_{block}_Wo_ln_bias"] = rng.normal(size=(1, D)).astype(np.float32)
        w[f"{prefix}_ffn_W1"] = rng.normal(size=(D, FFN)).astype(np.float32)
        w[f"{prefix}_ffn_b1"] = rng.normal(size=(1, FFN)).astype(np.float32)
        w[f"{prefix}_ffn_W2"] = rng.normal(size=(FFN, D)).astype(np.float32)
        w[f"{prefix}_ffn_b2"] = rng.normal(size=(1, D)).astype(np.float32)
        w[f"{prefix}_ffn_ffn_ln_scale"] = rng.normal(size=(1, D)).astype(np.float32)
        w[f"{prefix}_ffn_ffn_ln_bias"] = rng.normal(size=(1, D)).astype(np.float32)
    config = {
        "dim-emb": D,
        "enc-depth": 1,
        "dec-depth": 1,
        "transformer-heads": HEADS,
        "transformer-dim-ffn": FFN,
        "transformer-ffn-activation": "swish",
        "transformer-preprocess": "",
        "transformer-postprocess": "dan",
        "tied-embeddings-all": True,
    }
    special = np.frombuffer(yaml.safe_dump(config).encode() + b"\0", dtype=np.int8)
    np.savez(
        folder / "opus.spm32k-spm32k.transformer.model1.npz.best-perplexity.npz",
        **w,
        **{"special:model.yml": special},
    )
    (folder / "decoder.yml").write_text(
        yaml.safe_dump(
            {
                "models": ["opus.spm32k-spm32k.transformer.model1.npz.best-perplexity.npz"],
                "vocabs": ["opus.spm32k-spm32k.vocab.yml", "opus.spm32k-spm32k.vocab.yml"],
                "beam-size": 4,
            }
        ),
        encoding="utf-8",
    )
    return folder, w


def test_import_keeps_every_weight_and_translates(tmp_path):
    import torch

    from service.models.opus_import import import_opus_mt
    from service.pipeline.pipeline import Pipeline
    from service.settings import Settings

    release, w = _release(tmp_path / "release")
    zipped = tmp_path / "opus-2021-04-30.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in release.iterdir():
            z.write(f, f.name)
    out = import_opus_mt(zipped, tmp_path / "hf")

    settings = Settings(_env_file=None, translation_model=str(out), backend="torch")
    pipeline = Pipeline.for_files(settings)
    backend = pipeline.engines.need_translator()
    m = backend.model.model

    def same(hf: torch.Tensor, marian: np.ndarray) -> bool:
        return torch.equal(hf.detach(), torch.from_numpy(marian))

    v = w["Wemb"].shape[0]
    assert (
        same(m.shared.weight[:v], w["Wemb"]) and not m.shared.weight[v].any()
    )  # <pad> row is zero
    assert same(backend.model.final_logits_bias[0, :v], w["decoder_ff_logit_out_b"][0])
    enc, dec = m.encoder.layers[0], m.decoder.layers[0]
    assert same(enc.self_attn.q_proj.weight, w["encoder_l1_self_Wq"].T)
    assert same(enc.self_attn.out_proj.bias, w["encoder_l1_self_bo"][0])
    assert same(enc.self_attn_layer_norm.weight, w["encoder_l1_self_Wo_ln_scale"][0])
    assert same(enc.fc1.weight, w["encoder_l1_ffn_W1"].T) and same(
        enc.fc2.bias, w["encoder_l1_ffn_b2"][0]
    )
    assert same(enc.final_layer_norm.bias, w["encoder_l1_ffn_ffn_ln_bias"][0])
    assert same(dec.encoder_attn.v_proj.weight, w["decoder_l1_context_Wv"].T)
    assert same(dec.encoder_attn_layer_norm.weight, w["decoder_l1_context_Wo_ln_scale"][0])
    assert same(dec.self_attn.k_proj.bias, w["decoder_l1_self_bk"][0])
    assert backend.model.config.activation_function == "swish"
    assert backend.default_beam_size == 4  # decoder.yml's beam-size, not transformers' default

    result = pipeline.run(pipeline.translate(["Guvernul a anunțat.\n\nAlt paragraf."]))[0]
    assert len(result.segments) == 2 and result.translation.count("\n\n") == 1
    pipeline.engines.close()


def test_cli_import_then_translate(tmp_path):
    release, _ = _release(tmp_path / "release")
    env_cache = tmp_path / "cache"
    run = lambda *a, stdin="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "service.cli", *a],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "ROEN_MODEL_CACHE": str(env_cache), "HOME": str(tmp_path)},
    )
    proc = run("models", "import-opus-mt", str(release), "--name", "ron-eng")
    assert proc.returncode == 0, proc.stderr
    target = env_cache / "imported" / "ron-eng"
    assert f"ROEN_TRANSLATION_MODEL={target}" in proc.stdout
    assert list(
        (env_cache / "ct2").glob("*ron-eng-int8-*/model.bin")
    )  # converted for the default backend
    proc = run(
        "translate",
        "--model",
        str(target),
        "--beam-size",
        "1",
        "-",
        stdin="Guvernul a anunțat.\n\nAlt paragraf.\n",
    )
    assert proc.returncode == 0, proc.stderr
    # the imported model translated both paragraphs, and their break came through
    paragraphs = proc.stdout.strip().split("\n\n")
    assert len(paragraphs) == 2 and all(p.strip() for p in paragraphs), proc.stdout
