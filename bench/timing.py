"""Timing helpers: interleaved runs of ours and the references, and robust summaries of the samples."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Summary:
    """Samples of one figure (milliseconds or megabytes) and their median and spread."""

    samples: list[float]
    cpu: list[float] | None = None
    """Processor time of the same runs (this process's), where it was taken."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """Half the interquartile range as a share of the median: how noisy the runs were."""
        if len(self.samples) < 3 or not self.median:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.samples, n=4, method="inclusive")
        return (q3 - q1) / 2 / self.median

    def to_json(self) -> dict:
        return {"median": self.median, "spread": self.spread, "samples": self.samples, "cpu": self.cpu}


class Stopwatch:
    """Handed to a measured function: only what runs inside ``with watch:`` is counted."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.cpu = 0.0

    @contextmanager
    def timing(self):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.elapsed += time.perf_counter() - started
            self.cpu += time.process_time() - cpu


Measured = Callable[[Stopwatch], object]
"""A function that does its own setup and times its measured part with ``watch.timing()``."""


def interleaved(runs: int, contenders: dict[str, Measured], warmup: int = 0) -> dict[str, Summary]:
    """Run each contender ``runs`` times, taking turns (the order flips every round so neither always
    goes first on a machine whose load changes); milliseconds per contender. ``warmup`` rounds run
    first and are not counted."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_ in range(warmup + runs):
        order = names if round_ % 2 == 0 else names[::-1]
        for name in order:
            watch = Stopwatch()
            contenders[name](watch)
            if round_ >= warmup:
                samples[name].append(watch.elapsed * 1000)
                cpu[name].append(watch.cpu * 1000)
    return {name: Summary(values, cpu[name]) for name, values in samples.items()}
