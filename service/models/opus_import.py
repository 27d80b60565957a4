"""Import a Marian-native OPUS-MT release (model.npz, *.spm, *.vocab.yml, decoder.yml) as
a transformers MarianMT checkpoint — the strongest ro→en OPUS-MT model is published only so.

Marian's layout, and what becomes of it:
    special:model.yml                 YAML text of the training config → MarianConfig
    Wemb [V, d]                       shared embeddings (+ a zero row for the added <pad>)
    {encoder,decoder}_l{i}_self_W{q,k,v,o} [d, d] and b* [1, d]   → self_attn.{q,k,v,out}_proj
    decoder_l{i}_context_*            → encoder_attn.*
    *_Wo_ln_{scale,bias}              → *_attn_layer_norm;  *_ffn_ffn_ln_* → final_layer_norm
    *_ffn_W{1,2} [in, out], b{1,2}    → fc1, fc2
    decoder_ff_logit_out_b [1, V]     → final_logits_bias (+ 0 for <pad>)
Marian stores Linear weights as [in, out]; torch as [out, in]: every matrix is transposed.
Positions are sinusoidal in both, so nothing is stored for them.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from service.errors import ModelLoadFailed

_ATTENTION = {"W": "weight", "b": "bias"}
_PROJ = {"q": "q_proj", "k": "k_proj", "v": "v_proj", "o": "out_proj"}


def _marian_config(npz: Any) -> dict[str, Any]:
    import yaml

    raw = npz["special:model.yml"]
    text = bytes(int(x) % 256 for x in raw.tolist()).decode("utf-8").rstrip("\x00")
    return dict(yaml.safe_load(text))


def _find(folder: Path) -> tuple[Path, Path]:
    """The model .npz and the vocabulary .yml, as decoder.yml names them (else by suffix)."""
    import yaml

    decoder = folder / "decoder.yml"
    if decoder.is_file():
        spec = yaml.safe_load(decoder.read_text(encoding="utf-8"))
        return folder / spec["models"][0], folder / spec["vocabs"][0]
    npzs, vocabs = sorted(folder.glob("*.npz")), sorted(folder.glob("*.vocab.yml"))
    if not npzs or not vocabs:
        raise ModelLoadFailed(f"{folder} holds no Marian model (.npz) and vocabulary (.vocab.yml)")
    return npzs[0], vocabs[0]


def layer_map(depth_enc: int, depth_dec: int) -> dict[str, str]:
    """Marian parameter name → transformers state-dict key, for every layer parameter."""
    out: dict[str, str] = {}

    def block(marian: str, hf: str, kind: str, norm: str) -> None:
        for p, proj in _PROJ.items():
            for wb, suffix in _ATTENTION.items():
                out[f"{marian}_{kind}_{wb}{p}"] = (
                    f"{hf}.{norm.replace('_layer_norm', '')}.{proj}.{suffix}"
                )
        out[f"{marian}_{kind}_Wo_ln_scale"] = f"{hf}.{norm}.weight"
        out[f"{marian}_{kind}_Wo_ln_bias"] = f"{hf}.{norm}.bias"

    for side, depth in (("encoder", depth_enc), ("decoder", depth_dec)):
        for i in range(depth):
            marian, hf = f"{side}_l{i + 1}", f"model.{side}.layers.{i}"
            block(marian, hf, "self", "self_attn_layer_norm")
            if side == "decoder":
                block(marian, hf, "context", "encoder_attn_layer_norm")
            for n in (1, 2):
                out[f"{marian}_ffn_W{n}"] = f"{hf}.fc{n}.weight"
                out[f"{marian}_ffn_b{n}"] = f"{hf}.fc{n}.bias"
            out[f"{marian}_ffn_ffn_ln_scale"] = f"{hf}.final_layer_norm.weight"
            out[f"{marian}_ffn_ffn_ln_bias"] = f"{hf}.final_layer_norm.bias"
    return out


def import_opus_mt(source: Path, out: Path) -> Path:
    """Convert a release (zip or unpacked folder) into a save_pretrained folder at `out`."""
    import numpy as np
    import torch
    from transformers import MarianMTModel

    from service.models.marian_files import opus_mt_config, save_model, write_tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        folder = source
        if source.is_file():
            with zipfile.ZipFile(source) as z:
                z.extractall(tmp)
            folder = Path(tmp)
            inner = [p for p in folder.iterdir() if p.is_dir()]
            if not list(folder.glob("*.npz")) and len(inner) == 1:
                folder = inner[0]
        npz_path, vocab_path = _find(folder)
        npz = np.load(npz_path)
        cfg = _marian_config(npz)
        import yaml

        marian_vocab = yaml.safe_load(vocab_path.read_text(encoding="utf-8"))
        vocab = {str(tok): int(i) for tok, i in marian_vocab.items()}
        pad = len(vocab)
        vocab["<pad>"] = pad  # transformers' Marian decodes from <pad>; Marian has none

        d, enc, dec = int(cfg["dim-emb"]), int(cfg["enc-depth"]), int(cfg["dec-depth"])
        if cfg.get("transformer-preprocess", "") not in ("", None):
            raise ModelLoadFailed("only post-norm Marian transformers (OPUS-MT's) are supported")
        heads, ffn = int(cfg["transformer-heads"]), int(cfg["transformer-dim-ffn"])
        activation = str(cfg.get("transformer-ffn-activation", "swish"))
        config = opus_mt_config(
            vocab_size=pad + 1,
            d_model=d,
            encoder_layers=enc,
            decoder_layers=dec,
            heads=heads,
            ffn=ffn,
            activation=activation,
        )
        model = MarianMTModel(config)
        state = model.state_dict()
        emb = np.concatenate([npz["Wemb"], np.zeros((1, d), dtype=npz["Wemb"].dtype)])
        new: dict[str, torch.Tensor] = {"model.shared.weight": torch.from_numpy(emb).float()}
        bias = npz["decoder_ff_logit_out_b"].reshape(-1)
        new["final_logits_bias"] = (
            torch.from_numpy(np.concatenate([bias, [0.0]])).float().unsqueeze(0)
        )
        for marian_name, hf_name in layer_map(enc, dec).items():
            t = torch.from_numpy(np.asarray(npz[marian_name])).float()
            new[hf_name] = t.T.contiguous() if t.dim() == 2 and t.shape[0] != 1 else t.reshape(-1)
        for key in (
            "model.encoder.embed_tokens.weight",
            "model.decoder.embed_tokens.weight",
            "lm_head.weight",
        ):
            if key in state:
                new[key] = new["model.shared.weight"]
        missing = [k for k in state if k not in new and "embed_positions" not in k]
        if missing:
            raise ModelLoadFailed(f"the release lacks weights for: {', '.join(missing[:5])}")
        for k, v in new.items():
            if k in state and state[k].shape != v.shape:
                raise ModelLoadFailed(
                    f"{k}: release has {tuple(v.shape)}, model expects {tuple(state[k].shape)}"
                )
        model.load_state_dict({**state, **new})

        out.mkdir(parents=True, exist_ok=True)
        for name in ("source.spm", "target.spm"):
            shutil.copy(folder / name, out / name)
        write_tokenizer(out, vocab)
        save_model(out, model, pad=pad, num_beams=4)
    return out
