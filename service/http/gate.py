"""Run blocking engine calls off the event loop, with bounded concurrency, waiting and time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from service.errors import EngineFailure, Overloaded, RequestTimeout, RoenError

T = TypeVar("T")


class EngineGate:
    def __init__(self, *, max_concurrent: int, max_waiting: int, timeout_s: float) -> None:
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self.timeout_s = timeout_s
        self._limiter: anyio.CapacityLimiter | None = None  # made inside the event loop

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.max_concurrent)
        return self._limiter

    @property
    def waiting(self) -> int:
        return self.limiter.statistics().tasks_waiting

    async def run(self, fn: Callable[[], T]) -> T:
        if self.waiting >= self.max_waiting:
            raise Overloaded(
                f"{self.waiting} requests are already waiting for the engine; retry shortly.",
                retry_after_s=2,
            )
        try:
            with anyio.fail_after(self.timeout_s):
                # abandon_on_cancel: on timeout the client gets its 504 now; the batch in
                # flight finishes in its thread and its result is dropped.
                return await anyio.to_thread.run_sync(
                    fn, limiter=self.limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise RequestTimeout(
                f"The engine did not finish within {self.timeout_s:g} s (ROEN_REQUEST_TIMEOUT_S). "
                "Send shorter texts or retry when the server is less busy."
            ) from None
        except RoenError:
            raise
        except Exception as err:
            raise EngineFailure(
                f"The engine failed on this request ({type(err).__name__})."
            ) from err
