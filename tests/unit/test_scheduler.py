"""The scheduler with a fake model: merging, fairness, bounds, deadlines, cancellation."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest

from service.errors import EngineFailure, Overloaded, RequestTimeout
from service.runtime.scheduler import NBEST_EVERY, Scheduler
from tests.support.fakes import EchoBackend, SlowEcho


@pytest.fixture
def scheduler():
    """`scheduler(backend, **limits)`: a started Scheduler, closed when the test ends."""
    made: list[Scheduler] = []

    def make(backend: EchoBackend, **kw) -> Scheduler:
        s = Scheduler(**kw)
        s.attach(backend)
        s.start()
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


async def ask(s: Scheduler, backend: EchoBackend, texts: list[str], beam: int = 1, **kw):
    """The English of `texts` (the Outputs' text)."""
    return [out.text for out in await s.translate(backend.encode(texts), beam_size=beam, **kw)]


async def gather(*calls):
    """Like asyncio.gather, but every outcome is returned: results and errors alike."""
    return await asyncio.gather(*calls, return_exceptions=True)


def test_concurrent_single_sentences_share_batches(scheduler):
    backend = SlowEcho()
    s = scheduler(backend)

    async def main():
        return await gather(*(ask(s, backend, [f"Propoziția {i}."]) for i in range(16)))

    out = asyncio.run(main())
    assert out == [[f"EN(Propoziția {i}.)"] for i in range(16)]
    assert [len(x) for x in backend.batches] == [16]  # a burst waits for itself: one batch


def test_clients_that_were_answered_together_are_batched_together_again(scheduler):
    """Closed-loop clients: each sends its next request as soon as it has an answer. The
    worker waits for the clients it just answered, so batches stay full."""
    backend = SlowEcho(delay=0.2)  # a tenth of it (20 ms) covers the clients' spread
    s = scheduler(backend, batch_wait_ms=100)

    async def client(i: int) -> None:
        for round_no in range(4):
            await asyncio.sleep(0.002 * (i % 4))  # clients return a little apart
            assert await ask(s, backend, [f"c{i} r{round_no}"]) == [f"EN(c{i} r{round_no})"]

    async def main():
        await asyncio.gather(*(client(i) for i in range(12)))

    asyncio.run(main())
    sizes = [len(b) for b in backend.batches]
    assert sum(sizes) == 48
    # The first batch starts with whoever came first; from then on the clients travel
    # together (the last batch holds those whose fourth round is left).
    assert sizes[1:4] == [12, 12, 12], sizes


def test_an_idle_server_runs_a_lone_request_at_once(scheduler):
    backend = SlowEcho(delay=0.2)
    s = scheduler(backend, batch_wait_ms=1000)

    async def main():
        await gather(*(ask(s, backend, [f"a{i}"]) for i in range(8)))  # a 0.2 s batch
        await asyncio.sleep(0.1)  # longer than a tenth of that batch: nobody is coming back
        backend.delay = 0
        started = time.perf_counter()
        await ask(s, backend, ["singur"])
        return time.perf_counter() - started

    assert asyncio.run(main()) < 0.015


def test_small_request_is_not_starved_by_a_big_one(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend, max_batch=8)

    async def main():
        big = asyncio.create_task(ask(s, backend, [f"Lung {i}." for i in range(200)]))
        await asyncio.sleep(0.03)  # the big article is already being worked through
        assert await ask(s, backend, ["Scurt."]) == ["EN(Scurt.)"]
        assert not big.done()  # answered while the big one still runs
        await big

    asyncio.run(main())
    position = next(i for i, batch in enumerate(backend.batches) if "Scurt." in batch)
    assert position <= 5  # of 25 batches for the big article


def test_order_is_kept_within_a_request(scheduler):
    backend = SlowEcho(delay=0)
    s = scheduler(backend, max_batch=3)
    texts = [f"{'cuvânt ' * (i % 7)}{i}" for i in range(40)]
    assert asyncio.run(ask(s, backend, texts)) == [f"EN({t})" for t in texts]
    assert max(len(b) for b in backend.batches) == 3


def test_token_budget_bounds_each_batch_and_beam_search_shrinks_it(scheduler):
    backend = SlowEcho(delay=0)
    s = scheduler(backend, batch_tokens=64)
    texts = [f"Propoziția numărul {i}." for i in range(32)]  # 4 tokens each to the fake

    asyncio.run(ask(s, backend, texts, beam=1))
    assert max(len(b) for b in backend.batches) == 64 // 4
    backend.forget()
    asyncio.run(ask(s, backend, texts, beam=4))
    assert max(len(b) for b in backend.batches) == 64 // 4 // 4


def test_each_row_gets_its_own_output_budget(scheduler):
    backend = SlowEcho(delay=0)
    s = scheduler(backend)
    asyncio.run(ask(s, backend, ["Da.", " ".join(["cuvânt"] * 99) + "."]))
    (budgets,) = backend.budgets
    assert budgets == [13, 160]  # 1.5 × source tokens + 10: "Da." is not given the long row's


def test_queue_capacity_gives_overloaded_with_retry_after_from_the_pace(scheduler):
    backend = SlowEcho(delay=0.05)
    s = scheduler(backend, capacity=10, max_batch=1)

    async def main():
        first = asyncio.create_task(ask(s, backend, [f"a{i}" for i in range(10)]))
        await asyncio.sleep(0.12)  # two batches done: the pace is known
        with pytest.raises(Overloaded) as err:
            await ask(s, backend, ["b1", "b2", "b3", "b4", "b5"])
        assert 1 <= err.value.retry_after_s <= 60
        await first

    asyncio.run(main())


def test_failed_batch_fails_only_its_requests(scheduler, caplog):
    backend = SlowEcho(delay=0.01, fail_on="BOOM")
    s = scheduler(backend, max_batch=2)

    async def main():
        return await gather(
            ask(s, backend, ["BOOM"]),
            ask(s, backend, ["Bine 1."]),
            ask(s, backend, ["Bine 2."]),
            ask(s, backend, ["Bine 3."]),
        )

    bad, *good = asyncio.run(main())
    assert isinstance(bad, EngineFailure)
    assert bad.detail == "The engine failed on a batch (RuntimeError)."  # the kind, not the text
    (logged,) = [r for r in caplog.records if r.name == "roen.scheduler"]
    assert logged.getMessage() == "batch of 2 rows failed" and logged.exc_info
    # The batch holding BOOM also held "Bine 1." (it fails with it); the others succeed.
    assert isinstance(good[0], EngineFailure)
    assert good[1:] == [["EN(Bine 2.)"], ["EN(Bine 3.)"]]
    assert asyncio.run(ask(s, backend, ["După."])) == ["EN(După.)"]  # the worker survived


def test_request_past_its_deadline_is_dropped_from_the_queue(scheduler):
    backend = SlowEcho(delay=0.2)
    s = scheduler(backend, max_batch=1)

    async def main():
        return await gather(*(ask(s, backend, [f"x{i}", f"y{i}"], timeout_s=0.1) for i in range(3)))

    out = asyncio.run(main())
    assert all(isinstance(e, RequestTimeout) for e in out[1:])
    assert {e.detail for e in out[1:]} == {"The request waited too long in the translation queue."}
    assert len(backend.batches) < 6  # expired work was not run


def test_a_cancelled_request_leaves_the_queue_at_once(scheduler):
    backend = SlowEcho(delay=0.1)
    s = scheduler(backend, max_batch=1)

    async def main():
        job = asyncio.create_task(ask(s, backend, [f"s{i}" for i in range(10)]))
        await asyncio.sleep(0.05)  # the first row is running
        job.cancel()
        await asyncio.sleep(0)
        assert s.stats().queued_rows == 0 and s.stats().cancelled_rows == 9
        other = asyncio.create_task(ask(s, backend, ["t0", "t1", "t2"]))
        await asyncio.sleep(0.05)
        other.cancel()
        await asyncio.sleep(0)
        assert s.stats().cancelled_rows == 9 + 2  # counted across requests, not the last one
        assert await ask(s, backend, ["următorul"]) == ["EN(următorul)"]

    asyncio.run(main())
    assert [b for b in backend.batches if b[0].startswith("s")] == [["s0"]]


def test_beam_widths_are_not_mixed(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend)

    async def main():
        return await gather(*(ask(s, backend, [f"s{i}"], beam=1 + i % 2) for i in range(6)))

    out = asyncio.run(main())
    assert out == [[f"EN(s{i})"] for i in range(6)]  # every request answered
    assert len(backend.batches) >= 2
    for beam, texts in zip(backend.beams, backend.batches, strict=True):
        assert all(int(t[1:]) % 2 == beam - 1 for t in texts)


def test_tasks_run_on_the_worker_between_batches(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend)

    async def main():
        import threading

        return await s.run(lambda: threading.current_thread().name)

    assert asyncio.run(main()) == "roen-scheduler"


def test_close_fails_queued_requests_instead_of_hanging(scheduler):
    backend = SlowEcho(delay=0.2)
    s = scheduler(backend, max_batch=1)

    async def main():
        job = asyncio.create_task(ask(s, backend, [f"a{i}" for i in range(20)]))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(s.close)
        # a 503 that tells the client where to go: another instance, not this one later
        said = "The server is shutting down; retry on another instance."
        with pytest.raises(Overloaded, match=f"^{said}$") as refused:
            await job
        assert refused.value.retry_after_s == 1  # another instance can take it at once
        with pytest.raises(Overloaded, match=f"^{said}$"):
            await ask(s, backend, ["late"])

    asyncio.run(main())


def test_app_shutdown_stops_the_scheduler_worker(make_client):
    from tests.support.fakes import fake_engines

    engines = fake_engines()
    with make_client(engines) as c:
        assert c.post("/v1/translate", json={"text": "Bună."}).status_code == 200
        assert engines.scheduler.running
    assert not engines.scheduler.running  # lifespan exit closed it
    assert engines.translation.engine.closed


def test_a_backend_that_breaks_its_contract_does_not_stop_the_worker(scheduler, caplog):
    class Short(SlowEcho):
        def respond(self, texts):
            return super().respond(texts)[:-1] if "rupt" in texts else super().respond(texts)

    backend = Short(delay=0)
    s = scheduler(backend)
    with pytest.raises(EngineFailure, match=r"\(RuntimeError\)"):
        asyncio.run(ask(s, backend, ["rupt", "bun"]))
    assert "1 outputs for a batch of 2 rows" in caplog.text
    assert asyncio.run(ask(s, backend, ["după"])) == ["EN(după)"]  # the worker is alive


def test_summary_tasks_and_batches_take_turns(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend)
    order: list[str] = []

    def task(name: str):
        time.sleep(0.02)
        order.append(name)

    async def main():
        tasks = [asyncio.create_task(s.run(lambda n=n: task(n), weight=5)) for n in "abc"]
        await asyncio.sleep(0)
        translation = asyncio.create_task(ask(s, backend, ["propoziție"]))
        assert s.stats().queued_rows >= 1 + 2 * 5  # tasks count against the capacity too
        await translation
        order.append("translation")
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order.index("translation") <= 2, order  # not behind every queued summary


def test_start_after_a_close_that_abandoned_a_batch(scheduler):
    backend = SlowEcho(delay=1.0)
    s = scheduler(backend)

    async def main():
        job = asyncio.create_task(ask(s, backend, ["lung"]))
        await asyncio.sleep(0.1)
        closing = time.monotonic()
        await asyncio.to_thread(s.close, 0.05)  # gives up waiting for the running batch
        assert time.monotonic() - closing < 0.6  # not the 0.9 s the batch still runs
        with pytest.raises(Overloaded):
            await ask(s, backend, ["închis"])
        s.start()  # a second lifespan, while the old batch still runs
        backend.delay = 0
        return await job, await ask(s, backend, ["din nou"])

    assert asyncio.run(main()) == (["EN(lung)"], ["EN(din nou)"])


def test_a_throughput_scheduler_batches_the_shortest_rows_of_all_requests_together(scheduler):
    """A corpus run (fair=False): rows of one length share a batch, whoever sent them, so no
    row is padded out to a much longer one; the fair default takes from each in turn."""
    backend = SlowEcho(delay=0.05)
    s = scheduler(backend, max_batch=3, fair=False, batch_wait_ms=200, burst_gap_ms=50)
    long_ = [" ".join(["lung"] * (10 + i)) for i in range(3)]
    short = [f"scurt {i}" for i in range(3)]

    async def main():
        return await gather(ask(s, backend, long_), ask(s, backend, short))

    assert asyncio.run(main()) == [[f"EN({t})" for t in long_], [f"EN({t})" for t in short]]
    assert backend.batches == [short, long_]  # not [long_[0], short[0], …] interleaved


def test_a_throughput_scheduler_waits_for_the_whole_first_burst_even_past_a_full_batch(
    scheduler,
):
    """Its first batch is the shortest rows of everything that arrived together, not of the
    first record alone (which already fills a batch)."""
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend, max_batch=2, fair=False, batch_wait_ms=2000, burst_gap_ms=500)
    first = [" ".join(["lung"] * n) for n in (3, 4, 5)]

    async def main():
        a = asyncio.create_task(ask(s, backend, first))
        await asyncio.sleep(0.1)  # the next record of the burst, prepared a little later
        return await gather(a, ask(s, backend, ["scurt"]))

    assert asyncio.run(main()) == [[f"EN({t})" for t in first], ["EN(scurt)"]]
    assert backend.batches[0] == ["scurt", first[0]]


