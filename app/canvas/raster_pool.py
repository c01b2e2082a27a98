"""Where a switched-to frame's masks are rastered: a worker process, with a thread to fall back on.

Rastering is whole-array numpy, but it is a few hundred numpy calls, and each
one takes the GIL back from the GUI thread, which is running Python (the store
query, the frame model) at that very moment: a thread waits for every hand-off,
and a 40 ms raster took 200 ms beside a busy Python thread. A process has its
own GIL. Its result is small (rle_raster.Runs, about a megabyte at 1080p), so
sending it back costs about a millisecond. The GUI thread, no longer fighting
for the GIL, draws the frame's shapes meanwhile (layers.py).

One process serves every scene of the app; it starts with the first scene, in
the background, and a switch never waits for an interpreter to start: until
the worker runs, rasters are done in the thread. A worker that dies or hangs is
killed and replaced the same way, up to MAX_WORKER_LOSSES times a session.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
import sys
import threading
import time
import types
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout  # not the builtin before Python 3.11
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from engine.geometry.rle_raster import raster_masks, ready
from engine.priority import HELPER_NICE, lower_process_priority

log = logging.getLogger(__name__)
# A raster takes well under a second; a worker that has not answered by then is stopped or
# stuck, and the GUI thread waiting for it must not wait for ever.
WORKER_TIMEOUT = 10.0

# A worker that died or hung is replaced, this many times a session; then rasters stay in threads
# (something keeps killing it: out of memory, a broken install).
MAX_WORKER_LOSSES = 3
# A new worker's interpreter starts in about a second; one that has not started by then is stuck.
START_TIMEOUT = 30.0

_lock = threading.Lock()
_process: ProcessPoolExecutor | None = None
_warm: Future | None = None  # the current worker's start-up job: done once its interpreter runs
_started_at = 0.0  # time.monotonic() when the current worker was created
_process_failed = False
_lost: list = []  # the workers given up, each counted once


def _shutdown_current() -> None:
    with _lock:
        process = _process
    if process is not None:
        process.shutdown(wait=True, cancel_futures=True)


atexit.register(_shutdown_current)


def _shared_process() -> ProcessPoolExecutor | None:
    global _process, _process_failed, _warm, _started_at
    failed = None
    with _lock:
        if _process is None and not _process_failed:
            try:
                # spawn, not fork: a forked copy of a running Qt app is not safe to use.
                # At a lower priority than the GUI thread, which draws the rest of the frame meanwhile.
                _process = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=partial(lower_process_priority, HELPER_NICE))
                # Start the interpreter now, not on the first switch. A spawned child imports the
                # parent's __main__ (the app's script, a test runner, a user's script without a
                # main guard) before anything else: hide it, the worker needs only numpy.
                main, sys.modules["__main__"] = sys.modules["__main__"], types.ModuleType("__main__")
                try:
                    _warm = _process.submit(ready)  # a function of a numpy-only module: no Qt in the worker
                finally:
                    sys.modules["__main__"] = main
                _started_at = time.monotonic()
            except (OSError, RuntimeError) as exc:
                log.warning("no mask raster worker process (%s); rastering in a thread", exc)
                failed, _process = _process, None
                if failed is None:
                    failed = exc  # nothing was created: count the attempt itself as a loss
        process = _process
    if failed is not None:
        _lost_process(failed)
    return process


def _current() -> tuple[ProcessPoolExecutor | None, Future | None, float]:
    """The worker (started if there is none yet), its start-up job and when it was created."""
    process = _shared_process()
    with _lock:
        if process is None or process is not _process:
            return None, None, 0.0
        return process, _warm, _started_at


def _ready_process() -> ProcessPoolExecutor | None:
    """The worker, once its interpreter has started; None before (a switch rasters in the thread
    rather than wait for a new interpreter) and when there is none."""
    process, warm, started_at = _current()
    if warm is None:
        return None
    if not warm.done():
        if time.monotonic() - started_at > START_TIMEOUT:
            log.warning("the mask raster process did not start in %.0f s; starting another", START_TIMEOUT)
            _lost_process(process)
        return None
    if warm.cancelled() or warm.exception() is not None:
        _lost_process(process)
        return None
    return process


def wait_ready(timeout: float) -> bool:
    """Wait until the worker has started (benchmarks, tests); False if there is none by then."""
    _, warm, _ = _current()
    if warm is None:
        return False
    try:
        warm.result(timeout=timeout)
        return True
    except Exception:  # noqa: BLE001 — timed out, or the worker died starting
        return False


def _lost_process(lost) -> None:
    """The worker ``lost`` died or hangs: stop it. The next raster starts another one, up to
    MAX_WORKER_LOSSES a session; rasters run in threads meanwhile and after that."""
    global _process, _process_failed
    with _lock:
        if any(known is lost for known in _lost):  # two rasters saw the same worker fail
            return
        _lost.append(lost)
        if _process is lost:
            _process = None
        if len(_lost) >= MAX_WORKER_LOSSES:
            _process_failed = True
    if lost is not None:
        for worker in list((getattr(lost, "_processes", None) or {}).values()):
            worker.kill()  # a hung worker would keep its executor from shutting down
        shutdown = getattr(lost, "shutdown", None)
        if shutdown is not None:
            shutdown(wait=False, cancel_futures=True)


class RasterPool:
    """``raster`` runs ``rle_raster.raster_masks`` in the worker process (in this pool's thread
    while there is none running); ``submit`` runs anything in this pool's one thread, in order
    after the rasters submitted before it (what colours a raster waits for it there)."""

    def __init__(self, use_process: bool = True):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinetag-raster")
        self._use_process = use_process
        if use_process:
            _shared_process()

    def raster(self, rles: list[dict], slots, height: int, width: int) -> Future:
        remote = None
        process = _ready_process() if self._use_process else None
        if process is not None:
            try:
                remote = process.submit(raster_masks, rles, slots, height, width)
            except (BrokenProcessPool, RuntimeError):
                _lost_process(process)

        def result():
            if remote is not None:
                try:
                    return remote.result(timeout=WORKER_TIMEOUT)
                # Killed, out of memory, stopped; or cancelled when a failed worker was shut down.
                except (BrokenProcessPool, FutureTimeout, CancelledError) as exc:
                    log.warning("the mask raster process failed (%s); rastering in a thread until another "
                                "one has started", type(exc).__name__)
                    _lost_process(process)
            return raster_masks(rles, slots, height, width)

        return self._thread.submit(result)

    def submit(self, fn, *args) -> Future:
        return self._thread.submit(fn, *args)

    def shutdown(self, wait: bool = True) -> None:
        self._thread.shutdown(wait=wait)
