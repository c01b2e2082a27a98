import threading

import pytest

from engine.jobs import CancelToken, Cancelled, Eta, Progress, run_job


def counting_job(token, n, started=None):
    for i in range(n):
        token.raise_if_cancelled()
        if started is not None:
            started.set()
        yield Progress(i + 1, n, f"item {i}")
    return n * 10


def test_run_job_returns_result_and_reports_progress():
    seen = []
    assert run_job(counting_job(CancelToken(), 3), seen.append) == 30
    assert [p.done for p in seen] == [1, 2, 3] and seen[-1].fraction == 1.0


def test_cancel_stops_between_steps():
    token = CancelToken()
    seen = []

    def on_progress(p):
        seen.append(p.done)
        if p.done == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        run_job(counting_job(token, 10), on_progress)
    assert seen == [1, 2]


def test_cancel_from_another_thread():
    token = CancelToken()
    threading.Timer(0.01, token.cancel).start()
    with pytest.raises(Cancelled):
        for _ in counting_job(token, 10**9):
            pass


def test_eta():
    clock = iter([0.0, 10.0]).__next__
    eta = Eta(clock)
    assert eta.seconds_left(Progress(1, 5)) == pytest.approx(40.0)
    assert Eta(lambda: 0.0).seconds_left(Progress(0, None)) is None
