"""The one error tree. Domain code raises these; the HTTP edge maps them to problem details
(`service.http.problems`) and the CLI prints `str(err)` without a traceback.

    RoenError                      something a caller or operator can act on
    ├── InputError                 the request itself is wrong
    │   ├── MalformedBody          not UTF-8, not JSON, nested too deep (400)
    │   ├── InvalidField           a field of the wrong type, out of range, unknown
    │   ├── EmptyInput             nothing to translate or summarise
    │   ├── NotRomanian            clearly another language (a batch record; the API warns)
    │   ├── UnsupportedMediaType   the body is not JSON (or not a form, for the web form)
    │   ├── LimitExceeded          too large: characters, texts, segments, bytes
    │   │   └── FetchTooLarge      a linked page over ROEN_FETCH_MAX_BYTES (service/fetch)
    │   ├── CorruptDocument        a document that cannot be read (service/documents)
    │   ├── FetchRefused           a link the fetch policy refuses (scheme, address, …)
    │   └── FetchFailed            a link that gave no page (no such name, 404, …)
    ├── AuthError                  who is calling
    │   ├── Unauthenticated        no API key (401)
    │   └── Forbidden              a key that is not configured (403)
    ├── ModelError                 the model side cannot serve
    │   ├── ModelMissing           weights not on disk (names the folder and the command)
    │   │   └── ModelNotConverted  on disk, not converted for serving (names the command)
    │   ├── ModelNotReady          still loading
    │   └── ModelLoadFailed        on disk but unusable
    ├── NotFound                   no such document, key or resource (404)
    ├── RateLimited                too many requests this minute (429, Retry-After)
    ├── QuotaExceeded              the key's monthly characters are used (429; DeepL: 456)
    ├── Overloaded                 queue full; retry later (Retry-After from the queue's pace)
    │   └── StoreUnavailable       the state store did not answer (service/store)
    ├── RequestTimeout             not finished within the request timeout
    │   └── FetchTimedOut          a linked page that did not arrive in time
    ├── ClientDisconnected         the client left; its queued work was dropped
    └── EngineFailure              inference raised; only the affected request fails

A message that names a `roen` command spells it with `roen_command`, as the reader can type it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys


def roen_command(
    args: str,
    *,
    executable: str | None = None,
    search_path: str | None = None,
    cwd: str | None = None,
) -> str:
    """`roen ARGS` as the user can type it: plain `roen` when PATH finds this installation,
    else the path of this installation's script (relative when under the working directory),
    since after `make run` it is `.venv/bin/roen`, not on PATH. The keywords are test seams;
    by default this interpreter, $PATH and the working directory."""
    python = os.path.abspath(executable or sys.executable)
    script = shutil.which("roen", path=os.path.dirname(python))
    typed = shutil.which("roen", path=search_path)
    if script is None:  # run as `python -m service.cli`, with no script installed beside it
        prog = "roen" if typed else f"{_shown(python, cwd)} -m service.cli"
    elif typed and _same_file(typed, script):
        prog = "roen"
    else:
        prog = _shown(script, cwd)
    return f"{prog} {args}".rstrip()


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _shown(path: str, cwd: str | None) -> str:
    """`path` relative to the working directory when under it (with ./ where needed, so that
    the shell does not search PATH for it), else absolute; quoted for the shell."""
    try:
        rel = os.path.relpath(path, cwd or os.getcwd())
    except (OSError, ValueError):  # working directory deleted; another drive (Windows)
        rel = os.pardir
    if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
        path = rel if os.sep in rel else os.curdir + os.sep + rel
    return shlex.quote(path)


class RoenError(Exception):
    """Base of every error roen raises on purpose."""

    title = "Error"
    retry_after_s: int | None = None  # when retrying later can succeed

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def for_cli(self) -> str:
        """What the `roen` command prints. `detail` is worded for the server (HTTP, readiness,
        the form's banner); an error whose remedy differs at a terminal rewords it here."""
        return self.detail


class InputError(RoenError):
    title = "Invalid input"


class MalformedBody(InputError):
    title = "Malformed request"


class InvalidField(InputError):
    title = "Invalid request body"

    def __init__(self, detail: str, *, field: str | None) -> None:
        super().__init__(detail)
        self.field = field


class EmptyInput(InputError):
    title = "Empty input"


class NotRomanian(InputError):
    title = "Not Romanian"


class NotFound(RoenError):
    title = "Not found"


class UnsupportedMediaType(InputError):
    title = "Unsupported media type"


class LimitExceeded(InputError):
    title = "Request too large"

    def __init__(self, detail: str, *, limit: int | None = None, actual: int | None = None):
        super().__init__(detail)
        self.limit = limit
        self.actual = actual


class RateLimited(RoenError):
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_s: int, limit: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        self.limit = limit


class QuotaExceeded(RoenError):
    title = "Quota exceeded"

    def __init__(self, detail: str, *, limit: int, used: int, resets_at: str) -> None:
        super().__init__(detail)
        self.limit = limit
        self.used = used
        self.resets_at = resets_at


class AuthError(RoenError):
    title = "Not allowed"


class Unauthenticated(AuthError):
    title = "API key required"


class Forbidden(AuthError):
    title = "API key not accepted"


class ModelError(RoenError):
    title = "Model unavailable"


class ModelMissing(ModelError):
    title = "Model not downloaded"

    def __init__(
        self, model: str, folder: str, command: str | None = None, *, detail: str = ""
    ) -> None:
        self.model = model
        self.folder = folder
        self.command = command or roen_command("models download")
        self._fixed_detail = detail  # a detail whose remedy is the same in every context
        super().__init__(detail or self._explain(then="restart the server"))

    def _explain(self, *, then: str) -> str:
        return self._fixed_detail or (
            f"Model '{self.model}' is not in {self.folder}. Run `{self.command}` on a machine "
            f"with network access (or copy the files into {self.folder}), then {then}."
        )

    def for_cli(self) -> str:
        return self._explain(then="run this command again")

    @classmethod
    def empty_folder(cls, path: str) -> ModelMissing:
        """A configured local folder holds no checkpoint: downloading would not fill it."""
        return cls(
            path,
            path,
            detail=f"Model folder {path} holds no checkpoint (no config.json). Point the model "
            "setting at a folder written by save_pretrained, or at a hub id and run "
            f"`{roen_command('models download')}`.",
        )


class ModelNotConverted(ModelMissing):
    """On disk, but not in the runtime form serving reads (converting needs torch, which a
    serving process does not load), or converted from an older version of the checkpoint."""

    title = "Model not converted"

    def _explain(self, *, then: str) -> str:
        return (
            f"Model '{self.model}' has not been converted for CTranslate2 in {self.folder} (or "
            f"its checkpoint changed since). Run `{self.command}` where roen's `convert` extra "
            f"is installed (offline, it converts the copy on disk), then {then}."
        )


class ModelNotReady(ModelError):
    title = "Model loading"
    retry_after_s = 5


class ModelLoadFailed(ModelError):
    title = "Model failed to load"


class Overloaded(RoenError):
    title = "Service overloaded"

    def __init__(self, detail: str, *, retry_after_s: int = 1) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class RequestTimeout(RoenError):
    title = "Request timed out"


class ClientDisconnected(RoenError):
    title = "Client closed the request"


class EngineFailure(RoenError):
    title = "Translation failed"