def test_a_throughput_scheduler_does_not_wait_between_batches_it_runs_back_to_back(scheduler):
    """Once it runs, enough is queued: a record arriving mid-run starts no new wait."""
    backend = SlowEcho(delay=0.2)
    s = scheduler(backend, max_batch=1, fair=False, batch_wait_ms=1000, burst_gap_ms=1000)

    async def main():
        started = time.monotonic()
        a = asyncio.create_task(ask(s, backend, ["a0", "a1 a1"]))
        while not backend.batches:  # the first batch runs after the 1 s burst wait
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        await gather(a, ask(s, backend, ["b0 b0 b0"]))  # arrives while a batch runs
        return time.monotonic() - started

    # 1 s for the first burst, then three batches of 0.2 s; a burst wait after the arrival
    # of b0 would add up to another second.
    assert asyncio.run(main()) < 1.9
    assert len(backend.batches) == 3


def test_the_idle_hook_runs_once_each_time_the_queue_runs_dry(scheduler):
    """The freed batch buffers go back to the OS between bursts (runtime/memory.py), not
    between the batches of one burst, and not while the server has never worked."""
    assert Scheduler().idle_after_s == 1.0  # the shipped pause that counts as idle
    backend = SlowEcho(delay=0.05)
    idle: list[int] = []
    s = scheduler(
        backend,
        max_batch=2,
        on_idle=lambda: idle.append(len(backend.batches)),
        idle_after_s=0.1,
    )
    time.sleep(0.2)
    assert idle == []  # nothing done yet: nothing to give back

    async def burst(n: int):
        return await gather(*(ask(s, backend, [f"Propoziția {i}."]) for i in range(n)))

    asyncio.run(burst(6))  # three batches of two
    deadline = time.monotonic() + 2
    while not idle and time.monotonic() < deadline:
        time.sleep(0.01)
    assert idle == [3]  # once, after the last batch of the burst
    asyncio.run(burst(2))
    deadline = time.monotonic() + 2
    while len(idle) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert idle == [3, 4]


