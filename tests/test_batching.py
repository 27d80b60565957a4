from hypothesis import given
from hypothesis import strategies as st

from service.engine.batching import plan_batches


def test_sorted_and_budgeted():
    lengths = [30, 5, 10, 5, 30, 12]
    batches = plan_batches(lengths, budget_tokens=40, max_batch=8)
    assert sorted(i for b in batches for i in b) == list(range(6))
    for b in batches:
        assert len(b) * max(lengths[i] for i in b) <= 40 or len(b) == 1
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


@given(st.lists(st.integers(1, 300), max_size=200), st.integers(1, 2000), st.integers(1, 64))
def test_every_index_once_within_limits(lengths, budget, max_batch):
    batches = plan_batches(lengths, budget_tokens=budget, max_batch=max_batch)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert 1 <= len(b) <= max_batch
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= budget
