"""JobWorker: a job generator in a QThread, reported through signals on the GUI thread."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402
import time  # noqa: E402

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402

from app.workers import JobWorker  # noqa: E402
from engine.jobs import Progress  # noqa: E402


def cpu_work(n: int = 60_000) -> int:
    return sum(i * i for i in range(n))  # pure Python: holds the GIL the whole time


def run(qtbot, worker: JobWorker, timeout: int = 20_000) -> list:
    events = []
    worker.started.connect(lambda: events.append(("started",)))
    worker.progress.connect(lambda p: events.append(("progress", p.done, p.total)))
    worker.finished.connect(lambda r: events.append(("finished", r)))
    worker.errored.connect(lambda m: events.append(("errored", m)))
    worker.cancelled.connect(lambda: events.append(("cancelled",)))
    worker.done.connect(lambda: events.append(("done",)))
    with qtbot.waitSignal(worker.done, timeout=timeout):
        worker.start()
    return events


def test_progress_arrives_throttled_and_the_result_last(qtbot):
    threads = []

    def job(token):
        threads.append(threading.get_ident())
        for i in range(200):
            token.raise_if_cancelled()
            yield Progress(i + 1, 200, f"step {i + 1}")
        return "all done"

    worker = JobWorker(job)
    events = run(qtbot, worker)
    kinds = [e[0] for e in events]
    assert kinds[0] == "started" and kinds[-2:] == ["finished", "done"]
    progress = [e for e in events if e[0] == "progress"]
    assert 1 <= len(progress) < 200          # 200 quick steps, throttled to a few signals
    assert progress[-1][1:] == (200, 200)    # the last step always arrives
    assert events[-2] == ("finished", "all done")
    assert threads[0] != threading.get_ident()  # ran off the GUI thread
    assert not worker.is_running()


def test_cancel_stops_between_steps(qtbot):
    steps = []

    def job(token):
        for i in range(10_000):
            token.raise_if_cancelled()
            cpu_work(5_000)
            steps.append(i)
            yield Progress(i + 1, 10_000)
        return "finished anyway"

    worker = JobWorker(job, progress_interval=0.0)
    worker.progress.connect(lambda p: worker.cancel() if p.done >= 3 else None)
    events = run(qtbot, worker)
    kinds = [e[0] for e in events]
    assert "cancelled" in kinds and "finished" not in kinds and kinds[-1] == "done"
    assert 3 <= len(steps) < 10_000


def test_an_exception_becomes_errored_with_its_message(qtbot):
    def job(token):
        yield Progress(1, 3)
        raise ValueError("frame 7 of clip.mp4: cannot decode")

    events = run(qtbot, JobWorker(job))
    assert ("errored", "ValueError: frame 7 of clip.mp4: cannot decode") in events
    assert events[-1] == ("done",)
    assert not any(e[0] == "finished" for e in events)


def test_a_worker_cannot_start_twice(qtbot):
    def job(token):
        yield Progress(1, 1)
        return 1

    worker = JobWorker(job)
    run(qtbot, worker)
    try:
        worker.start()
    except RuntimeError as exc:
        assert "once" in str(exc)
    else:
        raise AssertionError("second start() was accepted")


def test_dropping_the_reference_while_running_is_safe(qtbot):
    finished = []

    def job(token):
        for i in range(5):
            cpu_work(2_000)
            yield Progress(i + 1, 5)
        return "kept alive"

    worker = JobWorker(job)
    worker.finished.connect(finished.append)
    done = worker.done
    with qtbot.waitSignal(done, timeout=10_000):
        worker.start()
        del worker
    assert finished == ["kept alive"]


def test_the_event_loop_stays_responsive_while_a_job_computes(qtbot):
    """A 10 ms timer keeps firing (gap < 50 ms) while the worker burns CPU in pure Python."""
    def job(token):
        for i in range(30):
            token.raise_if_cancelled()
            until = time.perf_counter() + 0.012
            while time.perf_counter() < until:  # 12 ms of pure-Python work per step
                cpu_work(500)
            yield Progress(i + 1, 30)
        return True

    clock = QElapsedTimer()
    gaps, last = [], [None]

    def tick():
        now = clock.elapsed()
        if last[0] is not None:
            gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    worker = JobWorker(job)
    started = time.monotonic()
    events = run(qtbot, worker, timeout=60_000)
    timer.stop()
    assert events[-2] == ("finished", True)
    assert time.monotonic() - started > 0.3  # the job really took a while
    assert len(gaps) > 10
    assert max(gaps) < 50, f"longest gap between 10 ms ticks: {max(gaps)} ms"
