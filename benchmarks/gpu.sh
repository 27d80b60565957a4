#!/usr/bin/env bash
# `make bench` on a machine with a CUDA card: `roen serve` (ROEN_DEVICE=auto takes the card:
# int8_float16, ROEN_CUDA_BATCH_TOKENS) against raw CTranslate2 on the same card in the same
# compute type, rounds interleaved, ratios printed as on the CPU.
#
#   bash benchmarks/gpu.sh [--rounds 3]
#
# Needs the project installed (make install) and ctranslate2 built with CUDA (PyPI's wheels
# are); nothing else changes: the same random opus-mt-size model, the same pinned lengths.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
count=$($PY -c 'import ctranslate2; print(ctranslate2.get_cuda_device_count())')
if [[ $count == 0 ]]; then
  echo "no CUDA device visible to CTranslate2: nothing to measure here" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
export ROEN_DEVICE=cuda
exec $PY -m benchmarks.run --no-stores "$@"
