"""Await a pipeline call for as long as the client is there to receive its answer.

Handlers read their body first, then `await until_disconnect(request, pipeline.…(…))`. If the
client hangs up meanwhile, the call is cancelled — its queued sentences leave the scheduler
at once — and the access log records 499 instead of work done for nobody.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from service.errors import ClientDisconnected

if TYPE_CHECKING:
    from service.accounts.usage import Charge
    from service.http.access import Access
    from service.http.downloads import Downloads
    from service.pipeline.progress import Progress
    from service.pipeline.types import Digest, TranslatedFile

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


async def metered(
    request: Any,
    access: Access,
    chars: int,
    call: Awaitable[T],
    billed: Callable[[T], int] | None = None,
) -> T:
    """`until_disconnect`, with the caller's characters held against its quota before the
    work and counted once it is done; released if it fails, times out or the client
    leaves (shielded: a cancelled request still gives its hold back). `billed`: what to
    count once done, when it is less than what was held (a page's article, not the page)."""
    try:
        charge = await access.hold(request, chars)
    except BaseException:
        _discard(call)
        raise
    result = await held(charge, until_disconnect(request, call))
    chars = billed(result) if billed else chars
    await charge.commit(chars)
    request.state.billed = chars
    return result


async def metered_file(
    request: Any,
    access: Access,
    translate: Callable[[Callable[[int], Awaitable[None]]], Awaitable[TranslatedFile]],
) -> TranslatedFile:
    """A document: its characters are known once it is read — the pipeline calls `on_text`
    then, before translating any of it, and the quota is held on that exact count."""
    charges: list[Charge] = []

    async def on_text(chars: int) -> None:
        charges.append(await access.hold(request, chars))

    try:
        done = await until_disconnect(request, translate(on_text))
    except BaseException:
        with anyio.CancelScope(shield=True):
            for charge in charges:
                await charge.release()
        raise
    for charge in charges:  # none for a document with no text: nothing translated, nothing billed
        await charge.commit(done.chars)
    request.state.billed = done.chars if charges else 0
    return done


async def metered_download(
    request: Any,
    access: Access,
    downloads: Downloads,
    translate: Callable[[Callable[[int], Awaitable[None]]], Awaitable[TranslatedFile]],
    source_name: str,
) -> tuple[TranslatedFile, str]:
    """A document as `metered_file`, kept for download (LibreTranslate's file URL, DeepL's
    document result) before it is billed: a full download store is a 503 that costs nothing.
    Gives the document and its download name."""
    names: list[str] = []

    async def work(on_text: Callable[[int], Awaitable[None]]) -> TranslatedFile:
        done = await translate(on_text)
        names.append(await downloads.put(done.data, done.kind, source_name))
        return done

    done = await metered_file(request, access, work)
    return done, names[0]


def digest_billed(sent: str) -> Callable[[Digest], int]:
    """What a digest bills (`metered`'s `billed`): a page's article, not its markup; else
    the text as sent."""
    return lambda digest: len(digest.extracted.text) if digest.extracted else len(sent)


def _discard(call: Awaitable[Any]) -> None:
    """A call refused before it was awaited: closed, so that it is not reported as a
    coroutine never awaited."""
    if inspect.iscoroutine(call):
        call.close()


async def stream_started(request: Any, charge: Charge, starting: Awaitable[Progress]) -> Progress:
    """A stream's start (admission, its rows queued), awaited while the client is there:
    if anything fails or the client leaves meanwhile, the hold is given back and whatever
    the start queued leaves the scheduler."""
    started: list[Progress] = []

    async def start() -> Progress:
        started.append(await starting)
        return started[0]

    try:
        return await held(charge, until_disconnect(request, start()))
    except BaseException:
        for progress in started:
            progress.cancel()
        raise


async def held(charge: Charge, call: Awaitable[T]) -> T:
    """`call`, giving `charge`'s hold back if it fails (a stream refused before it began)."""
    try:
        return await call
    except BaseException:
        with anyio.CancelScope(shield=True):
            await charge.release()
        raise
