"""What a fetch raises. Each is a `service.errors` class, so the HTTP edge maps it with the
rest of the tree:

- `FetchRefused` (InputError → 422): the link names something this server will not fetch (a
  scheme, userinfo, a private or loopback address, too many redirects, not a page). The
  caller can act on it: send another link. 422, not 400: the request parsed; its link is
  what is refused.
- `FetchFailed` (InputError → 422): the remote did not give a page (no such name, connection
  refused, a bad certificate, a non-2xx answer). Also the caller's link to fix.
- `FetchTooLarge` (LimitExceeded → 413, with `limit` and `actual`): the page is over
  `max_bytes`; it is the request's input, as a body over the limit would be.
- `FetchTimedOut` (RequestTimeout → 504): the remote was too slow. A gateway timeout, not
  the caller's mistake; retrying later may succeed.
"""

from __future__ import annotations

from service.errors import InputError, LimitExceeded, RequestTimeout


class FetchRefused(InputError):
    title = "Link refused"


class FetchFailed(InputError):
    title = "Link could not be fetched"

    def __init__(self, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status  # the remote's HTTP status, when it answered with one


class FetchTooLarge(LimitExceeded):
    title = "Linked page too large"


class FetchTimedOut(RequestTimeout):
    title = "Linked page timed out"
