"""The engine's stage metrics, recorded where the work happens: the scheduler calls these
on its worker thread, the pipeline on the request's loop. `Stages` records nothing; the
HTTP edge plugs in its Prometheus histograms (service/http/metrics.py)."""

from __future__ import annotations


class Stages:
    """What the scheduler and the pipeline report (each call cheap; none may raise)."""

    def batch(self, rows: int, tokens: int, beam: int, seconds: float) -> None:
        """One batch run: its rows, its input tokens, its beam width, its time."""

    def queue_wait(self, seconds: float) -> None:
        """A request's wait from its first row queued to its first batch."""

    def request(self, characters: int, segments: int) -> None:
        """A translated request's size."""

    def first_segment(self, seconds: float) -> None:
        """A stream's time from the request's arrival to its first segment sent."""


NO_STAGES = Stages()
