"""The box of a live instance, with eight resize handles."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from app.canvas.items.handles import SQUARE, HandleItem, place

# Handle index -> which edges it moves: (left, top, right, bottom).
EDGES = [
    (1, 1, 0, 0), (0, 1, 0, 0), (0, 1, 1, 0), (0, 0, 1, 0),
    (0, 0, 1, 1), (0, 0, 0, 1), (1, 0, 0, 1), (1, 0, 0, 0),
]
_CURSORS = [
    Qt.CursorShape.SizeFDiagCursor, Qt.CursorShape.SizeVerCursor, Qt.CursorShape.SizeBDiagCursor,
    Qt.CursorShape.SizeHorCursor, Qt.CursorShape.SizeFDiagCursor, Qt.CursorShape.SizeVerCursor,
    Qt.CursorShape.SizeBDiagCursor, Qt.CursorShape.SizeHorCursor,
]


def resized(rect: tuple, handle: int, x: float, y: float) -> tuple[float, float, float, float]:
    """The box after dragging handle ``handle`` to (x, y); flips are normalised."""
    x0, y0, w, h = rect
    left, top, right, bottom = x0, y0, x0 + w, y0 + h
    l, t, r, b = EDGES[handle]
    if l:
        left = x
    if t:
        top = y
    if r:
        right = x
    if b:
        bottom = y
    left, right = min(left, right), max(left, right)
    top, bottom = min(top, bottom), max(top, bottom)
    return (left, top, right - left, bottom - top)


class BoxItem(QGraphicsItem):
    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self._rect = QRectF()
        self._pen = QPen()
        self.handles = [HandleItem(self, ("resize", i), SQUARE, cursor=_CURSORS[i]) for i in range(8)]

    def set_box(self, rect: tuple | None, pen: QPen) -> None:
        self.prepareGeometryChange()
        self._pen = pen
        self._rect = QRectF(*rect) if rect is not None else QRectF()
        r = self._rect
        xs = (r.left(), r.center().x(), r.right())
        ys = (r.top(), r.center().y(), r.bottom())
        spots = [(0, 0), (1, 0), (2, 0), (2, 1), (2, 2), (1, 2), (0, 2), (0, 1)]
        for handle, (i, j) in zip(self.handles, spots):
            handle.setVisible(rect is not None)
            place(handle, xs[i], ys[j])
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._rect.isNull():
            return
        painter.setPen(self._pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self._rect)
