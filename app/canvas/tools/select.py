"""Select and adjust: click or rubber-band selection; drag boxes, handles and vertices.

Each drag previews on the live item and commits once on release through
``document.update_instance(..., merge_key)``: one store write, one undo step.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from app.canvas.items.box import resized
from app.canvas.items.polygon import edge_hit
from app.canvas.tools.base import Tool, gesture_key
from app.canvas.tools.edits import translated, with_polygons

DRAG_THRESHOLD_PX = 3


class SelectTool(Tool):
    name = "select"

    def __init__(self, view):
        super().__init__(view)
        self._drag = None  # (kind, item, role, start scene pos, start view pos)
        self._preview = None
        self._band: QGraphicsRectItem | None = None

    def deactivate(self) -> None:
        self._cancel()

    # -- press ----------------------------------------------------------------------
    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        handle = self.scene.handle_at(pos, self.view.viewportTransform())
        if handle is not None:
            item = handle.parentItem().parentItem()
            item.set_active_handle(handle.role)
            self.view.active_item_id = item.id
            self._start(handle.role[0], item, handle.role, pos, event)
            return True
        iid = self.scene.instance_at(pos)
        mods = event.modifiers()
        additive = bool(mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier))
        if iid is not None:
            ids = self.document.selected_ids()
            if additive:
                ids = [i for i in ids if i != iid] if iid in ids else ids + [iid]
                self.document.select(ids)
                return True
            if iid not in ids:
                self.document.select([iid])
            item = self.scene.items_by_id.get(iid)
            if item is not None:
                self._start("move", item, None, pos, event)
            return True
        if not additive:
            self.document.select([])
        self._band = QGraphicsRectItem(QRectF(pos, pos))
        band_pen = QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine)
        band_pen.setCosmetic(True)
        self._band.setPen(band_pen)
        self._band.setBrush(QColor(80, 160, 255, 40))
        self._band.setZValue(50)
        self._band.setData(0, (pos, additive))
        self.scene.addItem(self._band)
        return True

    def _start(self, kind: str, item, role, pos: QPointF, event: QMouseEvent) -> None:
        self._drag = (kind, item, role, QPointF(pos), event.position())
        self._preview = None

    # -- move -------------------------------------------------------------------------
    def move(self, pos: QPointF, event: QMouseEvent) -> bool:
        if self._band is not None:
            origin = self._band.data(0)[0]
            self._band.setRect(QRectF(origin, pos).normalized())
            return True
        if self._drag is None:
            return False
        kind, item, role, start, start_view = self._drag
        if self._preview is None and (event.position() - start_view).manhattanLength() < DRAG_THRESHOLD_PX:
            return True
        inst = item.inst
        x, y = self.clamp(pos)
        if kind == "move":
            item.setPos(pos - start)
            self._preview = item.pos()
            return True
        if kind == "resize" and inst.bbox is not None:
            self._preview = inst.copy(bbox=resized(inst.bbox, role[1], x, y))
        elif kind == "keypoint":
            kp = list(inst.keypoints)
            kp[3 * role[1]], kp[3 * role[1] + 1] = x, y
            self._preview = inst.copy(keypoints=kp)
        elif kind == "vertex":
            rings = [list(r) for r in inst.polygons]
            rings[role[1]][2 * role[2]], rings[role[1]][2 * role[2] + 1] = x, y
            self._preview = inst.copy(polygons=rings)
        if self._preview is not None:
            item.preview(self._preview)
            item.inst = inst  # the stored state stays the base of this gesture
        return True

    # -- release ------------------------------------------------------------------------
    def release(self, pos: QPointF, event: QMouseEvent) -> bool:
        if self._band is not None:
            origin, additive = self._band.data(0)
            rect = QRectF(origin, pos).normalized()
            self.scene.removeItem(self._band)
            self._band = None
            ids = self.scene.instances_in(rect) if rect.width() > 1 or rect.height() > 1 else []
            if additive:
                ids = self.document.selected_ids() + [i for i in ids if i not in self.document.selected_ids()]
            self.document.select(ids)
            return True
        if self._drag is None:
            return False
        kind, item, role, start, _ = self._drag
        preview, self._drag, self._preview = self._preview, None, None
        if preview is None:
            return True
        inst = item.inst
        asset = self.document.asset
        if kind == "move":
            d = preview
            after = translated(inst, d.x(), d.y()) if (d.x() or d.y()) else None
        elif kind == "vertex":
            after = with_polygons(preview, preview.polygons, asset.height, asset.width)
        elif kind == "resize":
            x, y, w, h = preview.bbox
            after = preview.copy(area=w * h) if inst.mask is None and not inst.polygons else preview
        else:
            after = preview
        try:
            if after is not None:
                self.document.update_instance(after, gesture_key(kind, inst.id))
        except Exception as exc:  # noqa: BLE001 — shown, and the item goes back to the stored state
            self.fail(exc)
            after = None
        if after is None:
            self._restore(item)
        return True

    def _restore(self, item) -> None:
        if item.scene() is not None:
            item.setPos(0, 0)
            item.preview(item.inst)

    def _cancel(self) -> None:
        if self._band is not None:
            self.scene.removeItem(self._band)
            self._band = None
        if self._drag is not None:
            self._restore(self._drag[1])
            self._drag = self._preview = None

    # -- double click and keys ----------------------------------------------------------
    def double_click(self, pos: QPointF, event: QMouseEvent) -> bool:
        item = self.single_live()
        if item is None or not item.inst.polygons:
            return False
        tolerance = 6.0 / max(self.scene.view_scale, 1e-6)
        hit = edge_hit(item.inst.polygons, pos.x(), pos.y(), tolerance)
        if hit is None:
            return False
        ring, index = hit
        rings = [list(r) for r in item.inst.polygons]
        x, y = self.clamp(pos)
        rings[ring][2 * index:2 * index] = [x, y]
        asset = self.document.asset
        try:
            self.document.update_instance(with_polygons(item.inst, rings, asset.height, asset.width))
            item.set_active_handle(("vertex", ring, index))
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
        return True

    def _active_vertex(self):
        item = self.single_live()
        if item is None or not item.active_handle or item.active_handle[0] != "vertex":
            return None, None
        return item, item.active_handle

    def wants_key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and (self._drag or self._band):
            return True
        return event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._active_vertex()[0] is not None

    def key(self, event: QKeyEvent) -> bool:
        if event.key() == Qt.Key.Key_Escape and (self._drag or self._band):
            self._cancel()
            return True
        if event.key() not in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return False
        item, role = self._active_vertex()
        if item is None:
            return False
        _, ring, index = role
        rings = [list(r) for r in item.inst.polygons]
        if len(rings[ring]) <= 6:
            self.view.statusMessage.emit("A polygon needs at least three vertices")
            return True
        del rings[ring][2 * index:2 * index + 2]
        asset = self.document.asset
        try:
            item.set_active_handle(None)
            self.document.update_instance(with_polygons(item.inst, rings, asset.height, asset.width))
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
        return True
