"""Mask rasters in the worker process: the same result as in-process, and a dead worker is survived."""
from __future__ import annotations

import os
import signal
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from app.canvas import raster_pool  # noqa: E402
from app.canvas.raster_pool import RasterPool  # noqa: E402
from engine.geometry import encode_mask  # noqa: E402
from engine.geometry.rle_raster import raster_masks  # noqa: E402
from engine.priority import HELPER_NICE  # noqa: E402

H, W = 60, 90


@pytest.fixture
def own_worker(monkeypatch):
    """A worker process of this test's own (the app's shared one is left alone)."""
    monkeypatch.setattr(raster_pool, "_process", None)
    monkeypatch.setattr(raster_pool, "_process_failed", False)
    monkeypatch.setattr(raster_pool, "_warm", None)
    monkeypatch.setattr(raster_pool, "_lost", [])
    yield
    if raster_pool._process is not None:
        raster_pool._process.shutdown(wait=True)


def _masks():
    rng = np.random.default_rng(5)
    out = []
    for _ in range(12):
        m = np.zeros((H, W), dtype=bool)
        y, x = rng.integers(0, H - 10), rng.integers(0, W - 10)
        m[y:y + rng.integers(3, 30), x:x + rng.integers(3, 40)] = True
        out.append(encode_mask(m))
    return out, np.arange(1, 13, dtype=np.uint32)


def test_the_raster_runs_in_another_process_and_matches(own_worker):
    rles, slots = _masks()
    pool = RasterPool()
    assert raster_pool.wait_ready(60)
    worker = raster_pool._shared_process()
    assert worker is not None and worker.submit(os.getpid).result(timeout=60) != os.getpid()
    runs, boxes = pool.raster(rles, slots, H, W).result(timeout=60)
    local, local_boxes = raster_masks(rles, slots, H, W)
    assert np.array_equal(runs.expand(), local.expand()) and np.array_equal(boxes, local_boxes)
    pool.shutdown()


def _nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no nice values on this platform")
def test_the_worker_runs_below_the_gui_threads_priority(own_worker):
    # The GUI thread draws the frame while the worker rasters; on two cores it must not lose its core.
    RasterPool()
    worker_nice = raster_pool._shared_process().submit(_nice).result(timeout=60)
    assert worker_nice == min(19, _nice() + HELPER_NICE)


def _in_worker() -> bool:
    return os.environ.get("KINETAG_TEST_PARENT") != str(os.getpid())  # set before the worker starts


def _dies_in_the_worker(rles, slots, height, width):
    if _in_worker():
        os._exit(3)  # the worker dies in the middle of a job
    return raster_masks(rles, slots, height, width)


def _hangs_in_the_worker(rles, slots, height, width):
    if _in_worker():
        os.kill(os.getpid(), signal.SIGSTOP)  # stopped: it will never answer
    return raster_masks(rles, slots, height, width)


def _gone(pid: int) -> bool:
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("failure", [_dies_in_the_worker, _hangs_in_the_worker])
def test_a_worker_that_dies_or_hangs_mid_job_is_replaced(own_worker, monkeypatch, failure):
    rles, slots = _masks()
    expected = raster_masks(rles, slots, H, W)[0].expand()
    monkeypatch.setenv("KINETAG_TEST_PARENT", str(os.getpid()))
    monkeypatch.setattr(raster_pool, "WORKER_TIMEOUT", 2.0)
    monkeypatch.setattr(raster_pool, "MAX_WORKER_LOSSES", 2)
    monkeypatch.setattr(raster_pool, "raster_masks", failure)
    pool = RasterPool()
    assert raster_pool.wait_ready(60)
    first_worker = raster_pool._shared_process()
    first = first_worker.submit(os.getpid).result(timeout=60)
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)  # dies or hangs there: done in the thread
    assert np.array_equal(runs.expand(), expected)
    assert raster_pool._process is None and not raster_pool._process_failed
    assert _gone(first)  # a stopped worker is killed, not left behind
    # The next raster starts another worker; until it runs, rasters are done in the thread.
    again, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(again.expand(), expected)
    assert raster_pool.wait_ready(60)
    second = raster_pool._shared_process().submit(os.getpid).result(timeout=60)
    assert second not in (first, os.getpid())
    second_worker = raster_pool._shared_process()
    raster_pool._lost_process(first_worker)  # a late report of the first failure changes nothing
    assert raster_pool._shared_process() is second_worker and len(raster_pool._lost) == 1
    # It fails too: that was the last loss allowed, rasters stay in the thread from now on.
    third, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(third.expand(), expected)
    assert raster_pool._process_failed and raster_pool._shared_process() is None
    assert _gone(second)
    last, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(last.expand(), expected)
    pool.shutdown()


def _pid_of_the_raster(log):
    def raster(rles, slots, height, width):
        log.append(os.getpid())
        return raster_masks(rles, slots, height, width)
    return raster


def test_a_switch_does_not_wait_for_a_worker_still_starting(own_worker, monkeypatch):
    from concurrent.futures import Future
    rles, slots = _masks()
    ran_here = []
    monkeypatch.setattr(raster_pool, "raster_masks", _pid_of_the_raster(ran_here))
    pool = RasterPool()
    assert raster_pool.wait_ready(60)
    monkeypatch.setattr(raster_pool, "_warm", Future())  # as if its interpreter were still starting
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert ran_here == [os.getpid()]
    assert np.array_equal(runs.expand(), raster_masks(rles, slots, H, W)[0].expand())
    pool.shutdown()


def test_a_worker_that_never_starts_is_replaced(own_worker, monkeypatch):
    from concurrent.futures import Future
    rles, slots = _masks()
    pool = RasterPool()
    assert raster_pool.wait_ready(60)
    stuck = raster_pool._shared_process()
    monkeypatch.setattr(raster_pool, "_warm", Future())  # its start-up job never answers
    monkeypatch.setattr(raster_pool, "_started_at", time.monotonic() - raster_pool.START_TIMEOUT - 1)
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)  # done in the thread meanwhile
    assert np.array_equal(runs.expand(), raster_masks(rles, slots, H, W)[0].expand())
    assert raster_pool._lost == [stuck] and raster_pool._process is not stuck
    assert raster_pool.wait_ready(60)  # a new one has started
    pool.shutdown()


def test_a_job_cancelled_by_a_worker_shutdown_is_rastered_in_the_thread(own_worker, monkeypatch):
    from concurrent.futures import Future
    rles, slots = _masks()

    class ShutDownMeanwhile:  # what a shut-down executor does to a job still in its queue
        def submit(self, *args):
            future = Future()
            future.cancel()
            return future

    monkeypatch.setattr(raster_pool, "_ready_process", lambda: ShutDownMeanwhile())
    pool = RasterPool()
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(runs.expand(), raster_masks(rles, slots, H, W)[0].expand())
    assert len(raster_pool._lost) == 1 and isinstance(raster_pool._lost[0], ShutDownMeanwhile)
    pool.shutdown()