def test_the_default_idle_hook_gives_memory_back_on_glibc():
    from service.runtime.memory import give_back_freed

    assert give_back_freed() is True  # this machine's C library is glibc (as the image's)


# --- model tasks (a summary's embeddings) on the same worker ----------------------------------
def test_a_task_runs_on_the_worker_and_is_counted(scheduler):
    import threading

    s = scheduler(EchoBackend())

    async def main():
        return await s.run(lambda: threading.current_thread().name), await s.run(lambda: 2)

    assert asyncio.run(main()) == ("roen-scheduler", 2)
    assert s.stats().tasks == 2 and s.stats().queued_rows == 0
    asyncio.run(ask(s, EchoBackend(), ["O traducere."]))
    assert s.stats().jobs == 1 and s.stats().tasks == 2


def test_a_task_that_raises_fails_its_caller_only(scheduler, caplog):
    from service.errors import EmptyInput

    s = scheduler(EchoBackend())

    def broken():
        raise ValueError("internal detail")

    def refused():
        raise EmptyInput("Nothing to summarise.")

    async def main():
        with pytest.raises(
            EngineFailure, match=r"^The engine failed on this request \(ValueError\)\.$"
        ):
            await s.run(broken)
        with pytest.raises(EmptyInput, match=r"^Nothing to summarise\.$"):  # a roen error as is
            await s.run(refused)
        return await s.run(lambda: "still here")

    assert asyncio.run(main()) == "still here"
    (record,) = [r for r in caplog.records if r.getMessage() == "model task failed"]
    assert record.exc_info and "internal detail" in str(record.exc_info[1])


