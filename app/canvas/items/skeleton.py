"""The skeleton of a live instance: edges as one path, one handle per placed keypoint.

Visible keypoints are filled discs, occluded ones hollow rings, absent ones
are not drawn; left and right points (from the category's flip pairs) differ
in colour.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from app.canvas import colors
from app.canvas.geometry import _sides
from app.canvas.items.handles import DISC, RING, HandleItem, drop, place
from engine.model import Category


class SkeletonItem(QGraphicsItem):
    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self._path = QPainterPath()
        self._pen = QPen()
        self.handles: dict[int, HandleItem] = {}

    def set_keypoints(self, keypoints: list | None, category: Category | None, color: QColor,
                      pen: QPen, active: int | None = None) -> None:
        self.prepareGeometryChange()
        self._pen = pen
        kp = keypoints or []
        n = len(kp) // 3
        path = QPainterPath()
        for a, b in (category.skeleton if category else []):
            if a < n and b < n and kp[3 * a + 2] > 0 and kp[3 * b + 2] > 0:
                path.moveTo(kp[3 * a], kp[3 * a + 1])
                path.lineTo(kp[3 * b], kp[3 * b + 1])
        self._path = path
        sides = _sides(category, n)
        side_colors = (color, colors.LEFT, colors.RIGHT)
        for k in range(n):
            v = kp[3 * k + 2]
            handle = self.handles.get(k)
            if v <= 0:
                if handle is not None:
                    handle.setVisible(False)
                continue
            look = DISC if v >= 2 else RING
            if handle is None:
                handle = self.handles[k] = HandleItem(self, ("keypoint", k), look, side_colors[sides[k]],
                                                      Qt.CursorShape.CrossCursor)
            else:
                handle.set_look(look, side_colors[sides[k]])
            handle.setVisible(True)
            handle.set_active(k == active)
            place(handle, kp[3 * k], kp[3 * k + 1])
        for k in [k for k in self.handles if k >= n]:
            drop(self.handles.pop(k))
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._path.boundingRect().adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
