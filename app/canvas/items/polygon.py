"""The polygon outline(s) of a live instance with one handle per vertex."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from app.canvas.items.handles import SQUARE, HandleItem, drop, place


class PolygonItem(QGraphicsItem):
    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self._path = QPainterPath()
        self._pen = QPen()
        self._fill = QColor(0, 0, 0, 0)
        self.handles: dict[tuple[int, int], HandleItem] = {}

    def set_rings(self, rings: list, pen: QPen, fill: QColor, active: tuple | None = None) -> None:
        self.prepareGeometryChange()
        self._pen, self._fill = pen, fill
        path = QPainterPath()
        wanted = set()
        for r, ring in enumerate(rings):
            pts = [QPointF(ring[i], ring[i + 1]) for i in range(0, len(ring) - 1, 2)]
            if len(pts) < 2:
                continue
            path.addPolygon(QPolygonF(pts))
            path.closeSubpath()
            for i, p in enumerate(pts):
                key = (r, i)
                wanted.add(key)
                handle = self.handles.get(key)
                if handle is None:
                    handle = self.handles[key] = HandleItem(self, ("vertex", r, i), SQUARE, QColor(255, 255, 255))
                handle.set_active(key == active)
                place(handle, p.x(), p.y())
        for key in [k for k in self.handles if k not in wanted]:
            drop(self.handles.pop(key))
        self._path = path
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._path.boundingRect().adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(self._pen)
        painter.setBrush(self._fill)
        painter.drawPath(self._path)


def edge_hit(rings: list, x: float, y: float, tolerance: float) -> tuple[int, int] | None:
    """(ring, index to insert at) of the edge within ``tolerance`` of (x, y), or None."""
    best, best_d = None, tolerance
    for r, ring in enumerate(rings):
        pts = [(ring[i], ring[i + 1]) for i in range(0, len(ring) - 1, 2)]
        for i in range(len(pts)):
            (ax, ay), (bx, by) = pts[i], pts[(i + 1) % len(pts)]
            dx, dy = bx - ax, by - ay
            length2 = dx * dx + dy * dy
            t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
            px, py = ax + t * dx, ay + t * dy
            d = ((x - px) ** 2 + (y - py) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = (r, i + 1), d
    return best