def test_a_task_that_waited_past_its_deadline_is_not_run(scheduler):
    backend = SlowEcho(delay=0.4)
    s = scheduler(backend)
    ran: list[bool] = []

    async def main():
        busy = asyncio.create_task(ask(s, backend, ["Ocupat."]))
        await asyncio.sleep(0.1)  # the worker is in the batch now
        with pytest.raises(RequestTimeout, match=r"^The request waited too long\.$"):
            await s.run(lambda: ran.append(True), timeout_s=0.05)
        await busy

    asyncio.run(main())
    assert not ran


def test_a_task_weighs_its_sentences_against_the_queue_capacity(scheduler):
    s = scheduler(EchoBackend(), capacity=1)

    async def main():
        assert await s.run(lambda: "one sentence") == "one sentence"  # weight 1 by default
        with pytest.raises(Overloaded):
            await s.run(lambda: "two", weight=2)

    asyncio.run(main())
    assert s.stats().queued_rows == 0


def test_a_cancelled_task_leaves_the_queue(scheduler):
    backend = SlowEcho(delay=0.3)
    s = scheduler(backend)

    async def main():
        busy = asyncio.create_task(ask(s, backend, ["Ocupat."]))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(s.run(lambda: "never", weight=5))
        await asyncio.sleep(0.05)
        assert s.stats().queued_rows == 5
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert s.stats().queued_rows == 0
        await busy

    asyncio.run(main())


