"""CanvasView: the image with its instances, zoom and pan, and the editing tools.

Mouse events become image coordinates and go to the current tool; the middle
button or Space+drag pans; the wheel zooms at the cursor. The view owns no
data: tools edit through the document, the scene redraws from its signals.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView

from app.canvas.scene import CanvasScene
from app.canvas.tools.box import BoxTool
from app.canvas.tools.brush import BrushTool, EraserTool
from app.canvas.tools.keypoint import KeypointTool
from app.canvas.tools.polygon import PolygonTool
from app.canvas.tools.select import SelectTool

TOOLS = {t.name: t for t in (SelectTool, BoxTool, PolygonTool, BrushTool, EraserTool, KeypointTool)}
MIN_SCALE, MAX_SCALE = 0.02, 64.0
ZOOM_STEP = 1.25
VISIBILITY_CYCLE = {2: 1, 1: 0, 0: 2}  # visible -> occluded -> absent -> visible


class CanvasView(QGraphicsView):
    toolChanged = Signal(str)
    statusMessage = Signal(str)    # addition: a tool's hint or a refused edit, for the status bar
    zoomChanged = Signal(float)    # addition: view scale (1.0 = one image pixel per screen pixel)
    brushSizeChanged = Signal(int)  # addition

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.canvas_scene = CanvasScene(document, parent=self)
        self.canvas_scene.imageFailed.connect(self.statusMessage)
        self.setScene(self.canvas_scene)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor(32, 32, 32))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.brush_size = 16
        self.current_category_id: int | None = None
        self.active_item_id: int | None = None
        self._fitted = True
        self._space = False
        self._pan_from: QPointF | None = None
        self._tools = {name: cls(self) for name, cls in TOOLS.items()}
        self._tool = self._tools["select"]
        self._tool.activate()
        document.assetChanged.connect(self._on_asset)
        document.captionsChanged.connect(self.viewport().update)
        document.view.fieldChanged.connect(self._on_view_field)
        if document.asset is not None:
            self._on_asset(document.asset, document.frame_index)

    # -- tools ---------------------------------------------------------------------
    @property
    def tool(self) -> str:
        return self._tool.name

    def tool_object(self, name: str | None = None):
        return self._tools[name or self._tool.name]

    def set_tool(self, name: str) -> None:
        if name not in self._tools:
            raise ValueError(f"set_tool: unknown tool {name!r}; tools are {sorted(self._tools)}")
        if name == self._tool.name:
            return
        self._tool.deactivate()
        self._tool = self._tools[name]
        self._tool.activate()
        self.toolChanged.emit(name)

    def set_brush_size(self, px: int) -> None:
        px = int(min(max(px, 1), 512))
        if px != self.brush_size:
            self.brush_size = px
            self.brushSizeChanged.emit(px)

    def set_current_category(self, category_id: int | None) -> None:
        self.current_category_id = category_id

    def cycle_visibility(self) -> None:
        """The active keypoint of the selected instance: visible -> occluded -> absent -> visible."""
        ids = self.document.selected_ids()
        item = self.canvas_scene.items_by_id.get(ids[0]) if len(ids) == 1 else None
        role = item.active_handle if item is not None else None
        if role is None or role[0] != "keypoint":
            self.statusMessage.emit("Click a keypoint first")
            return
        k = role[1]
        kp = list(item.inst.keypoints)
        kp[3 * k + 2] = VISIBILITY_CYCLE[int(kp[3 * k + 2])]
        try:
            self.document.update_instance(item.inst.copy(keypoints=kp))
        except Exception as exc:  # noqa: BLE001
            self.statusMessage.emit(str(exc))

    # -- zoom -------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        rect = self.canvas_scene.image_rect()
        if rect.width() > 1 and rect.height() > 1:
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self._fitted = True
        self._zoomed()

    def zoom_in(self) -> None:
        self._scale_by(ZOOM_STEP, anchor=None)

    def zoom_out(self) -> None:
        self._scale_by(1 / ZOOM_STEP, anchor=None)

    def _scale_by(self, factor: float, anchor) -> None:
        target = min(max(self.zoom() * factor, MIN_SCALE), MAX_SCALE)
        factor = target / self.zoom()
        if abs(factor - 1.0) < 1e-9:
            return
        old = self.transformationAnchor()
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(old)
        self._fitted = False
        self._zoomed()

    def _zoomed(self) -> None:
        scale = self.zoom()
        self.canvas_scene.view_scale = scale
        # Smooth when shrinking (readable overview), nearest when enlarging (see the pixels you label).
        mode = Qt.TransformationMode.SmoothTransformation if scale < 1 else Qt.TransformationMode.FastTransformation
        self.canvas_scene.image_item.setTransformationMode(mode)
        self.zoomChanged.emit(scale)

    def _on_asset(self, asset, frame_index: int) -> None:
        if asset is not None:
            self.fit()
        self.viewport().update()

    def _on_view_field(self, name: str) -> None:
        if name == "show_captions":
            self.viewport().update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    # -- events ---------------------------------------------------------------------------
    def _scene_pos(self, event) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    def wheelEvent(self, event) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self._scale_by(1.0015 ** delta, anchor="mouse")
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.setFocus()
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if not self._tool.press(self._scene_pos(event), event):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            self._fitted = False
            event.accept()
            return
        if not self._tool.move(self._scene_pos(event), event):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else self._tool.cursor)
            event.accept()
            return
        if not self._tool.release(self._scene_pos(event), event):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        if not self._tool.double_click(self._scene_pos(event), event):
            super().mouseDoubleClickEvent(event)

    def event(self, event) -> bool:
        # Let a tool take keys (Enter, Delete on a vertex, Esc) before window-wide shortcuts do.
        if event.type() == QEvent.Type.ShortcutOverride and self._tool.wants_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if not self._tool.key(event):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(self._tool.cursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        super().scrollContentsBy(dx, dy)
        if self.document.view.show_captions and self.document.captions():
            self.viewport().update()  # the overlay is pinned to the viewport, not the scrolled pixels

    # -- caption overlay ---------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        doc = self.document
        if not doc.view.show_captions:
            return
        captions = doc.captions()
        if not captions:
            return
        painter.save()
        painter.resetTransform()
        font = QFont()
        font.setPointSizeF(10.0)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        y = 8.0
        for cap in captions:
            text = cap.text if len(cap.text) <= 160 else cap.text[:157] + "..."
            w, h = metrics.horizontalAdvance(text) + 12, metrics.height() + 6
            painter.fillRect(QRectF(8, y, w, h), QColor(0, 0, 0, 160))
            painter.setPen(QColor(255, 255, 255))
            painter.drawText(QRectF(14, y + 3, w - 12, h - 6), 0, text)
            y += h + 2
        painter.restore()


__all__ = ["CanvasView", "TOOLS"]
