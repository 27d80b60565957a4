#!/usr/bin/env bash
# A hash of the image's own inputs: docker/ and the dependencies (service code is covered by
# `make test`). docker/smoke-test.sh records it in docker/smoke-tested.sha256 when it passes;
# .ci/run runs the smoke test when the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
{ cat .dockerignore pyproject.toml; find docker -type f ! -name smoke-tested.sha256 | sort | xargs cat; } \
  | sha256sum | cut -d' ' -f1
