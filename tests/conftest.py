from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Tests must not see the developer's ROEN_* settings, nor write conversions into the
    # checkout's model_cache/.
    for name in [n for n in os.environ if n.startswith("ROEN_")]:
        del os.environ[name]
    os.environ["ROEN_MODEL_CACHE"] = tempfile.mkdtemp(prefix="roen-test-cache-")


@pytest.fixture
def make_client() -> Iterator[Callable[..., object]]:
    """`make_client(engines=None, **settings)`: a TestClient over the real app (pipeline,
    scheduler, limits), with fake engines unless others are given. Use it as a context."""
    from litestar.testing import TestClient

    from service.http.app import create_app
    from service.settings import Settings
    from tests.fakes import fake_engines

    def make(engines=None, **settings_kw) -> TestClient:
        settings = Settings(_env_file=None, **settings_kw)
        return TestClient(create_app(settings, engines or fake_engines(settings)))

    yield make


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MarianMT checkpoint on disk, built once per session and converted (with the
    default embedder) into the session's model cache, as `roen models download` does."""
    from tests.tiny_models import build_tiny_marian, convert_for_serving

    return convert_for_serving(build_tiny_marian(tmp_path_factory.mktemp("tiny-marian")))


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BART summariser with a 64-position window, built once per session."""
    from tests.tiny_models import build_tiny_bart

    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))
