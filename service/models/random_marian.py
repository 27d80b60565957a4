"""A random-initialised MarianMT with the real opus-mt architecture, built offline.

Compute per token equals the real model's (d_model 512, 6+6 layers, 8 heads, FFN 2048,
~60k vocabulary); SentencePiece is trained on the benchmark's own Romanian/English text
and the vocabulary padded to full size, so the 512 × 60k output projection — the
dominant cost on CPU — is real.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

VOCAB_SIZE = 60_000


def train_sentencepiece(lines: list[str], vocab: int) -> bytes:
    """A unigram SentencePiece model of about `vocab` pieces trained on `lines` (the model
    file's bytes), as the random Marian's source and target vocabularies are made."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buf,
        vocab_size=vocab,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=2,
    )
    return buf.getvalue()


def _english_fillers(en_lines: list[str]) -> Iterator[str]:
    """Pieces to pad the vocabulary with: English words in the forms a real target vocabulary
    holds (word start, capitalised, continuation, with a comma or full stop). Random weights
    emit padding pieces as often as real ones, and what is done with the English afterwards
    (the summariser's embedder, the warnings) costs what it costs on English words, not on
    `<unused123>` strings that are six WordPieces each."""
    words = sorted({w.lower() for line in en_lines for w in re.findall(r"[A-Za-z]{2,}", line)})
    for form in ("▁{w}", "▁{W}", "{w}", "▁{w},", "▁{w}."):
        for word in words:
            yield form.format(w=word, W=word.capitalize())


def write_random_tokenizer(
    out: Path, ro_lines: list[str], en_lines: list[str], *, spm_vocab: int, vocab_size: int = 0
) -> dict[str, int]:
    """A Marian tokenizer's files: SentencePiece models trained on the given lines, and
    vocab.json (</s> = 0, <unk> = 1, <pad> last; padded to `vocab_size` if larger)."""
    import sentencepiece as spm

    from service.models.marian_files import write_tokenizer

    out.mkdir(parents=True, exist_ok=True)
    src, tgt = train_sentencepiece(ro_lines, spm_vocab), train_sentencepiece(en_lines, spm_vocab)
    (out / "source.spm").write_bytes(src)
    (out / "target.spm").write_bytes(tgt)
    pieces: dict[str, None] = {}
    for proto in (src, tgt):
        sp = spm.SentencePieceProcessor(model_proto=proto)
        pieces.update(dict.fromkeys(sp.id_to_piece(i) for i in range(sp.get_piece_size())))
    for special in ("</s>", "<unk>", "<s>", "<pad>"):
        pieces.pop(special, None)
    vocab = {"</s>": 0, "<unk>": 1, **{p: i + 2 for i, p in enumerate(pieces)}}
    for filler in _english_fillers(en_lines):
        if len(vocab) >= vocab_size - 1:
            break
        vocab.setdefault(filler, len(vocab))
    while len(vocab) < vocab_size - 1:
        vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    write_tokenizer(out, vocab)
    return vocab


def build_random_marian(
    out: Path,
    ro_lines: list[str],
    en_lines: list[str],
    *,
    spm_vocab: int,
    d_model: int,
    layers: int,
    heads: int,
    ffn: int,
    vocab_size: int = 0,
    num_beams: int = 4,
    seed: int = 0,
) -> Path:
    """A MarianMT ro→en checkpoint with random weights and the real file layout (the
    tokenizer of `write_random_tokenizer`)."""
    import torch
    from transformers import MarianMTModel

    from service.models.marian_files import opus_mt_config, save_model

    vocab = write_random_tokenizer(
        out, ro_lines, en_lines, spm_vocab=spm_vocab, vocab_size=vocab_size
    )
    pad = vocab["<pad>"]
    config = opus_mt_config(
        vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        heads=heads,
        ffn=ffn,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    save_model(out, model, pad=pad, num_beams=num_beams)
    return out


def build_opus_size_marian(
    out: Path, ro_lines: list[str], en_lines: list[str], seed: int = 0
) -> Path:
    return build_random_marian(
        out,
        ro_lines,
        en_lines,
        spm_vocab=16_000,
        d_model=512,
        layers=6,
        heads=8,
        ffn=2048,
        vocab_size=VOCAB_SIZE,
        num_beams=4,
        seed=seed,
    )
