"""Category name and score of a live instance, at a fixed screen size."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem


class LabelItem(QGraphicsItem):
    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._font = QFont()
        self._font.setPointSizeF(8.0)
        self._text = ""
        self._color = QColor()
        self._rect = QRectF()

    @property
    def text(self) -> str:
        return self._text

    def set_label(self, text: str, color: QColor, x: float, y: float) -> None:
        self.prepareGeometryChange()
        self._text, self._color = text, QColor(color)
        m = QFontMetricsF(self._font)
        w, h = m.horizontalAdvance(text) + 4, m.height() + 2
        self._rect = QRectF(0, -h - 2, w, h)
        self.setPos(x, y)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.fillRect(self._rect, self._color)
        painter.setFont(self._font)
        painter.setPen(QColor(0, 0, 0) if self._color.lightnessF() > 0.55 else QColor(255, 255, 255))
        painter.drawText(self._rect.adjusted(2, 1, -2, -1), 0, self._text)
