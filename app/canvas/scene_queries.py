"""What the scene answers about its frame: visibility filters and hit tests (mixed into CanvasScene)."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QTransform

from app.canvas.items.handles import HandleItem
from engine.model import Instance, ReviewState, Source


class SceneQueries:
    def shown(self, inst: Instance) -> bool:
        view = self.document.view
        if inst.category_id in view.hidden_category_ids:
            return False
        if inst.review_state == ReviewState.REJECTED:
            return view.show_rejected
        if (inst.review_state == ReviewState.PREDICTED and inst.source == Source.MODEL
                and inst.score is not None and inst.score < view.score_threshold):
            return False
        return True

    def handle_at(self, pos: QPointF, device: QTransform) -> HandleItem | None:
        for it in self.items(pos, Qt.ItemSelectionMode.IntersectsItemShape, Qt.SortOrder.DescendingOrder, device):
            if isinstance(it, HandleItem) and it.isVisible():
                return it
        return None

    def instance_at(self, pos: QPointF) -> int | None:
        """The id of the smallest shown instance whose box (else bounds) covers ``pos``; live ones first."""
        fm = self.frame
        x, y = pos.x(), pos.y()
        rows = fm.rows_at(x, y)
        if rows.size == 0:
            return None
        bx = fm.bbox[rows]
        has_box = ~np.isnan(bx[:, 0])
        inside = ~has_box | ((bx[:, 0] <= x) & (x <= bx[:, 0] + bx[:, 2]) & (bx[:, 1] <= y) & (y <= bx[:, 1] + bx[:, 3]))
        rows, bx, has_box = rows[inside], bx[inside], has_box[inside]
        if rows.size == 0:
            return None
        b = fm.bounds[rows]
        area = np.where(has_box, bx[:, 2] * bx[:, 3], (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
        order = np.lexsort((area, ~fm.live[rows]))
        return fm.insts[int(rows[order[0]])].id

    def instances_in(self, rect: QRectF) -> list[int]:
        rows = self.frame.rows_in(rect.left(), rect.top(), rect.right(), rect.bottom())
        return [self.frame.insts[int(r)].id for r in rows]
