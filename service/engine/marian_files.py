"""Writing a transformers Marian checkpoint folder: shared by the importer and the builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


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
