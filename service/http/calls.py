"""Await a pipeline call for as long as the client is there to receive its answer.

Handlers read their body first, then `await until_disconnect(request, pipeline.…(…))`. If the
client hangs up meanwhile, the call is cancelled — its queued sentences leave the scheduler
at once — and the access log records 499 instead of work done for nobody.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio

from service.errors import ClientDisconnected

T = TypeVar("T")


async def until_disconnect(request: Any, call: Awaitable[T]) -> T:
    gone = False

    async def watch(scope: anyio.CancelScope) -> None:
        nonlocal gone
        while True:  # the body is read already: the next message is the disconnect
            message = await request.receive()
            if message["type"] == "http.disconnect":
                gone = True
                scope.cancel()
                return

    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(watch, group.cancel_scope)
        try:
            result = await call
        except Exception as err:  # raised outside the group, not wrapped in an ExceptionGroup
            failure = err
        group.cancel_scope.cancel()
    if gone:
        raise ClientDisconnected("The client closed the connection; its work was dropped.")
    if failure is not None:
        try:
            raise failure
        finally:  # the frame must not keep its own error (a cycle that holds what it held)
            failure = None
    return result