def test_a_failing_idle_hook_is_logged_and_never_fails_a_request(scheduler, caplog):
    backend = EchoBackend()

    def hook():
        raise OSError("no malloc_trim here")

    s = scheduler(backend, on_idle=hook, idle_after_s=0.05)

    async def main():
        first = await ask(s, backend, ["Unu."])
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return first, await ask(s, backend, ["Doi."])

    assert asyncio.run(main()) == (["EN(Unu.)"], ["EN(Doi.)"])
    record = caplog.records[0]
    assert record.getMessage() == "the scheduler's idle hook failed" and record.exc_info


def test_retry_after_follows_the_pace_of_the_last_batches():
    """Retry-After = the queue ÷ the rows per second the engine has been doing, 1–60 s; 2 s
    before any batch has set a pace (the scheduler's own pace: the next test)."""
    from service.runtime.scheduler import retry_after

    assert Scheduler().retry_after_s() == 2
    for queued, pace, wait in [
        (10, 4.0, 3),
        (1, 4.0, 1),
        (0, 4.0, 1),
        (10_000, 4.0, 60),
        (3, 0.5, 6),
        (10, 0.0, 2),
    ]:
        assert retry_after(queued, pace) == wait, (queued, pace)


class Gated(SlowEcho):
    """A SlowEcho whose batches wait at a gate while it is closed (a worker held busy)."""

    def __init__(self, delay: float) -> None:
        super().__init__(delay)
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def respond(self, texts: list[str]) -> list[str]:
        self.entered.set()
        self.gate.wait(10)
        return super().respond(texts)


def test_the_pace_is_measured_from_the_batches_that_ran(scheduler):
    """Rows per second of the batches run, smoothed: after batches of 2 rows in ~50 ms
    (~40 rows/s) and one slow batch (4 rows/s), 10 queued rows are a 1 s wait — not the
    3 s of the last batch's pace alone, not the 2 s guess made before any pace is known,
    nor a pace computed wrong (×, −) or never. The worker is held in a batch while the
    10 rows queue, so that none of them leaves the queue before the refusal, however
    loaded the machine."""
    backend = Gated(delay=0.05)
    s = scheduler(backend, max_batch=2, capacity=10)

    async def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def main():
        for i in range(3):
            await ask(s, backend, [f"a{i}", f"b{i}"])
        backend.delay = 0.5
        await ask(s, backend, ["slow", "batch"])
        backend.delay = 0.05
        backend.gate.clear()
        backend.entered.clear()
        busy = asyncio.create_task(ask(s, backend, ["busy", "worker"]))
        await until(backend.entered.is_set)
        waiting = asyncio.create_task(ask(s, backend, [f"r{i}" for i in range(10)]))
        await until(lambda: s.stats().queued_rows == 10)
        try:
            with pytest.raises(Overloaded) as refused:
                await ask(s, backend, ["one too many"])
        finally:
            backend.gate.set()
        await busy
        await waiting
        return refused.value.retry_after_s

    assert asyncio.run(main()) == 1


