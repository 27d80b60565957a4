"""Build tiny, random-weight checkpoints with the real file layout, offline, in seconds.

Their output is gibberish; they exist to exercise the production loading and decoding
code. Usable from the shell too: `python -m tests.tiny_models marian DIR`.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

_DATA = Path(__file__).parent / "data"


def _train_spm(lines: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buf,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return buf.getvalue()


def _pieces(model: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_tiny_marian(out: Path, *, seed: int = 0, num_beams: int = 2) -> Path:
    """A MarianMT ro→en checkpoint: SentencePiece models, vocab.json, 1+1 layers, d_model 16."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    ro = (_DATA / "corpus.ro.txt").read_text(encoding="utf-8").splitlines()
    en = (_DATA / "corpus.en.txt").read_text(encoding="utf-8").splitlines()
    src, tgt = _train_spm(ro, 300), _train_spm(en, 300)
    (out / "source.spm").write_bytes(src)
    (out / "target.spm").write_bytes(tgt)
    specials = {"</s>", "<unk>", "<s>", "<pad>"}
    pieces = [p for p in dict.fromkeys(_pieces(src) + _pieces(tgt)) if p not in specials]
    vocab = {"</s>": 0, "<unk>": 1, **{p: i + 2 for i, p in enumerate(pieces)}}
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json")
    )
    tokenizer.save_pretrained(out)

    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
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
    return out


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
    kind, target = sys.argv[1], Path(sys.argv[2])
    builders = {"marian": build_tiny_marian, "bart": build_tiny_bart}
    print(builders[kind](target))
