# One command per task; the README and .ci/run call exactly these.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU-only torch: pinned, installed before the project. Set TORCH_INDEX_URL to PyTorch's CPU
# wheel index on a machine whose pip would otherwise pick the multi-GB CUDA build.
TORCH_INDEX_URL ?=
TORCH_PIP_ARGS := $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL),)

.PHONY: install models run test test-fast lint format bench mutants docker-smoke clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/pip install --quiet -e ".[convert,dev]"
	touch $@

install: $(BIN)/.installed

models: install  ## download and convert the configured models into ROEN_MODEL_CACHE (= .venv/bin/roen models download)
	$(BIN)/roen models download

run: install  ## download the configured models if missing (best effort), then serve
	$(BIN)/roen serve --download-missing

test: install  ## the whole suite, browser test included
	bash scripts/ensure_test_tools.sh
	$(BIN)/python -m pytest

test-fast: install  ## text and API tiers only: no model, no browser, no long runs
	$(BIN)/python -m pytest -m "not model and not browser and not slow"

lint: install
	$(BIN)/ruff check service tests harness scripts benchmarks
	$(BIN)/ruff format --check service tests harness scripts benchmarks
	$(BIN)/mypy

format: install
	$(BIN)/ruff format service tests harness scripts benchmarks
	$(BIN)/ruff check --fix service tests harness scripts benchmarks

bench: install  ## roen serve (shipped defaults) vs raw CTranslate2, interleaved (a few minutes)
	$(BIN)/python -m benchmarks.run

# The suite runs from mutants/ there and finds ../shared/data two levels up, so the checkout
# gets a link to the shared data beside it (git-ignored).
mutants: install  ## mutation testing (mutmut) of the modules holding the guarantees; about an hour on 2 cores, not in CI
	test -e shared || ln -s ../shared shared
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/python scripts/mutation_score.py

docker-smoke: install  ## build the image, run it with a tiny model, check it, remove it
	bash docker/smoke-test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