def test_a_request_cancelled_mid_batch_does_not_cost_its_batch_mates_their_answer(scheduler):
    backend = SlowEcho(delay=0.3)
    s = scheduler(backend, max_batch=2)

    async def main():
        first = asyncio.create_task(ask(s, backend, ["a0"]))
        second = asyncio.create_task(ask(s, backend, ["b0"]))
        await asyncio.sleep(0.1)  # both rows are in the running batch
        first.cancel()
        return await asyncio.wait_for(second, 5)

    assert asyncio.run(main()) == ["EN(b0)"]
    assert backend.batches == [["a0", "b0"]]
    assert asyncio.run(ask(s, backend, ["după"])) == ["EN(după)"]


def test_a_close_that_fails_a_request_mid_batch_still_answers_its_batch_mates(scheduler):
    """A's first row runs with B's; A still has a row waiting, so close() fails A. The
    running batch finishes: A's row in it is dropped, B (wholly in that batch) is answered."""
    backend = SlowEcho(delay=0.3)
    s = scheduler(backend, max_batch=2)

    async def main():
        a = asyncio.create_task(ask(s, backend, ["a0", "a1 a1"]))
        b = asyncio.create_task(ask(s, backend, ["b0"]))
        await asyncio.sleep(0.1)  # batch [a0, b0] is running; a1 waits
        await asyncio.to_thread(s.close, 5)
        return await gather(a, b)

    failed, answered = asyncio.run(main())
    assert isinstance(failed, Overloaded)
    assert answered == ["EN(b0)"]
    assert backend.batches == [["a0", "b0"]]


def test_a_caller_whose_event_loop_closed_does_not_cost_its_batch_mates(scheduler):
    backend = SlowEcho(delay=0.3)
    s = scheduler(backend, max_batch=2, burst_gap_ms=500)

    async def submit_and_leave():
        s.submit(backend.encode(["a0"]), beam_size=1)  # nobody will await it

    gone = asyncio.new_event_loop()
    gone.run_until_complete(submit_and_leave())
    gone.close()  # the caller's loop is closed before its answer is ready
    assert asyncio.run(asyncio.wait_for(ask(s, backend, ["b0"]), 5)) == ["EN(b0)"]
    assert backend.batches == [["a0", "b0"]]


def test_a_streaming_caller_whose_event_loop_closed_does_not_cost_its_batch_mates(scheduler):
    backend = SlowEcho(delay=0.3)
    s = scheduler(backend, max_batch=2, burst_gap_ms=500)
    seen: list[int] = []

    async def stream_and_leave():
        s.submit(backend.encode(["a0"]), beam_size=1, on_row=lambda i, _: seen.append(i))

    gone = asyncio.new_event_loop()
    gone.run_until_complete(stream_and_leave())
    gone.close()
    assert asyncio.run(asyncio.wait_for(ask(s, backend, ["b0"]), 5)) == ["EN(b0)"]
    assert backend.batches == [["a0", "b0"]] and seen == []


def test_a_full_batch_starts_without_waiting_for_company(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend, max_batch=2, batch_wait_ms=3000, burst_gap_ms=3000)
    started = time.monotonic()
    assert asyncio.run(ask(s, backend, ["unu", "doi"])) == ["EN(unu)", "EN(doi)"]
    assert time.monotonic() - started < 1.5  # not the 3 s a burst may wait for


