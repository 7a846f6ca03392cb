"""The threads the app's thread workers run on, each job in a context of its own.

Textual runs a thread worker with ``loop.run_in_executor``, which does not copy the caller's
context, and marks the worker as the thread's active one (``active_worker.set``) in the context of
the executor thread itself. That context outlives the job: each thread kept the last worker it ran
alive, and with it the worker's screen and every widget of it, long after the screen was closed.
Python's full collections walked those dead screens too (bench/README.md, "Event-loop stalls").
Running every job in a fresh ``contextvars.Context`` drops what the job set when it ends; a thread
starts with an empty context anyway, so a job sees nothing less than it did.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class FreshContextExecutor(ThreadPoolExecutor):
    """A thread pool that runs each job in a new, empty context."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.Context().run, fn, *args, **kwargs)
