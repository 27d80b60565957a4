from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Tests must not see the developer's ROEN_* settings, nor write conversions into the
    # checkout's model_cache/.
    for name in [n for n in os.environ if n.startswith("ROEN_")]:
        del os.environ[name]
    os.environ["ROEN_MODEL_CACHE"] = tempfile.mkdtemp(prefix="roen-test-cache-")


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MarianMT checkpoint on disk, built once per session."""
    from tests.tiny_models import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BART summariser with a 64-position window, built once per session."""
    from tests.tiny_models import build_tiny_bart

    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))
