from __future__ import annotations

import functools
import json
import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The shared checks in tests/support (assert_kept, …) report like a test's own asserts.
pytest.register_assert_rewrite("tests.support")


def pytest_configure(config: pytest.Config) -> None:
    # Tests must not see the developer's ROEN_* settings, nor write conversions into the
    # checkout's model_cache/.
    for name in [n for n in os.environ if n.startswith("ROEN_")]:
        del os.environ[name]
    os.environ["ROEN_MODEL_CACHE"] = tempfile.mkdtemp(prefix="roen-test-cache-")
    # ...nor keep keys and usage in the checkout's data/: each run gets its own folder
    os.environ["ROEN_DATA_DIR"] = tempfile.mkdtemp(prefix="roen-test-data-")


@functools.cache
def _test_seconds() -> dict[str, float]:
    """How long each test took in mutmut's clean run (mutants/mutmut-stats.json)."""
    try:
        return json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Under mutation testing (`make mutants`), a test that runs 3 × its clean time + 5 s
    fails (mutmut's own rule, applied per test). Some scheduler mutants leave a request
    waiting forever; without this each would run until mutmut's timeout for the *whole*
    selection of tests (minutes per mutant)."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        yield
        return
    limit = 3 * _test_seconds().get(item.nodeid, 10.0) + 5

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"{item.nodeid} ran over {limit:.0f} s under a mutant")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def make_client() -> Iterator[Callable[..., object]]:
    """`make_client(engines=None, backend=None, **settings)`: a TestClient over the real app
    (pipeline, scheduler, limits), with fake engines (over `backend`, if given) unless
    engines are given, and a store of its own in memory unless `store` (one the test set up:
    keys, usage) or `store_url` says otherwise. Use it as a context."""
    from litestar.testing import TestClient

    from service.http.app import create_app
    from service.settings import Settings
    from tests.support.fakes import fake_engines

    def make(engines=None, backend=None, store=None, **settings_kw) -> TestClient:
        settings_kw.setdefault("store_url", "memory://")  # each app its own state
        settings = Settings(_env_file=None, **settings_kw)
        app = create_app(settings, engines or fake_engines(settings, backend), store)
        return TestClient(app)

    yield make


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MarianMT checkpoint on disk, built once per session and converted (with the
    default embedder) into the session's model cache, as `roen models download` does."""
    from tests.support.tiny_models import build_tiny_marian, convert_for_serving

    return convert_for_serving(build_tiny_marian(tmp_path_factory.mktemp("tiny-marian")))


@pytest.fixture(scope="session")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BART summariser with a 64-position window, built once per session."""
    from tests.support.tiny_models import build_tiny_bart

    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))
