"""Writing a transformers Marian checkpoint folder: shared by the importer and the builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def opus_mt_config(
    *,
    vocab_size: int,
    d_model: int,
    encoder_layers: int,
    decoder_layers: int,
    heads: int,
    ffn: int,
    activation: str = "swish",
) -> Any:
    """MarianConfig with OPUS-MT's conventions: <pad> is the last id and starts decoding,
    </s> is 0, sinusoidal positions up to 512, scaled and shared embeddings."""
    from transformers import MarianConfig

    pad = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        activation_function=activation,
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
    )


def write_tokenizer(out: Path, vocab: dict[str, int]) -> None:
    """vocab.json beside source.spm/target.spm, then the tokenizer's own config files."""
    from transformers import MarianTokenizer

    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json")
    )
    tokenizer.save_pretrained(out)


def save_model(out: Path, model: Any, *, pad: int, num_beams: int) -> None:
    """Save with OPUS-MT's decoding defaults: start from <pad>, end with </s> (id 0)."""
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(
        num_beams=num_beams,
        max_length=512,
        bad_words_ids=[[pad]],
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
    )
    model.save_pretrained(out)
