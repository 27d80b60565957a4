"""The one error tree. Domain code raises these; the HTTP edge maps them to problem details
(`service.http.problems`) and the CLI prints `str(err)` without a traceback.

    RoenError                      something a caller or operator can act on
    ├── InputError                 the request itself is wrong
    │   ├── MalformedBody          not UTF-8, not JSON, nested too deep (400)
    │   ├── InvalidField           a field of the wrong type, out of range, unknown
    │   ├── EmptyInput             nothing to translate or summarise
    │   ├── UnsupportedMediaType   the body is not JSON (or not a form, for the web form)
    │   └── LimitExceeded          too large: characters, texts, segments, bytes
    ├── AuthError                  who is calling
    │   ├── Unauthenticated        no API key (401)
    │   └── Forbidden              a key that is not configured (403)
    ├── ModelError                 the model side cannot serve
    │   ├── ModelMissing           weights not on disk (names the folder and the command)
    │   ├── ModelNotReady          still loading
    │   └── ModelLoadFailed        on disk but unusable
    ├── Overloaded                 queue full; retry later (Retry-After from the queue's pace)
    ├── RequestTimeout             not finished within the request timeout
    ├── ClientDisconnected         the client left; its queued work was dropped
    └── EngineFailure              inference raised; only the affected request fails
"""

from __future__ import annotations


class RoenError(Exception):
    """Base of every error roen raises on purpose."""

    title = "Error"
    retry_after_s: int | None = None  # when retrying later can succeed

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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


class UnsupportedMediaType(InputError):
    title = "Unsupported media type"


class LimitExceeded(InputError):
    title = "Request too large"

    def __init__(self, detail: str, *, limit: int | None = None, actual: int | None = None):
        super().__init__(detail)
        self.limit = limit
        self.actual = actual


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
        self, model: str, folder: str, command: str = "roen models download", *, detail: str = ""
    ) -> None:
        super().__init__(
            detail
            or f"Model '{model}' is not in {folder} and roen does not download at start-up. "
            f"Run `{command}` on a machine with network access (or copy the files into "
            f"{folder}), then restart."
        )
        self.model = model
        self.folder = folder
        self.command = command

    @classmethod
    def empty_folder(cls, path: str) -> ModelMissing:
        """A configured local folder holds no checkpoint: downloading would not fill it."""
        return cls(
            path,
            path,
            detail=f"Model folder {path} holds no checkpoint (no config.json). Point the model "
            "setting at a folder written by save_pretrained, or at a hub id and run "
            "`roen models download`.",
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
