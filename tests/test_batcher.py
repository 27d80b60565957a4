"""Cross-request batching with a fake model: merging, fairness, bounds, failures, cache."""

from __future__ import annotations

import threading
import time

import pytest

from service.engine.batcher import BatchingBackend
from service.engine.cache import SentenceCache
from service.engine.translator import Translator
from service.errors import EngineFailure, Overloaded, RequestTimeout
from tests.fakes import EchoBackend


class SlowEcho(EchoBackend):
    def __init__(self, delay: float = 0.02, fail_on: str | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.fail_on = fail_on

    def generate(self, texts, *, beam_size):
        time.sleep(self.delay)
        if self.fail_on and self.fail_on in texts:
            raise RuntimeError("model exploded")
        return super().generate(texts, beam_size=beam_size)


def run_threads(fn, n):
    out: list = [None] * n
    errors: list = [None] * n

    def target(i):
        try:
            out[i] = fn(i)
        except Exception as e:
            errors[i] = e

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out, errors


def test_concurrent_single_sentences_share_batches():
    inner = SlowEcho()
    b = BatchingBackend(inner, max_wait_ms=30)
    out, errors = run_threads(lambda i: b.generate([f"Propoziția {i}."], beam_size=1), 16)
    assert not any(errors)
    assert out == [[f"EN(Propoziția {i}.)"] for i in range(16)]
    assert len(inner.batches) <= 4 and max(len(x) for x in inner.batches) >= 4
    b.close()


def test_small_request_is_not_starved_by_a_big_one():
    inner = SlowEcho(delay=0.01)
    b = BatchingBackend(inner, max_batch=8, max_wait_ms=0)
    big_done = threading.Event()
    threading.Thread(
        target=lambda: (b.generate([f"Lung {i}." for i in range(200)], beam_size=1), big_done.set())
    ).start()
    time.sleep(0.03)  # the big article is already being worked through
    assert b.generate(["Scurt."], beam_size=1) == ["EN(Scurt.)"]
    assert not big_done.is_set()  # answered while the big one still runs
    position = next(i for i, batch in enumerate(inner.batches) if "Scurt." in batch)
    assert position <= 5  # of ~25 batches for the big article
    big_done.wait(10)
    b.close()


def test_order_is_kept_within_a_request():
    b = BatchingBackend(SlowEcho(delay=0), max_batch=3, max_wait_ms=0)
    texts = [f"{'cuvânt ' * (i % 7)}{i}" for i in range(40)]
    assert b.generate(texts, beam_size=1) == [f"EN({t})" for t in texts]
    b.close()


def test_queue_capacity_gives_overloaded():
    b = BatchingBackend(SlowEcho(delay=0.3), capacity=10, max_wait_ms=0, max_batch=1)
    threading.Thread(
        target=lambda: _try(lambda: b.generate([f"a{i}" for i in range(10)], beam_size=1)),
        daemon=True,
    ).start()
    time.sleep(0.05)
    with pytest.raises(Overloaded):
        b.generate(["b1", "b2"], beam_size=1)
    b.close()


def test_failed_batch_fails_only_its_requests():
    inner = SlowEcho(delay=0.01, fail_on="BOOM")
    b = BatchingBackend(inner, max_wait_ms=0, max_batch=1)
    with pytest.raises(EngineFailure):
        b.generate(["BOOM"], beam_size=1)
    assert b.generate(["Bine."], beam_size=1) == ["EN(Bine.)"]  # the worker survived
    b.close()


def test_request_past_its_deadline_is_dropped_from_the_queue():
    inner = SlowEcho(delay=0.2)
    b = BatchingBackend(inner, max_wait_ms=0, max_batch=1, timeout_s=0.1)
    _, errors = run_threads(lambda i: b.generate([f"x{i}", f"y{i}"], beam_size=1), 3)
    assert any(isinstance(e, RequestTimeout) for e in errors)
    assert len(inner.batches) < 6  # expired work was not run
    b.close()


def test_beam_widths_are_not_mixed():
    inner = SlowEcho(delay=0.01)
    seen = []
    real = inner.generate

    def spy(texts, *, beam_size):
        seen.append((beam_size, list(texts)))
        return real(texts, beam_size=beam_size)

    inner.generate = spy
    b = BatchingBackend(inner, max_wait_ms=20)
    run_threads(lambda i: b.generate([f"s{i}"], beam_size=1 + i % 2), 6)
    for beam, texts in seen:
        assert all(int(t[1:]) % 2 == beam - 1 for t in texts)
    b.close()


def test_cache_translates_boilerplate_once_across_requests():
    inner = EchoBackend()
    t = Translator(inner, model_name="echo", cache=SentenceCache(100))
    t.translate(["Sursa: Agerpres. Prima știre."])
    t.translate(["Sursa: Agerpres. A doua știre."])
    sent = [s for batch in inner.batches for s in batch]
    assert sent.count("Sursa: Agerpres.") == 1
    assert t.cache is not None and t.cache.hits == 1
    t.translate(["Sursa: Agerpres."], beam_size=4)  # other decoding options: not a hit
    assert [s for batch in inner.batches for s in batch].count("Sursa: Agerpres.") == 2


def test_cache_is_bounded():
    c = SentenceCache(3)
    c.put_many(1, {f"s{i}": f"t{i}" for i in range(5)})
    assert c.get_many(1, ["s0", "s1", "s2", "s3", "s4"]) == {"s2": "t2", "s3": "t3", "s4": "t4"}


def test_close_fails_queued_requests_instead_of_hanging():
    b = BatchingBackend(SlowEcho(delay=0.2), max_wait_ms=0, max_batch=1)
    _, errors = [], []
    worker = threading.Thread(
        target=lambda: errors.append(
            _try(lambda: b.generate([f"a{i}" for i in range(20)], beam_size=1))
        ),
        daemon=True,
    )
    worker.start()
    time.sleep(0.05)
    b.close()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(errors[0], Overloaded)
    with pytest.raises(Overloaded):
        b.generate(["late"], beam_size=1)


def _try(fn):
    try:
        fn()
    except Exception as e:
        return e
    return None


def test_app_shutdown_stops_the_batching_worker():
    from litestar.testing import TestClient

    from service.engine.registry import Engines
    from service.http.app import create_app
    from service.settings import Settings
    from tests.fakes import FirstSentencesSummarizer

    batcher = BatchingBackend(SlowEcho(delay=0), max_wait_ms=0)
    engines = Engines.preloaded(Translator(batcher, model_name="b"), FirstSentencesSummarizer())
    with TestClient(create_app(Settings(_env_file=None), engines)) as c:
        assert c.post("/v1/translate", json={"text": "Bună."}).status_code == 200
        assert batcher._worker.is_alive()
    assert not batcher._worker.is_alive()  # lifespan exit closed it
    with pytest.raises(Overloaded):
        batcher.generate(["după"], beam_size=1)
