"""Small draggable markers of a live instance: box corners, keypoints, polygon vertices.

They keep their on-screen size at any zoom (ItemIgnoresTransformations) and
only carry a ``role``; the select tool does the dragging and the document the
editing, so a handle never writes anything itself.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

SQUARE, DISC, RING = 0, 1, 2
SIZE = 9.0  # screen pixels


class HandleItem(QGraphicsItem):
    def __init__(self, parent: QGraphicsItem, role: tuple, shape: int = SQUARE,
                 color: QColor | None = None, cursor=Qt.CursorShape.SizeAllCursor):
        super().__init__(parent)
        self.role = role
        self._shape = shape
        self._color = QColor(color) if color is not None else QColor(255, 255, 255)
        self.active = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setCursor(cursor)
        self.setZValue(5)
        self.setAcceptHoverEvents(False)

    def set_look(self, shape: int, color: QColor) -> None:
        self._shape, self._color = shape, QColor(color)
        self.update()

    def set_active(self, on: bool) -> None:
        if on != self.active:
            self.active = on
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        h = SIZE / 2 + 2
        return QRectF(-h, -h, 2 * h, 2 * h)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        h = SIZE / 2 + 1  # a little easier to hit than to see
        path.addRect(QRectF(-h, -h, 2 * h, 2 * h))
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        h = SIZE / 2
        rect = QRectF(-h, -h, 2 * h, 2 * h)
        outline = QPen(QColor(255, 255, 0) if self.active else QColor(20, 20, 20), 2 if self.active else 1)
        painter.setPen(outline)
        if self._shape == SQUARE:
            painter.setBrush(QBrush(self._color))
            painter.drawRect(rect)
        elif self._shape == DISC:
            painter.setBrush(QBrush(self._color))
            painter.drawEllipse(rect)
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self._color, 2))
            painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
            if self.active:
                painter.setPen(outline)
                painter.drawEllipse(rect)


def place(handle: HandleItem, x: float, y: float) -> None:
    if handle.pos() != QPointF(x, y):
        handle.setPos(x, y)


def drop(handle: QGraphicsItem) -> None:
    """Detach and forget a child item (removeItem also unparents it)."""
    scene = handle.scene()
    if scene is not None:
        scene.removeItem(handle)
    else:
        handle.setParentItem(None)
