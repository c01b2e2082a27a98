"""InstanceItem: the graphics object of one instance the user is working on.

The scene makes one for an instance when it becomes live (selected, and few
enough are) and drops it when it stops being live; until then the batched
layers (app.canvas.layers) draw the instance with its tile, because a
thousand QGraphicsObjects would cost more than the whole frame-switch budget.
A live item owns child items that draw it and carry its handles: box with
resize handles, mask, skeleton with keypoint handles, polygon with vertex
handles, label. Items change only through ``set_instance`` (from the
document's signals) or ``preview`` (a gesture in progress, not yet an edit).
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject

from app.canvas import colors
from app.canvas.geometry import InstanceGeometry
from app.canvas.items.box import BoxItem
from app.canvas.items.label import LabelItem
from app.canvas.items.mask import MaskItem, with_alpha
from app.canvas.items.polygon import PolygonItem
from app.canvas.items.skeleton import SkeletonItem
from app.canvas.layers import LINE_PX, SELECTED_PX, pen
from engine.model import Category, Instance

LIVE_Z = 10.0


class InstanceItem(QGraphicsObject):
    def __init__(self, inst: Instance, category: Category | None, color_by: str, opacity: float = 0.45):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(LIVE_Z)
        self.opacity_value = opacity
        self.shown = True
        self.selected = False
        self.live = False
        self.active_handle: tuple | None = None
        self.box = self.mask = self.skeleton = self.polygon = self.label = None
        self.set_instance(inst, category, color_by)

    # -- model ------------------------------------------------------------------
    def set_instance(self, inst: Instance, category: Category | None, color_by: str) -> None:
        self.prepareGeometryChange()
        self.inst = inst
        self.category = category
        self.color_by = color_by
        self.geom = InstanceGeometry(inst, category)
        self.color: QColor = colors.color_for(inst, category, color_by)
        self.rgba = self.color.rgba()
        self.style = colors.line_style(inst)
        x0, y0, x1, y1 = self.geom.bounds
        self._bounds = QRectF(x0, y0, x1 - x0, y1 - y0)
        if self.live:
            self._refresh_children()

    def preview(self, inst: Instance) -> None:
        """Show a gesture's intermediate state; nothing is stored."""
        self.set_instance(inst, self.category, self.color_by)

    @property
    def id(self) -> int:
        return self.inst.id

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(self, painter, option, widget=None) -> None:  # ItemHasNoContents: never called
        pass

    # -- live children ------------------------------------------------------------
    def set_live(self, live: bool, view=None) -> None:
        if live == self.live:
            return
        self.live = live
        if live:
            self.box = BoxItem(self)
            self.mask = MaskItem(self)
            self.mask.setZValue(-1)
            self.polygon = PolygonItem(self)
            self.skeleton = SkeletonItem(self)
            self.label = LabelItem(self)
            self._refresh_children()
            if view is not None:
                self.apply_view(view)
        else:
            for child in (self.box, self.mask, self.polygon, self.skeleton, self.label):
                if child.scene() is not None:
                    child.scene().removeItem(child)
                else:
                    child.setParentItem(None)
            self.box = self.mask = self.skeleton = self.polygon = self.label = None

    def set_active_handle(self, role: tuple | None) -> None:
        self.active_handle = role
        if self.live:
            self._refresh_children()

    def _refresh_children(self) -> None:
        g, inst = self.geom, self.inst
        width = SELECTED_PX if self.selected else LINE_PX
        outline = pen(self.rgba, self.style, width)
        self.box.set_box(g.rect, outline)
        self.mask.set_mask(inst.mask, with_alpha(self.rgba, self.opacity_value))
        fill = QColor(self.color)
        fill.setAlpha(40)
        active = self.active_handle
        self.polygon.set_rings(g.rings, outline, fill, active[1:] if active and active[0] == "vertex" else None)
        self.skeleton.set_keypoints(inst.keypoints, self.category, self.color, pen(self.rgba, 0, width),
                                    active[1] if active and active[0] == "keypoint" else None)
        self.label.set_label(g.label, self.color, *g.anchor)

    def apply_view(self, view) -> None:
        """Layer toggles and mask opacity from ViewSettings (live children only)."""
        if not self.live:
            return
        self.box.setVisible(view.show_boxes)
        self.mask.setVisible(view.show_masks)
        if view.mask_opacity != self.opacity_value:
            self.opacity_value = view.mask_opacity
            self.mask.set_mask(self.inst.mask, with_alpha(self.rgba, self.opacity_value))
        self.polygon.setVisible(view.show_polygons)
        self.skeleton.setVisible(view.show_keypoints)
        self.label.setVisible(view.show_labels)
