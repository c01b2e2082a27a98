"""Place keypoints: each click puts the selected instance's next missing keypoint.

With nothing selected, a click starts a new instance of the current category
(if it has a keypoint schema) with its first keypoint. Clicking an existing
keypoint handle drags it (as the select tool does) and makes it the one
``CanvasView.cycle_visibility()`` acts on.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from app.canvas.tools.select import SelectTool
from engine.model import Instance

VISIBLE = 2


class KeypointTool(SelectTool):
    name = "keypoint"
    cursor = Qt.CursorShape.CrossCursor

    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.document.asset is None:
            return False
        handle = self.scene.handle_at(pos, self.view.viewportTransform())
        if handle is not None and handle.role[0] == "keypoint":
            return super().press(pos, event)
        x, y = self.clamp(pos)
        item = self.single_live()
        doc = self.document
        try:
            if item is not None and item.category is not None and item.category.has_keypoints:
                n = item.category.num_keypoints
                kp = list(item.inst.keypoints or [0.0] * (3 * n))
                kp += [0.0] * (3 * n - len(kp))
                missing = [k for k in range(n) if kp[3 * k + 2] <= 0]
                if not missing:
                    self.view.statusMessage.emit("All keypoints of this instance are placed")
                    return True
                k = missing[0]
                kp[3 * k:3 * k + 3] = [x, y, VISIBLE]
                item.set_active_handle(("keypoint", k))
                doc.update_instance(item.inst.copy(keypoints=kp))
                return True
            cid = self.category_id()
            cat = doc.category(cid) if cid is not None else None
            if cat is None or not cat.has_keypoints:
                self.view.statusMessage.emit("Select an instance, or pick a category with keypoints")
                return True
            kp = [0.0] * (3 * cat.num_keypoints)
            kp[0:3] = [x, y, VISIBLE]
            new_id = doc.add_instance(Instance(asset_id=doc.asset.id, category_id=cid,
                                               frame_index=doc.frame_index, keypoints=kp))
            doc.select([new_id])
            placed = self.scene.items_by_id.get(new_id)
            if placed is not None:
                placed.set_active_handle(("keypoint", 0))
        except Exception as exc:  # noqa: BLE001
            self.fail(exc)
        return True