def test_a_request_arriving_within_the_burst_gap_joins_the_batch(scheduler):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend, batch_wait_ms=2000, burst_gap_ms=600)

    async def main():
        first = asyncio.create_task(ask(s, backend, ["primul"]))
        await asyncio.sleep(0.05)
        return await gather(first, ask(s, backend, ["al doilea"]))

    assert asyncio.run(main()) == [["EN(primul)"], ["EN(al doilea)"]]
    assert backend.batches == [["primul", "al doilea"]]


def test_close_fails_queued_tasks_and_empties_the_queue(scheduler):
    backend = SlowEcho(delay=0.4)
    s = scheduler(backend)
    ran: list[bool] = []

    async def main():
        busy = asyncio.create_task(ask(s, backend, ["Ocupat."]))
        await asyncio.sleep(0.1)  # the worker is in the batch
        task = asyncio.create_task(s.run(lambda: ran.append(True), weight=3))
        await asyncio.sleep(0.05)
        assert s.stats().queued_rows == 3
        await asyncio.to_thread(s.close, 5)
        assert s.stats().batches == 1  # close() returned only once the running batch was done
        said = "The server is shutting down; retry on another instance."
        with pytest.raises(Overloaded, match=f"^{said}$"):
            await task
        assert await busy == ["EN(Ocupat.)"]  # the running batch was let finish

    asyncio.run(main())
    assert not ran
    assert s.stats().queued_rows == 0


def test_a_throughput_batch_stops_at_the_token_budget_and_the_rest_follows(scheduler, caplog):
    backend = SlowEcho(delay=0.01)
    s = scheduler(backend, fair=False, batch_tokens=8, burst_gap_ms=50)
    rows = [f"r{i} x y" for i in range(5)]  # three tokens each: two fit in a budget of 8
    caplog.set_level("DEBUG", logger="roen.scheduler")
    assert asyncio.run(asyncio.wait_for(ask(s, backend, rows), 5)) == [f"EN({r})" for r in rows]
    assert [len(b) for b in backend.batches] == [2, 2, 1]
    # Each batch's timing is in the debug log (how a slow corpus run is diagnosed).
    timings = [r.getMessage() for r in caplog.records if "for company" in r.getMessage()]
    for line in timings:  # "batch of 2 rows: waited W ms for company, ran R ms"
        waited, ran = (float(w) for w in re.findall(r"(\d+) ms", line))
        assert 0 <= waited < 2000 and 5 <= ran < 2000  # each batch sleeps 10 ms
    assert [t.split(":")[0] for t in timings] == [
        "batch of 2 rows",
        "batch of 2 rows",
        "batch of 1 rows",
    ]


def test_rows_asking_for_alternatives_run_apart_and_yield_to_the_others(scheduler):
    """n-best rows never share a batch with plain ones (a batch has one beam and n-best),
    and while plain rows wait they take one batch in NBEST_EVERY + 1: the others keep
    their pace. With nobody else waiting they run at once."""
    backend = Gated(delay=0.0)
    s = scheduler(backend, max_batch=1)

    async def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def main():
        backend.gate.clear()
        backend.entered.clear()
        busy = asyncio.create_task(ask(s, backend, ["ocupat"]))
        await until(backend.entered.is_set)
        nbest = s.submit(backend.encode(["alternative"]), beam_size=1, hypotheses=4)
        plain = [asyncio.create_task(ask(s, backend, [f"p{i}"])) for i in range(12)]
        await until(lambda: s.stats().queued_rows == 13)
        backend.gate.set()
        await busy
        outs = await nbest.result()
        await asyncio.gather(*plain)
        return outs

    backend.forget()
    (out,) = asyncio.run(main())
    assert out.alternatives == (
        "ALT1:EN(alternative)",
        "ALT2:EN(alternative)",
        "ALT3:EN(alternative)",
    )
    order = [batch[0] for batch in backend.batches]
    assert order.index("alternative") == NBEST_EVERY  # after NBEST_EVERY batches (ocupat too)
    assert backend.hypotheses[order.index("alternative")] == 4
    assert {h for b, h in zip(order, backend.hypotheses, strict=True) if b != "alternative"} == {1}
    backend.forget()

    async def alone():
        return await s.submit(backend.encode(["singur"]), beam_size=1, hypotheses=2).result()

    (single,) = asyncio.run(alone())  # nobody else waits: it runs at once
    assert single.alternatives == ("ALT1:EN(singur)",) and backend.hypotheses == [2]
