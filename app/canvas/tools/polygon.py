"""Draw a polygon: click vertices; Enter or a double-click closes it; Esc cancels."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem

from app.canvas.tools.base import Tool
from app.canvas.tools.edits import with_polygons
from engine.model import Instance


class PolygonTool(Tool):
    name = "polygon"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, view):
        super().__init__(view)
        self.points: list[QPointF] = []
        self._hover: QPointF | None = None
        self._path_item: QGraphicsPathItem | None = None

    def deactivate(self) -> None:
        self._reset()

    def _reset(self) -> None:
        if self._path_item is not None:
            self.scene.removeItem(self._path_item)
        self._path_item, self.points, self._hover = None, [], None

    def _redraw(self) -> None:
        if self._path_item is None:
            self._path_item = QGraphicsPathItem()
            pen = QPen(QColor(255, 255, 0), 1.5)
            pen.setCosmetic(True)
            self._path_item.setPen(pen)
            self._path_item.setZValue(50)
            self.scene.addItem(self._path_item)
        path = QPainterPath()
        pts = self.points + ([self._hover] if self._hover is not None else [])
        if pts:
            path.addPolygon(QPolygonF(pts))
        self._path_item.setPath(path)

    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.document.asset is None:
            return False
        self.points.append(QPointF(*self.clamp(pos)))
        self._redraw()
        return True

    def move(self, pos: QPointF, event: QMouseEvent) -> bool:
        if not self.points:
            return False
        self._hover = QPointF(*self.clamp(pos))
        self._redraw()
        return True

    def double_click(self, pos: QPointF, event: QMouseEvent) -> bool:
        # The press before this double-click already added this point once.
        if self.points:
            self.close_polygon()
            return True
        return False

    def wants_key(self, event: QKeyEvent) -> bool:
        return bool(self.points) and event.key() in (
            Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Backspace, Qt.Key.Key_Delete)

    def key(self, event: QKeyEvent) -> bool:
        if not self.points:
            return False
        k = event.key()
        if k in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.close_polygon()
        elif k == Qt.Key.Key_Escape:
            self._reset()
        elif k in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.points.pop()
            self._redraw()
        else:
            return False
        return True

    def close_polygon(self) -> int | None:
        """Create the instance from the clicked vertices (>= 3 distinct); returns its id."""
        pts = []
        for p in self.points:
            if not pts or (p - pts[-1]).manhattanLength() > 0.5:
                pts.append(p)
        self._reset()
        if len(pts) < 3:
            self.view.statusMessage.emit("A polygon needs at least three vertices")
            return None
        cid = self.category_id()
        if cid is None:
            self.view.statusMessage.emit("Add a category before drawing")
            return None
        doc = self.document
        ring = [v for p in pts for v in (p.x(), p.y())]
        base = Instance(asset_id=doc.asset.id, category_id=cid, frame_index=doc.frame_index)
        try:
            new_id = doc.add_instance(with_polygons(base, [ring], doc.asset.height, doc.asset.width))
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
            return None
        doc.select([new_id])
        return new_id
