"""Python's cycle collector paused while a worker makes a great many objects.

A worker that reads a whole collection (fitting FSRS to a million answers, the dashboard's figures,
home's counts, a quiz drawn from every card) makes objects fast enough to set off full collections,
and a full collection walks everything the app holds while holding the interpreter: the screen froze
for 0.1-0.3 s at a time at 100k cards (bench/README.md, "Event-loop stalls"). What these workers make
holds no reference cycles and is dropped when they end, so reference counting frees it; the
collector runs again as soon as the last such worker ends. (A worker that keeps what it makes must
not pause it: the first collection after the pause would walk all of it at once.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector until the block ends (and every other such block with it)."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
