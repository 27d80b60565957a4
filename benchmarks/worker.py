"""The benchmark's reference engines, each in a process of its own: no roen code, and no
other engine's thread pool in the same process to steal its cores.

    python -m benchmarks.worker build OUT            random opus-mt-size Marian into OUT
    python -m benchmarks.worker ct2 MODEL CONVERTED  raw CTranslate2 int8, requests on stdin
    python -m benchmarks.worker naive MODEL          plain transformers fp32, requests on stdin

A request is one JSON line {"sentences": [...], "beam": n, "batch": n, "each": bool,
"sort": bool}; the
answer one JSON line {"tokens": generated, "seconds": total, "latencies": [per call]}.
Tokenising is done before the clock starts. Every output is pinned to 1.1 × its source
tokens (random weights never stop): CTranslate2 rows stop at their own length through the
decoding callback, transformers rows through min/max_new_tokens.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

PIN = 1.1


def pinned(row: list[Any]) -> int:
    return max(1, round(len(row) * PIN))


def ct2_engine(model: str, converted: str) -> Any:
    import ctranslate2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model)
    # benchmarks/gpu.sh sets ROEN_DEVICE=cuda: the raw row then runs on the same card as roen
    # (whose ROEN_DEVICE=auto takes it), in the compute type roen uses there.
    on_card = os.environ.get("ROEN_DEVICE") == "cuda"
    translator = ctranslate2.Translator(
        converted,
        device="cuda" if on_card else "cpu",
        compute_type=os.environ.get("ROEN_CUDA_COMPUTE_TYPE", "int8_float16")
        if on_card
        else "int8",
        intra_threads=os.cpu_count() or 1,
    )

    def tokenize(sentences: list[str]) -> list[list[str]]:
        return [tokenizer.convert_ids_to_tokens(x) for x in tokenizer(sentences)["input_ids"]]

    def run(rows: list[list[str]], beam: int) -> int:
        lengths = [pinned(r) for r in rows]
        options: dict[str, Any] = {
            "beam_size": beam,
            "max_input_length": 0,
            "max_decoding_length": max(lengths),
            "min_decoding_length": min(lengths),
        }
        if beam == 1:
            produced = [0] * len(rows)

            def stop(step: Any) -> bool:
                produced[step.batch_id] += 1
                return produced[step.batch_id] >= lengths[step.batch_id]

            options["callback"] = stop
        results = translator.translate_batch(rows, **options)
        return sum(min(len(r.hypotheses[0]), n) for r, n in zip(results, lengths, strict=True))

    return tokenize, run


def naive_engine(model: str) -> Any:
    import torch
    from transformers import AutoTokenizer, MarianMTModel

    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = AutoTokenizer.from_pretrained(model)
    marian = MarianMTModel.from_pretrained(model).eval()
    marian.generation_config.max_length = None  # the pinned max_new_tokens is the bound

    def tokenize(sentences: list[str]) -> list[list[int]]:
        return list(tokenizer(sentences)["input_ids"])

    def run(rows: list[list[int]], beam: int) -> int:
        (row,) = rows  # a plain script: one sentence per generate()
        n = pinned(row)
        with torch.inference_mode():
            marian.generate(
                input_ids=torch.tensor([row]),
                num_beams=beam,
                min_new_tokens=n,
                max_new_tokens=n,
            )
        return n

    return tokenize, run


def serve(tokenize: Any, run: Any) -> None:
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        rows = tokenize(request["sentences"])
        if request.get("sort"):
            rows = sorted(rows, key=len)  # length-sorted batches of a workload known up front
        batch = 1 if request.get("each") else request.get("batch", 32)
        tokens, latencies = 0, []
        started = time.perf_counter()
        for i in range(0, len(rows), batch):
            t0 = time.perf_counter()
            tokens += run(rows[i : i + batch], request["beam"])
            latencies.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - started
        print(
            json.dumps({"tokens": tokens, "seconds": seconds, "latencies": latencies}), flush=True
        )


def build(out: str, data: str) -> None:
    from service.models.convert import ensure_converted
    from service.models.minilm import NAME, STORED_AS, packaged_minilm
    from service.models.random_marian import build_opus_size_marian

    wmt = Path(data) / "wmt16"
    ro = (wmt / "newstest2016.ro").read_text(encoding="utf-8").splitlines()
    en = (wmt / "newstest2016.en").read_text(encoding="utf-8").splitlines()
    model = build_opus_size_marian(Path(out) / "model", ro, en)
    # the conversion step `roen models download` runs: the served model and the embedder
    converted = ensure_converted(model, "random", Path(out) / "cache", "int8")
    ensure_converted(packaged_minilm(), NAME, Path(out) / "cache", STORED_AS, "embedder")
    print(json.dumps({"model": str(model), "converted": str(converted)}), flush=True)


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    if kind == "build":
        build(*rest)
    elif kind == "ct2":
        serve(*ct2_engine(*rest))
    else:
        serve(*naive_engine(*rest))
