"""Draw a box: press, drag, release -> a new manual instance of the current category."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from app.canvas.tools.base import Tool
from engine.model import Instance

MIN_SIZE = 2.0  # image pixels; smaller drags are clicks, not boxes


class BoxTool(Tool):
    name = "box"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, view):
        super().__init__(view)
        self._start: QPointF | None = None
        self._rect_item: QGraphicsRectItem | None = None

    def deactivate(self) -> None:
        self._drop()

    def _drop(self) -> None:
        if self._rect_item is not None:
            self.scene.removeItem(self._rect_item)
        self._rect_item, self._start = None, None

    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.document.asset is None:
            return False
        self._start = QPointF(*self.clamp(pos))
        self._rect_item = QGraphicsRectItem(QRectF(self._start, self._start))
        pen = QPen(QColor(255, 255, 0), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rect_item.setPen(pen)
        self._rect_item.setZValue(50)
        self.scene.addItem(self._rect_item)
        return True

    def move(self, pos: QPointF, event: QMouseEvent) -> bool:
        if self._start is None:
            return False
        self._rect_item.setRect(QRectF(self._start, QPointF(*self.clamp(pos))).normalized())
        return True

    def release(self, pos: QPointF, event: QMouseEvent) -> bool:
        if self._start is None:
            return False
        rect = QRectF(self._start, QPointF(*self.clamp(pos))).normalized()
        self._drop()
        if rect.width() < MIN_SIZE or rect.height() < MIN_SIZE:
            return True
        cid = self.category_id()
        if cid is None:
            self.view.statusMessage.emit("Add a category before drawing")
            return True
        doc = self.document
        inst = Instance(asset_id=doc.asset.id, category_id=cid, frame_index=doc.frame_index,
                        bbox=(rect.x(), rect.y(), rect.width(), rect.height()),
                        area=rect.width() * rect.height())
        try:
            new_id = doc.add_instance(inst)
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
            return True
        doc.select([new_id])
        return True
