"""Categories: visibility (check box), name (edit in place), colour, new ones, and the keypoint schema.

The selected category is also the one the canvas's drawing tools create.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog, QFrame, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QScrollArea,
    QSplitter, QToolButton, QVBoxLayout, QWidget,
)

from engine.model import Category
from app.document import ProjectDocument
from app.panels.common import Coalesced, color_icon, reports_errors
from app.panels.keypoint_schema import KeypointSchemaEditor

IdRole = Qt.ItemDataRole.UserRole


class CategoriesPanel(QWidget):
    errorOccurred = Signal(str)
    currentCategoryChanged = Signal(int)

    def __init__(self, document: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self._filling = False
        self._schema_key = ()
        self.list = QListWidget(self)
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("New category…")
        self.name_edit.returnPressed.connect(lambda: self.add_from_editor())
        self.add_button = QPushButton("Add", self)
        self.add_button.clicked.connect(lambda: self.add_from_editor())
        self.color_button = QPushButton("Colour…", self)
        self.color_button.clicked.connect(lambda: self.pick_color())
        self.schema = KeypointSchemaEditor(self)
        self.schema.applied.connect(self.apply_schema)
        self.schema.errorOccurred.connect(self.errorOccurred)

        top = QWidget(self)
        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.list, 1)
        top_layout.addLayout(add_row)
        top_layout.addWidget(self.color_button)
        # The schema editor is big and needed rarely: folded away until asked for.
        self.schema_toggle = QToolButton(self)
        self.schema_toggle.setText("Keypoint schema")
        self.schema_toggle.setCheckable(True)
        self.schema_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.schema_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.schema_toggle.toggled.connect(self._toggle_schema)
        top_layout.addWidget(self.schema_toggle)
        # In a scroll area, so the long editor never forces the window taller than the screen.
        self.schema_area = QScrollArea(self)
        self.schema_area.setWidgetResizable(True)
        self.schema_area.setFrameShape(QFrame.Shape.NoFrame)
        self.schema_area.setWidget(self.schema)
        self.schema_area.hide()
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(self.schema_area)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)

        self._rebuild_later = Coalesced(self.rebuild, self)
        document.categoriesChanged.connect(self._rebuild_later)
        document.view.changed.connect(self._sync_checks)
        self.rebuild()

    def _toggle_schema(self, shown: bool) -> None:
        self.schema_area.setVisible(shown)
        self.schema_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def current_category_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else item.data(IdRole)

    def select_category(self, category_id: int) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(IdRole) == category_id:
                self.list.setCurrentRow(i)
                return

    def rebuild(self, *_args) -> None:
        current = self.current_category_id()
        hidden = self.document.view.hidden_category_ids
        self._filling = True
        try:
            self.list.clear()
            for cat in sorted(self.document.categories(), key=lambda c: c.id):
                item = QListWidgetItem(color_icon(cat.color, 14), cat.name)
                item.setData(IdRole, cat.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked if cat.id in hidden else Qt.CheckState.Checked)
                extra = f", {len(cat.keypoints)} keypoints" if cat.keypoints else ""
                item.setToolTip(f"id {cat.id}{extra}; untick to hide on the canvas, double-click to rename")
                self.list.addItem(item)
        finally:
            self._filling = False
        if current is not None:
            self.select_category(current)
        elif self.list.count():
            self.list.setCurrentRow(0)
        self._show_schema()

    @reports_errors
    def add_from_editor(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            return
        if any(c.name == name for c in self.document.categories()):
            raise ValueError(f"a category named {name!r} already exists")
        new_id = self.document.add_category(Category(name))
        self.name_edit.clear()
        self._rebuild_later.flush()
        self.select_category(new_id)

    @reports_errors
    def pick_color(self, color: str | None = None) -> None:
        """``color`` given: set it (tests, scripts); None: ask with a colour dialog."""
        cat = self._current()
        if cat is None:
            return
        if color is None:
            chosen = QColorDialog.getColor(QColor(cat.color or "#808080"), self, f"Colour of {cat.name}")
            if not chosen.isValid():
                return
            color = chosen.name()
        self.document.update_category(replace(cat, color=color))

    @reports_errors
    def rename(self, category_id: int, name: str) -> bool:
        cat = self.document.category(category_id)
        if cat is not None and name != cat.name:
            if any(c.name == name and c.id != category_id for c in self.document.categories()):
                raise ValueError(f"a category named {name!r} already exists")
            self.document.update_category(replace(cat, name=name))
        return True

    @reports_errors
    def apply_schema(self, category: Category) -> None:
        before = self.document.category(category.id)
        if before is not None and len(before.keypoints) != len(category.keypoints) and self._has_instances(before):
            raise ValueError(f"category {before.name!r} has instances: keypoints can be renamed, "
                             "but not added or removed")
        self.document.update_category(category)

    def _current(self) -> Category | None:
        cid = self.current_category_id()
        return None if cid is None else self.document.category(cid)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        cid = item.data(IdRole)
        self.document.view.set_category_hidden(cid, item.checkState() != Qt.CheckState.Checked)
        name = item.text().strip()
        cat = self.document.category(cid)
        if cat is not None and name != cat.name and (not name or not self.rename(cid, name)):
            self.rebuild()  # empty or refused: show the stored name again

    def _sync_checks(self) -> None:
        hidden = self.document.view.hidden_category_ids
        self._filling = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                state = Qt.CheckState.Unchecked if item.data(IdRole) in hidden else Qt.CheckState.Checked
                if item.checkState() != state:
                    item.setCheckState(state)
        finally:
            self._filling = False

    def _current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        if self._filling:
            return
        self._show_schema()
        if current is not None:
            self.currentCategoryChanged.emit(current.data(IdRole))

    def _show_schema(self) -> None:
        cat = self._current()
        key = None if cat is None else (cat.id, cat.name, tuple(cat.keypoints), tuple(cat.skeleton),
                                        tuple(cat.flip_pairs))
        if key == self._schema_key:
            return  # unchanged: keep whatever the user is editing
        self._schema_key = key
        self.schema.set_category(cat, self._has_instances(cat))

    def _has_instances(self, cat: Category | None) -> bool:
        if cat is None or not cat.keypoints:
            return False
        return self.document.store.counts()["instances_by_category"].get(cat.name, 0) > 0
