"""Give the memory of a finished burst back to the operating system.

A decoding step allocates buffers of tens of MB (a beam batch's logits over a 60k
vocabulary, the attention caches) and frees them; glibc keeps freed memory for reuse, so a
serving process that held 277 MB between requests measured 518 MB after three long
digests, and stayed there. Returning every large buffer at once (a fixed mmap threshold)
would page-fault them in again at every step: 30-40 % of CTranslate2's throughput, measured.
So the scheduler calls `give_back_freed` when its queue runs dry instead: one
`malloc_trim(0)` per burst, off the request path.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(
            ctypes.util.find_library("c") or "libc.so.6"
        ).malloc_trim
    except (OSError, AttributeError):  # not glibc: its allocator is left as it is
        return None
    return trim


def give_back_freed() -> bool:
    """Release the C heap's free pages; False where the C library has no malloc_trim."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
