"""The canvas toolbar: tools, zoom, layer toggles, mask opacity, score threshold, category filter.

Every control writes to the document's ViewSettings and follows its ``changed``
signal, so the menu, the keys and this bar never disagree.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QCheckBox, QLabel, QMenu, QSlider, QToolBar, QToolButton, QWidget

from app.document import ProjectDocument
from app.panels.common import Coalesced, color_icon
from app.shortcuts import ShortcutRegistry

TOOLS = ["select", "box", "polygon", "brush", "eraser", "keypoint"]
LAYERS = [("view.boxes", "show_boxes"), ("view.masks", "show_masks"), ("view.keypoints", "show_keypoints"),
          ("view.labels", "show_labels"), ("view.captions", "show_captions")]


def _slider(parent: QWidget, tip: str) -> QSlider:
    slider = QSlider(Qt.Orientation.Horizontal, parent)
    slider.setRange(0, 100)
    slider.setMaximumWidth(110)
    slider.setToolTip(tip)
    return slider


class ViewToolBar(QToolBar):
    def __init__(self, document: ProjectDocument, canvas, registry: ShortcutRegistry, parent=None) -> None:
        super().__init__("Canvas", parent)
        self.setObjectName("canvas-toolbar")
        self.document, self.canvas, self.view = document, canvas, document.view
        self._syncing = False

        self.tool_group = QActionGroup(self)
        self.tool_group.setExclusive(True)
        for tool in TOOLS:
            action = registry.action(f"tool.{tool}")
            action.setIconText(tool.capitalize())  # the bar's short label; menus keep the full text
            self.tool_group.addAction(action)
            action.triggered.connect(lambda _checked=False, t=tool: canvas.set_tool(t))
            self.addAction(action)
        registry.action("tool.select").setChecked(True)
        canvas.toolChanged.connect(lambda name: registry.action(f"tool.{name}").setChecked(True))
        self.addSeparator()
        for action_id, slot in (("view.fit", canvas.fit), ("view.zoom_in", canvas.zoom_in),
                                ("view.zoom_out", canvas.zoom_out)):
            action = registry.action(action_id)
            action.setIconText({"view.fit": "Fit", "view.zoom_in": "+", "view.zoom_out": "−"}[action_id])
            action.triggered.connect(lambda _checked=False, s=slot: s())
            self.addAction(action)
        self.addSeparator()

        self._layers = {}
        for action_id, field in LAYERS:
            action = registry.action(action_id)
            action.setIconText(field.removeprefix("show_").capitalize())
            action.toggled.connect(lambda on, f=field: self._set(f"set_{f}", on))
            self._layers[field] = action
            self.addAction(action)
        self.rejected_box = QCheckBox("Rejected", self)
        self.rejected_box.setToolTip("Show rejected predictions")
        self.rejected_box.toggled.connect(lambda on: self._set("set_show_rejected", on))
        self.addWidget(self.rejected_box)
        self.addSeparator()

        self.addWidget(QLabel(" Mask ", self))
        self.opacity = _slider(self, "Mask opacity")
        self.opacity.valueChanged.connect(lambda v: self._set("set_mask_opacity", v / 100))
        self.addWidget(self.opacity)
        self.addWidget(QLabel(" Score ≥ ", self))
        self.threshold = _slider(self, "Hide predictions scoring below this")
        self.threshold.valueChanged.connect(lambda v: self._set("set_score_threshold", v / 100))
        self.addWidget(self.threshold)
        self.threshold_label = QLabel(self)
        self.threshold_label.setMinimumWidth(32)
        self.addWidget(self.threshold_label)

        self.category_menu = QMenu("Categories", self)
        self.category_button = QToolButton(self)
        self.category_button.setText("Categories")
        self.category_button.setToolTip("Show or hide categories")
        self.category_button.setMenu(self.category_menu)
        self.category_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.addWidget(self.category_button)

        self.view.changed.connect(self.sync)
        self._categories_changed = Coalesced(self._fill_categories, self)
        document.categoriesChanged.connect(self._categories_changed)
        self._fill_categories()
        self.sync()

    def sync(self) -> None:
        """Show the current ViewSettings without writing them back."""
        self._syncing = True
        try:
            for field, action in self._layers.items():
                action.setChecked(bool(getattr(self.view, field)))
            self.rejected_box.setChecked(self.view.show_rejected)
            self.opacity.setValue(round(self.view.mask_opacity * 100))
            self.threshold.setValue(round(self.view.score_threshold * 100))
            self.threshold_label.setText(f"{self.view.score_threshold:.2f}")
            hidden = self.view.hidden_category_ids
            for action in self.category_menu.actions():
                action.setChecked(action.data() not in hidden)
        finally:
            self._syncing = False

    def _set(self, setter: str, value) -> None:
        if not self._syncing:
            getattr(self.view, setter)(value)

    def _fill_categories(self, *_args) -> None:
        self.category_menu.clear()
        for cat in sorted(self.document.categories(), key=lambda c: c.id):
            action = self.category_menu.addAction(color_icon(cat.color), cat.name)
            action.setCheckable(True)
            action.setData(cat.id)
            action.toggled.connect(lambda on, cid=cat.id: self._set_category_visible(cid, on))
        self.sync()

    def _set_category_visible(self, category_id: int, visible: bool) -> None:
        if not self._syncing:
            self.view.set_category_hidden(category_id, not visible)
