"""The Marian tokenizer without transformers: SentencePiece models plus the checkpoint's
vocabulary, giving the same pieces and ids as `MarianTokenizer` (tests/model/test_runtime_form.py
compares them on every newstest2016 line and on random text).

What MarianTokenizer does, and so what this does:
- the text is first split at the special tokens written literally in it (`</s>`, `<unk>`,
  `<pad>`): those stay one piece each, as the slow tokenizer's added-token trie does;
- a leading `>>xx<<` language code is one piece;
- the rest is `source.spm` pieces; a piece missing from `vocab.json` is `<unk>`;
- `</s>` ends every input.
Its punctuation normaliser (sacremoses) is set up but never called when tokenizing, so
there is none here either. Output pieces are turned back into text with `target.spm`,
special tokens kept apart from SentencePiece's decoding, as `convert_tokens_to_string`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# The files a Marian checkpoint's tokenizer is made of; the runtime form copies them.
FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
_SPIECE_UNDERLINE = "▁"


class MarianPieces:
    def __init__(self, folder: Path) -> None:
        import sentencepiece as spm

        config_file = folder / "tokenizer_config.json"
        config = json.loads(config_file.read_text("utf-8")) if config_file.is_file() else {}
        if config.get("separate_vocabs"):
            raise ValueError("Marian checkpoints with separate vocabularies are not supported")
        self.vocab: dict[str, int] = json.loads((folder / "vocab.json").read_text("utf-8"))
        self.unk = _token(config.get("unk_token"), "<unk>")
        self.eos = _token(config.get("eos_token"), "</s>")
        self.pad = _token(config.get("pad_token"), "<pad>")
        if self.unk not in self.vocab:
            raise KeyError(f"{self.unk} must be in the vocabulary")
        self.special = {self.unk, self.eos, self.pad}
        added = {_token(t, "") for t in config.get("added_tokens_decoder", {}).values()}
        added |= {_token(t, "") for t in config.get("additional_special_tokens") or []}
        if added - self.special:
            # MarianTokenizer would keep these whole (with their strip rules): not done here
            raise ValueError(f"added tokens are not supported: {sorted(added - self.special)}")
        # Longest first, so that a special token containing another is matched whole.
        alternatives = "|".join(re.escape(t) for t in sorted(self.special, key=len, reverse=True))
        self._special_re = re.compile(f"({alternatives})")
        self.source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))

    def pieces(self, text: str) -> list[str]:
        """The pieces the model reads for `text`, ending with `</s>`."""
        out: list[str] = []
        for part in self._special_re.split(text):
            if not part:
                continue
            if part in self.special:
                out.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:
                out.append(part[: end + 2])
                part = part[end + 2 :]
            out.extend(self.source.encode(part, out_type=str))
        out.append(self.eos)
        return out

    def ids(self, text: str) -> list[int]:
        unk = self.vocab[self.unk]
        return [self.vocab.get(p, unk) for p in self.pieces(text)]

    def detokenize(self, pieces: list[str]) -> str:
        """Text from output pieces, as MarianTokenizer.convert_tokens_to_string."""
        out, run = "", list[str]()
        for piece in pieces:
            if piece in self.special:
                out += self.target.decode_pieces(run) + piece + " "
                run = []
            else:
                run.append(piece)
        out += self.target.decode_pieces(run)
        return out.replace(_SPIECE_UNDERLINE, " ").strip()


def _token(value: object, default: str) -> str:
    """tokenizer_config.json writes a token as a string or as an AddedToken's fields."""
    if isinstance(value, dict):
        return str(value.get("content", default))
    return str(value) if value else default
