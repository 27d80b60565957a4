"""A stand-in for the MiniSBD sentence splitter LibreTranslate runs before translating.

LibreTranslate (through argostranslate) splits every text with MiniSBD, an ONNX export of
Stanza's character-level tokenizer, and downloads the model on first use: no package ships
it, and these machines reach no download. This builds one of the same architecture and
size, so the benchmark's LibreTranslate pays what it pays in production:

- a character embedding (32) over a Romanian character vocabulary (the 150 most frequent
  characters of the text given, plus <PAD> and <UNK>), concatenated with MiniSBD's five
  features per character (space, capitalised, numeric, end and start of paragraph);
- a bidirectional LSTM of 64, then the hierarchical second bidirectional LSTM of 64 over
  it, and the token / sentence / multi-word-token heads: about 160,000 weights (0.6 MB),
  computed on every character as in the real model.

Random weights cannot split, so what it decides comes from a rule the graph computes on
the same input, beside the network: a character followed by a space (or the paragraph's
end) ends a token; one of `.`, `!`, `?`, `…` so placed also ends the sentence. The
network's output is added with a weight of 1e-3, small enough never to change a decision
(the rule's margins are 1), large enough that ONNX Runtime cannot drop the network.
Romanian news splits like this except after abbreviations ("dr. Popescu"), where the real
model would not split: a few more, shorter rows for LibreTranslate, at the same total
length.

    python minisbd_standin.py OUT.onnx TEXT_FILE      (in LibreTranslate's venv: onnx, numpy)
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

EMB, HIDDEN, FEATURES, CHARS = 32, 64, 5, 150
FEAT_FUNCS = ["space_before", "capitalized", "numeric", "end_of_para", "start_of_para"]
ENDS = ".!?…"


def build(out: Path, text: str) -> None:
    rng = np.random.default_rng(0)
    common = [c for c, _ in Counter(c for c in text if not c.isspace()).most_common(CHARS)]
    units = ["<PAD>", "<UNK>", " ", *common]
    vocab = {
        "lang": "ro",
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {u: i for i, u in enumerate(units)},
        "_id2unit": units,
    }

    def weights(name: str, *shape: int) -> onnx.TensorProto:
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)

    def const(name: str, value: np.ndarray) -> onnx.TensorProto:
        return numpy_helper.from_array(value, name)

    ends = np.array([1.0 if u in ENDS else 0.0 for u in units], dtype=np.float32)
    inits = [
        weights("E", len(units), EMB),
        weights("W1", 2, 4 * HIDDEN, EMB + FEATURES),
        weights("R1", 2, 4 * HIDDEN, HIDDEN),
        weights("B1", 2, 8 * HIDDEN),
        weights("W2", 2, 4 * HIDDEN, 2 * HIDDEN),
        weights("R2", 2, 4 * HIDDEN, HIDDEN),
        weights("B2", 2, 8 * HIDDEN),
        weights("heads1", 2 * HIDDEN, 3),
        weights("heads2", 2 * HIDDEN, 3),
        weights("mix", 3, 5),
        const("ends", ends),
        const("eps", np.array(1e-3, dtype=np.float32)),
        const("one", np.array(1.0, dtype=np.float32)),
        const("two", np.array(2.0, dtype=np.float32)),
        const("zero", np.array(0.0, dtype=np.float32)),
        const("i0", np.array([0], dtype=np.int64)),
        const("i1", np.array([1], dtype=np.int64)),
        const("i2", np.array([2], dtype=np.int64)),
        const("big", np.array([1 << 30], dtype=np.int64)),
        const("flat", np.array([0, 0, 2 * HIDDEN], dtype=np.int64)),
    ]
    n = helper.make_node
    nodes = [
        # the network: embedding + features → BiLSTM → BiLSTM → three heads → five classes
        n("Gather", ["E", "units"], ["emb"]),
        n("Concat", ["emb", "features"], ["x"], axis=2),
        n("Transpose", ["x"], ["xt"], perm=[1, 0, 2]),
        n("LSTM", ["xt", "W1", "R1", "B1"], ["y1"], hidden_size=HIDDEN, direction="bidirectional"),
        n("Transpose", ["y1"], ["y1t"], perm=[0, 2, 1, 3]),
        n("Reshape", ["y1t", "flat"], ["h1"]),
        n("LSTM", ["h1", "W2", "R2", "B2"], ["y2"], hidden_size=HIDDEN, direction="bidirectional"),
        n("Transpose", ["y2"], ["y2t"], perm=[0, 2, 1, 3]),
        n("Reshape", ["y2t", "flat"], ["h2"]),
        n("MatMul", ["h1", "heads1"], ["a1"]),
        n("MatMul", ["h2", "heads2"], ["a2"]),
        n("Add", ["a1", "a2"], ["a"]),
        n("Sigmoid", ["a"], ["p"]),
        n("MatMul", ["p", "mix"], ["net_t"]),
        n("Transpose", ["net_t"], ["net"], perm=[1, 0, 2]),
        # the rule: a token ends before a space or the end; a sentence, at one of ENDS
        n("Slice", ["features", "i0", "i1", "i2"], ["space"]),  # [B, T, 1]
        n("Slice", ["space", "i1", "big", "i1"], ["space_after_first"]),  # [B, T-1, 1]
        n("Slice", ["space", "i0", "i1", "i1"], ["first"]),
        n("Mul", ["first", "zero"], ["first0"]),
        n("Add", ["first0", "one"], ["pad_end"]),
        n("Concat", ["space_after_first", "pad_end"], ["next_space"], axis=1),
        n("Sub", ["one", "space"], ["not_space"]),
        n("Mul", ["next_space", "not_space"], ["token_end"]),
        n("Gather", ["ends", "units"], ["is_end"]),
        n("Unsqueeze", ["is_end", "i2"], ["is_end3"]),
        n("Mul", ["token_end", "is_end3"], ["sentence_end"]),
        n("Sub", ["one", "token_end"], ["c0"]),
        n("Sub", ["token_end", "sentence_end"], ["c1"]),
        n("Mul", ["sentence_end", "two"], ["c2"]),
        n("Sub", ["zero", "one"], ["minus"]),
        n("Add", ["first0", "minus"], ["m1"]),
        n("Mul", ["space", "zero"], ["zeros"]),
        n("Add", ["zeros", "m1"], ["c3"]),
        n("Concat", ["c0", "c1", "c2", "c3", "c3"], ["rule"], axis=2),
        n("Mul", ["net", "eps"], ["small"]),
        n("Add", ["rule", "small"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "minisbd_standin",
        [
            helper.make_tensor_value_info("units", TensorProto.INT64, ["B", "T"]),
            helper.make_tensor_value_info("features", TensorProto.FLOAT, ["B", "T", FEATURES]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", "T", 5])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    config = {
        "skip_newline": False,
        "max_seqlen": 1000,
        "batch_size": 32,
        "feat_funcs": FEAT_FUNCS,
        "use_dictionary": False,
        "num_dict_feat": 0,
    }
    for key, value in {
        "lang_code": "ro",
        "config": json.dumps(config),
        "vocab": json.dumps(vocab),
        "lexicon": "null",
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]).read_text(encoding="utf-8"))
