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
from engine.priority import BACKGROUND_NICE  # noqa: E402

H, W = 60, 90


@pytest.fixture
def own_worker(monkeypatch):
    """A worker process of this test's own (the app's shared one is left alone)."""
    monkeypatch.setattr(raster_pool, "_process", None)
    monkeypatch.setattr(raster_pool, "_process_failed", False)
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
    assert worker_nice == min(19, _nice() + BACKGROUND_NICE)


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


@pytest.mark.parametrize("failure", [_dies_in_the_worker, _hangs_in_the_worker])
def test_a_worker_that_dies_or_hangs_mid_job_is_replaced_by_the_thread(own_worker, monkeypatch, failure):
    rles, slots = _masks()
    monkeypatch.setenv("KINETAG_TEST_PARENT", str(os.getpid()))
    monkeypatch.setattr(raster_pool, "WORKER_TIMEOUT", 2.0)
    monkeypatch.setattr(raster_pool, "raster_masks", failure)
    pool = RasterPool()
    worker = raster_pool._shared_process()
    pid = worker.submit(os.getpid).result(timeout=60)
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(runs.expand(), raster_masks(rles, slots, H, W)[0].expand())
    assert raster_pool._process is None and raster_pool._process_failed  # from now on: the thread
    again, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(again.expand(), runs.expand())
    pool.shutdown()
    with pytest.raises(ProcessLookupError):  # the worker is gone (a stopped one was killed), not left behind
        for _ in range(200):
            os.kill(pid, 0)
            time.sleep(0.05)


def test_a_job_cancelled_by_a_worker_shutdown_is_rastered_in_the_thread(own_worker, monkeypatch):
    from concurrent.futures import Future
    rles, slots = _masks()

    class ShutDownMeanwhile:  # what a shut-down executor does to a job still in its queue
        def submit(self, *args):
            future = Future()
            future.cancel()
            return future

    monkeypatch.setattr(raster_pool, "_shared_process", lambda: ShutDownMeanwhile())
    pool = RasterPool()
    runs, _ = pool.raster(rles, slots, H, W).result(timeout=60)
    assert np.array_equal(runs.expand(), raster_masks(rles, slots, H, W)[0].expand())
    assert raster_pool._process_failed
    pool.shutdown()
