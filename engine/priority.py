"""Lower CPU priority for helper threads and processes, so the thread a user waits on goes first.

On two cores, a frame switch has three busy threads (the GUI, the image
decoder, the mask raster process) and prediction has torch's workers beside
the decoder. At equal priority the scheduler gives each a share, so the
thread on the critical path runs a third slower than it could. A higher nice
value leaves the helpers the spare core and the gaps, and they still get a
whole core whenever nothing else wants it. Not SCHED_IDLE: an idle-class
thread preempted while holding the GIL stalls every other Python thread, and
nothing unprivileged can undo it. With autogroup scheduling (desktop Linux)
nice is relative to the app's own threads only, never to other programs.
"""
from __future__ import annotations

import os
import threading

BACKGROUND_NICE = 10  # beside a model that fills every core
# The canvas's decoder thread and mask raster process: enough for the GUI thread to keep its core
# on a switch, small enough that they are not starved when a CPU prediction in the same app keeps
# torch's threads (at nice 0) busy, since a switch waits for their results.
HELPER_NICE = 4


def lower_thread_priority(step: int = BACKGROUND_NICE) -> bool:
    """Raise the calling thread's nice value by ``step`` (Linux: per thread). False where unsupported."""
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + step))
        return True
    except (AttributeError, OSError):  # macOS/Windows have no per-thread nice
        return False


def lower_process_priority(step: int = BACKGROUND_NICE) -> bool:
    """Raise the calling process's nice value by ``step``: a worker process's initializer, which
    runs before the worker starts any other thread (on Linux ``os.nice`` changes only the calling
    thread, and threads started later inherit it). False where unsupported."""
    try:
        os.nice(min(step, 19 - os.nice(0)))
        return True
    except (AttributeError, OSError):  # Windows has no nice
        return False
