"""Where the model runs (runtime/device.py), decided without a GPU: CI never has one, so
the choice is a function of the setting and the devices seen, tested for each case."""

from __future__ import annotations

import pytest

from service.errors import ModelLoadFailed
from service.runtime.device import cuda_devices, placement
from service.settings import Settings


def settings(**kw) -> Settings:
    return Settings(_env_file=None, **kw)


def test_auto_takes_a_card_when_there_is_one_with_its_compute_type_and_budget():
    on_card = placement(settings(), devices=2)
    assert (on_card.device, on_card.compute_type, on_card.batch_tokens) == (
        "cuda",
        "int8_float16",
        16384,
    )
    assert on_card.label == "int8_float16 on cuda" and "2 CUDA device" in on_card.reason


def test_auto_without_a_card_and_cpu_always_run_on_the_cpu_with_its_budget():
    for chosen in (placement(settings(), devices=0), placement(settings(device="cpu"), devices=4)):
        assert (chosen.device, chosen.compute_type, chosen.batch_tokens) == ("cpu", "int8", 2048)


def test_cuda_without_a_card_is_refused_saying_what_to_do():
    with pytest.raises(ModelLoadFailed, match=r"ROEN_DEVICE=cuda.*no CUDA device"):
        placement(settings(device="cuda"), devices=0)


def test_the_settings_choose_the_cards_compute_type_and_budget():
    chosen = placement(
        settings(device="cuda", cuda_compute_type="float16", cuda_batch_tokens=8192), devices=1
    )
    assert (chosen.compute_type, chosen.batch_tokens) == ("float16", 8192)


def test_this_machine_is_counted_without_failing():
    assert cuda_devices() >= 0  # 0 here and in CI: no driver is no error


def test_a_backend_on_a_card_brings_its_budget_to_the_scheduler():
    from service.runtime.scheduler import Scheduler
    from tests.support.fakes import EchoBackend

    scheduler = Scheduler(batch_tokens=2048)
    cpu = EchoBackend()
    scheduler.attach(cpu)
    assert scheduler.batch_tokens == 2048
    card = EchoBackend()
    card.batch_tokens = 16384
    scheduler.attach(card)
    assert scheduler.batch_tokens == 16384
