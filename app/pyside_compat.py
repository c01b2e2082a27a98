"""Work around PySide6 6.12's reference leaks of None/True/False on CPython < 3.12.

Every void-returning PySide6 6.12 method (``QPainter.setPen``,
``QGraphicsItem.setPos``, ``QObject.setObjectName``, ``QObject.parent()``
returning None, ...) gives back ``None`` without taking a reference, and
signal emits drop one on ``True``: the abi3 wheel relies on these being
immortal (PEP 683, CPython 3.12+). On 3.11 the process aborts with
"deallocating None" after a few thousand calls: seconds of painting. Until the
wheel or the interpreter changes, make them immortal the way 3.12 does: a
reference count so large that no number of leaks reaches 0. (app.application
has the same guard for the window; either is enough, both are harmless.)

Imported for its side effect by every CORE module that uses Qt; idempotent.
"""
from __future__ import annotations

import ctypes
import sys

_HUGE = 1 << 60


def make_none_immortal() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return  # None is immortal already; touching its count would break that
    for singleton in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is PyObject's first field
        if refcnt.value < _HUGE // 2:
            refcnt.value += _HUGE


make_none_immortal()
