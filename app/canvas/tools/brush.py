"""Brush and eraser: paint a stroke on an image-sized overlay, commit it as an RLE mask on release.

The brush adds to the selected instance's mask (or, with nothing selected,
makes a new instance of the current category); the eraser removes from the
selected instance's mask. The stroke is painted with QPainter into a QImage
during the drag (cheap, local repaints); only the release decodes, combines
and encodes (engine.geometry), once.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from app.canvas.tools.base import Tool
from app.canvas.tools.edits import painted
from engine.model import Instance


class StrokeItem(QGraphicsItem):
    """An image-sized paint layer; repaints only the region a stroke segment touched."""

    def __init__(self, width: int, height: int, color: QColor):
        super().__init__()
        self.image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        self.image.fill(0)
        self._color = QColor(color)
        self._color.setAlpha(150)
        self.setZValue(40)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self.image.rect())

    def stroke(self, a: QPointF, b: QPointF, size: float) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # the mask is binary
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        pen = QPen(self._color, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if a == b:
            painter.setBrush(self._color)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(a, size / 2, size / 2)
        else:
            painter.drawLine(a, b)
        painter.end()
        r = size / 2 + 2
        self.update(QRectF(a, b).normalized().adjusted(-r, -r, r, r))

    def mask(self) -> np.ndarray:
        """The painted pixels as a bool (H, W) array."""
        alpha = self.image.convertToFormat(QImage.Format.Format_Alpha8)
        h, w = alpha.height(), alpha.width()
        buf = np.frombuffer(alpha.constBits(), dtype=np.uint8, count=alpha.bytesPerLine() * h)
        return buf.reshape(h, alpha.bytesPerLine())[:, :w] > 0

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r = option.exposedRect.toAlignedRect().intersected(self.image.rect())
        if not r.isEmpty():
            painter.drawImage(r.topLeft(), self.image, r)


class BrushTool(Tool):
    name = "brush"
    erase = False
    cursor = Qt.CursorShape.BlankCursor

    def __init__(self, view):
        super().__init__(view)
        self._stroke: StrokeItem | None = None
        self._last: QPointF | None = None
        self._target_id: int | None = None
        self._cursor_item: QGraphicsEllipseItem | None = None

    def activate(self) -> None:
        super().activate()
        self._cursor_item = QGraphicsEllipseItem()
        pen = QPen(QColor(255, 255, 255), 1)
        pen.setCosmetic(True)
        self._cursor_item.setPen(pen)
        self._cursor_item.setZValue(60)
        self._cursor_item.setVisible(False)
        self.scene.addItem(self._cursor_item)

    def deactivate(self) -> None:
        self._drop_stroke()
        if self._cursor_item is not None and self._cursor_item.scene() is not None:
            self.scene.removeItem(self._cursor_item)
        self._cursor_item = None

    def _drop_stroke(self) -> None:
        if self._stroke is not None and self._stroke.scene() is not None:
            self.scene.removeItem(self._stroke)
        self._stroke, self._last, self._target_id = None, None, None

    def _show_cursor(self, pos: QPointF) -> None:
        if self._cursor_item is not None:
            r = self.view.brush_size / 2
            self._cursor_item.setRect(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r))
            self._cursor_item.setVisible(True)

    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        doc = self.document
        if event.button() != Qt.MouseButton.LeftButton or doc.asset is None:
            return False
        item = self.single_live()
        if self.erase and item is None:
            self.view.statusMessage.emit("Select the instance to erase from")
            return True
        if item is None and self.category_id() is None:
            self.view.statusMessage.emit("Add a category before painting")
            return True
        self._target_id = item.id if item is not None else None
        color = QColor(255, 255, 255) if self.erase else (item.color if item else QColor(255, 200, 0))
        self._stroke = StrokeItem(doc.asset.width, doc.asset.height, color)
        self.scene.addItem(self._stroke)
        self._last = QPointF(pos)
        self._stroke.stroke(pos, pos, self.view.brush_size)
        return True

    def move(self, pos: QPointF, event: QMouseEvent) -> bool:
        self._show_cursor(pos)
        if self._stroke is None:
            return False
        self._stroke.stroke(self._last, pos, self.view.brush_size)
        self._last = QPointF(pos)
        return True

    def release(self, pos: QPointF, event: QMouseEvent) -> bool:
        if self._stroke is None:
            return False
        stroke, target_id = self._stroke.mask(), self._target_id
        self._drop_stroke()
        doc = self.document
        try:
            if target_id is not None:
                after = painted(doc.instance(target_id), stroke, self.erase)
                if after is not None:
                    doc.update_instance(after)
            elif stroke.any():
                base = Instance(asset_id=doc.asset.id, category_id=self.category_id(),
                                frame_index=doc.frame_index)
                new_id = doc.add_instance(painted(base, stroke, erase=False))
                doc.select([new_id])
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
        return True


class EraserTool(BrushTool):
    name = "eraser"
    erase = True
