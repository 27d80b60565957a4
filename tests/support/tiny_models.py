"""Build tiny, random-weight checkpoints with the real file layout, offline, in seconds.

Their output is gibberish; they exist to exercise the production loading and decoding
code. Usable from the shell too: `python -m tests.support.tiny_models marian DIR`.
"""

from __future__ import annotations

import sys
from pathlib import Path

_DATA = Path(__file__).parent.parent / "data"


def build_tiny_marian(out: Path, *, seed: int = 0, num_beams: int = 2) -> Path:
    """A MarianMT ro→en checkpoint: SentencePiece models, vocab.json, 1+1 layers, d_model 16."""
    from service.models.random_marian import build_random_marian

    ro = (_DATA / "corpus.ro.txt").read_text(encoding="utf-8").splitlines()
    en = (_DATA / "corpus.en.txt").read_text(encoding="utf-8").splitlines()
    return build_random_marian(
        out,
        ro,
        en,
        spm_vocab=300,
        d_model=16,
        layers=1,
        heads=2,
        ffn=32,
        num_beams=num_beams,
        seed=seed,
    )


def convert_for_serving(
    checkpoint: Path, cache_dir: Path | None = None, name: str | None = None
) -> Path:
    """Run the conversion step for `checkpoint` (named `name`, by default its path, as
    settings name it) and for the default embedder, into `cache_dir` (default:
    ROEN_MODEL_CACHE, which conftest points at the session's own folder). Returns
    `checkpoint`."""
    import os

    from service.models.convert import ensure_converted
    from service.models.minilm import NAME, STORED_AS, packaged_minilm

    cache = cache_dir or Path(os.environ["ROEN_MODEL_CACHE"])
    ensure_converted(checkpoint, name or str(checkpoint), cache, "int8")
    ensure_converted(packaged_minilm(), NAME, cache, STORED_AS, "embedder")
    return checkpoint


def build_tiny_bart(out: Path, *, seed: int = 0, max_positions: int = 64) -> Path:
    """A BART summariser: byte-level BPE trained on the English corpus, 1+1 layers, and a
    small window (`max_positions`) so that chunked summarisation is exercised."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
        GenerationConfig,
    )

    out.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        (_DATA / "corpus.en.txt").read_text(encoding="utf-8").splitlines(),
        vocab_size=600,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        show_progress=False,
    )
    bpe.save_model(str(out))
    tokenizer = BartTokenizer(str(out / "vocab.json"), str(out / "merges.txt"))
    tokenizer.save_pretrained(out)
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        num_beams=1,
        max_length=20,
        min_length=4,
        pad_token_id=config.pad_token_id,
        bos_token_id=config.bos_token_id,
        eos_token_id=config.eos_token_id,
        decoder_start_token_id=config.decoder_start_token_id,
    )
    model.save_pretrained(out)
    return out


if __name__ == "__main__":
    # `marian DIR [CACHE NAME]`: with CACHE, also converted there for serving as NAME
    kind, target, *serving = sys.argv[1:]
    builders = {"marian": build_tiny_marian, "bart": build_tiny_bart}
    built = builders[kind](Path(target))
    if serving:
        cache, name = serving  # both, or neither
        convert_for_serving(built, Path(cache), name)
    print(built)
