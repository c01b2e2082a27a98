"""The job API: long work as plain generators, Qt-free.

A job is a generator function that takes a ``CancelToken`` (plus its own
arguments), yields ``Progress`` after each unit of work (a batch, a file) and
returns its result. It checks ``token.raise_if_cancelled()`` between units, so a
cancel takes effect within one batch and never leaves a half-written batch:
each batch is written in its own transaction.

The GUI drives a job in a worker thread (``app.workers``) and relays each
Progress as a signal; the CLI drives it with ``run_job`` and a progress bar;
a later job queue can drive it on another machine. ::

    def count_to(token, n):
        for i in range(n):
            token.raise_if_cancelled()
            yield Progress(i + 1, n, f"counted {i + 1}")
        return n
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generator, TypeVar

R = TypeVar("R")


class Cancelled(Exception):
    """Raised inside a job when its token was cancelled; the job's finished batches stay written."""


@dataclass
class Progress:
    """One step of a job. ``total`` is None when unknown; ``data`` carries partial results
    (e.g. the ids a batch wrote) for views that want to show them as they arrive.
    ``errors`` lists per-item problems that were skipped (a corrupt image)."""
    done: int
    total: int | None = None
    message: str = ""
    data: Any = None
    errors: list[str] = field(default_factory=list)

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


class CancelToken:
    """Thread-safe cooperative cancel flag."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


JobGenerator = Generator[Progress, None, R]


class Eta:
    """Estimated time left from the rate so far."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()

    def seconds_left(self, progress: Progress) -> float | None:
        if not progress.total or progress.done <= 0:
            return None
        elapsed = self._clock() - self._start
        return elapsed / progress.done * (progress.total - progress.done)


def run_job(job: JobGenerator, on_progress: Callable[[Progress], None] | None = None) -> R:
    """Drive a job generator to the end on this thread; returns its result.

    Raises ``Cancelled`` if the job was cancelled, and whatever the job raised."""
    while True:
        try:
            progress = next(job)
        except StopIteration as stop:
            return stop.value
        if on_progress is not None:
            on_progress(progress)
