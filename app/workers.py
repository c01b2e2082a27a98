"""Run a job generator (engine.jobs) in a QThread and report through signals.

``JobWorker`` lives on the GUI thread; a private ``_Runner`` is moved to a new
QThread and drives the generator there. Progress crosses threads through
queued signals, throttled so a job yielding thousands of tiny steps cannot
flood the GUI's event queue. Cancel is cooperative: the token is set, the job
notices at its next ``raise_if_cancelled()``, between batches.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401 — before any Qt call; see the module

import logging
import time
from typing import Any, Callable, Generator

from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine.jobs import CancelToken, Cancelled, Progress

log = logging.getLogger(__name__)

JobFactory = Callable[[CancelToken], Generator[Progress, None, Any]]

PROGRESS_INTERVAL = 0.05  # seconds: at most ~20 progress signals per second

# Workers keep themselves alive while running, so callers may drop their references.
_RUNNING: set["JobWorker"] = set()


class _Runner(QObject):
    progress = Signal(object)

    def __init__(self, factory: JobFactory, token: CancelToken, interval: float):
        super().__init__()
        self._factory = factory
        self._token = token
        self._interval = interval
        self.outcome: tuple[str, Any] = ("errored", "job did not run")

    @Slot()
    def run(self) -> None:
        last_emit = float("-inf")
        pending: Progress | None = None
        try:
            job = self._factory(self._token)
            while True:
                try:
                    step = next(job)
                except StopIteration as stop:
                    result = stop.value
                    break
                now = time.monotonic()
                if now - last_emit >= self._interval:
                    self.progress.emit(step)
                    last_emit, pending = now, None
                else:
                    pending = step
            if pending is not None:  # the last step always reaches the GUI (e.g. 100 %)
                self.progress.emit(pending)
            self.outcome = ("finished", result)
        except Cancelled:
            if pending is not None:
                self.progress.emit(pending)
            self.outcome = ("cancelled", None)
        except BaseException as exc:  # noqa: BLE001 — any failure must reach the GUI as errored
            log.exception("job failed")
            self.outcome = ("errored", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        finally:
            QThread.currentThread().quit()


class JobWorker(QObject):
    """``JobWorker(lambda token: my_job(token, ...)).start()``; connect the signals first.

    Signals, all on the GUI thread: ``started``, ``progress(Progress)`` (throttled),
    then exactly one of ``finished(result)``, ``errored(message)``, ``cancelled()``,
    and always ``done()`` last.
    """
    started = Signal()
    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, job_factory: JobFactory, parent: QObject | None = None, *,
                 progress_interval: float = PROGRESS_INTERVAL):
        super().__init__(parent)
        self._factory = job_factory
        self._interval = progress_interval
        self.token = CancelToken()
        self._thread: QThread | None = None
        self._runner: _Runner | None = None
        self._running = False
        self._started = False

    def is_running(self) -> bool:
        return self._running

    def start(self) -> None:
        if self._started:
            raise RuntimeError("JobWorker.start(): a worker runs its job once")
        self._started = self._running = True
        _RUNNING.add(self)
        self._thread = QThread()
        self._thread.setObjectName("kinetag-job")
        self._runner = _Runner(self._factory, self.token, self._interval)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.progress.connect(self.progress)
        # Queued to this (GUI) thread: the runner's last progress signals are
        # delivered first, and the thread has stopped when _on_thread_finished runs.
        self._thread.finished.connect(self._on_thread_finished)
        self.started.emit()
        self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the thread ends (tests, application shutdown). Signals still need the event loop."""
        if self._thread is None or not self._running:
            return True
        return self._thread.wait() if msecs < 0 else self._thread.wait(msecs)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, runner = self._thread, self._runner
        thread.wait()
        kind, payload = runner.outcome
        self._running = False
        try:
            if kind == "finished":
                self.finished.emit(payload)
            elif kind == "cancelled":
                self.cancelled.emit()
            else:
                self.errored.emit(payload)
        finally:
            self.done.emit()
            self._runner = self._thread = None
            runner.deleteLater()
            thread.deleteLater()
            _RUNNING.discard(self)
