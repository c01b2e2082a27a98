"""Build large QPainterPaths from numpy arrays in one call.

Appending 40,000 moveTo/lineTo elements one Python call at a time costs tens
of milliseconds; a thousand skeletons need that many. QPainterPath's
QDataStream form is a flat big-endian record list, so numpy writes it and Qt
reads it back in a single C++ call.

Record layout (Qt 6 qpainterpath.cpp): int32 count, count x (int32 type,
float64 x, float64 y), int32 start of the last subpath, int32 fill rule.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath

_MOVE, _LINE = 0, 1
_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def _from_elements(types: np.ndarray, xy: np.ndarray) -> QPainterPath:
    n = int(types.size)
    if n == 0:
        return QPainterPath()
    elements = np.empty(n, dtype=_ELEMENT)
    elements["type"] = types
    elements["x"] = xy[:, 0]
    elements["y"] = xy[:, 1]
    moves = np.flatnonzero(types == _MOVE)
    last_start = int(moves[-1]) if moves.size else 0
    blob = (np.array([n], dtype=">i4").tobytes() + elements.tobytes()
            + np.array([last_start, 0], dtype=">i4").tobytes())
    path = QPainterPath()
    data = QByteArray(blob)  # must outlive the stream, which reads it in place
    stream = QDataStream(data)
    stream >> path
    return path


def segments_path(segments: np.ndarray) -> QPainterPath:
    """(n, 4) array of x1, y1, x2, y2 -> n separate line segments."""
    seg = np.asarray(segments, dtype=np.float64).reshape(-1, 4)
    types = np.tile(np.array([_MOVE, _LINE], dtype=np.int32), len(seg))
    return _from_elements(types, seg.reshape(-1, 2))


def rects_path(rects: np.ndarray) -> QPainterPath:
    """(n, 4) array of x, y, w, h -> n closed rectangle outlines."""
    r = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    x0, y0 = r[:, 0], r[:, 1]
    x1, y1 = x0 + r[:, 2], y0 + r[:, 3]
    xy = np.stack([x0, y0, x1, y0, x1, y1, x0, y1, x0, y0], axis=1).reshape(-1, 2)
    types = np.tile(np.array([_MOVE, _LINE, _LINE, _LINE, _LINE], dtype=np.int32), len(r))
    return _from_elements(types, xy)


def rings_path(rings: list) -> QPainterPath:
    """Flat [x1, y1, x2, y2, ...] rings -> closed polygons (one subpath each)."""
    parts, types = [], []
    for ring in rings:
        pts = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
        if len(pts) < 2:
            continue
        parts.append(np.vstack([pts, pts[:1]]))
        t = np.full(len(pts) + 1, _LINE, dtype=np.int32)
        t[0] = _MOVE
        types.append(t)
    if not parts:
        return QPainterPath()
    return _from_elements(np.concatenate(types), np.vstack(parts))


def circles_path(centres: np.ndarray, radius: float, sides: int = 12) -> QPainterPath:
    """(n, 2) centres -> n closed regular polygons approximating circles (rings at any zoom)."""
    c = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    if len(c) == 0:
        return QPainterPath()
    angles = np.linspace(0.0, 2.0 * np.pi, sides + 1)
    offsets = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius
    xy = (c[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    t = np.full(sides + 1, _LINE, dtype=np.int32)
    t[0] = _MOVE
    return _from_elements(np.tile(t, len(c)), xy)
