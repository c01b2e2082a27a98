"""Kinetag's PySide6 desktop app: the only package that imports Qt."""
# First, before any Qt call: PySide6 6.12 leaks references to None/True/False on CPython < 3.12.
from app import pyside_compat  # noqa: F401

import sys as _sys

# The GUI thread shares the interpreter with worker threads (image decoding, mask
# rasters, inference, store writes). With Python's default 5 ms switch interval a
# thread waiting for the GIL waits up to 5 ms per hand-off, so a frame switch that
# overlaps work on two threads spent a third of its time waiting; 1 ms keeps the
# hand-offs short (measured: cold frame switch ~20% faster, bench/render.py).
if _sys.getswitchinterval() > 0.001:
    _sys.setswitchinterval(0.001)
