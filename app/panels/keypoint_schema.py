"""Editing a keypoint category's schema: point names, skeleton edges and left/right flip pairs.

Points are tracked by a stable key while editing, so reordering or removing a
point renumbers the edges and pairs that use it instead of silently pointing
them at a different point. Adding, removing or reordering points is refused
while the category has instances: their stored keypoint arrays follow the old
order (renaming and editing edges is always fine).
"""
from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QGroupBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from engine.model import Category
from app.panels.common import reports_errors

KeyRole = Qt.ItemDataRole.UserRole


class PairEditor(QGroupBox):
    """A list of point pairs (by key) with two pickers to add one."""

    changed = Signal()

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(title, parent)
        self.pairs: list[tuple[int, int]] = []
        self._names: dict[int, str] = {}
        self.list = QListWidget(self)
        self.first, self.second = QComboBox(self), QComboBox(self)
        self.add_button, self.remove_button = QPushButton("Add", self), QPushButton("Remove", self)
        self.add_button.clicked.connect(lambda: self.add(self.first.currentData(), self.second.currentData()))
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        pick = QHBoxLayout()
        for w in (self.first, QLabel("–"), self.second, self.add_button):
            pick.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(pick)
        layout.addWidget(self.remove_button)

    def set_points(self, names: dict[int, str]) -> None:
        self._names = dict(names)
        self.pairs = [p for p in self.pairs if p[0] in names and p[1] in names]
        for box in (self.first, self.second):
            box.clear()
            for key, name in names.items():
                box.addItem(name, key)
        self._refresh()

    def set_pairs(self, pairs: list[tuple[int, int]]) -> None:
        self.pairs = list(pairs)
        self._refresh()

    def add(self, a, b) -> None:
        if a is None or b is None or a == b:
            return
        if (a, b) in self.pairs or (b, a) in self.pairs:
            return
        self.pairs.append((int(a), int(b)))
        self._refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted((self.list.row(i) for i in self.list.selectedItems()), reverse=True)
        for row in rows:
            del self.pairs[row]
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        self.list.clear()
        for a, b in self.pairs:
            self.list.addItem(f"{self._names.get(a, a)} – {self._names.get(b, b)}")


class KeypointSchemaEditor(QWidget):
    """``set_category(cat, has_instances)``; ``applied(Category)`` carries the edited copy."""

    applied = Signal(object)
    errorOccurred = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._category: Category | None = None
        self._locked = False
        self._keys = itertools.count()
        self.title = QLabel(self)
        self.points = QListWidget(self)
        self.points.itemChanged.connect(lambda _item: self._points_changed())
        self.add_point, self.remove_point = QPushButton("Add point", self), QPushButton("Remove", self)
        self.up, self.down = QPushButton("Up", self), QPushButton("Down", self)
        self.add_point.clicked.connect(lambda: self.append_point(f"point_{self.points.count() + 1}"))
        self.remove_point.clicked.connect(lambda: self._remove_current())
        self.up.clicked.connect(lambda: self._move_current(-1))
        self.down.clicked.connect(lambda: self._move_current(+1))
        self.skeleton = PairEditor("Skeleton edges", self)
        self.flips = PairEditor("Left/right flip pairs", self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.apply_button = QPushButton("Apply schema", self)
        self.apply_button.clicked.connect(lambda: self.apply())

        point_buttons = QHBoxLayout()
        for b in (self.add_point, self.remove_point, self.up, self.down):
            point_buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.points, 1)
        layout.addLayout(point_buttons)
        layout.addWidget(self.skeleton, 1)
        layout.addWidget(self.flips, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.apply_button)
        self.set_category(None)

    def set_category(self, category: Category | None, has_instances: bool = False) -> None:
        self._category, self._locked = category, bool(has_instances)
        self.points.blockSignals(True)
        self.points.clear()
        keys = []
        for name in (category.keypoints if category else []):
            keys.append(self._new_item(name))
        self.points.blockSignals(False)
        self._points_changed()
        self.skeleton.set_pairs([(keys[a], keys[b]) for a, b in (category.skeleton if category else [])
                                 if a < len(keys) and b < len(keys)])
        self.flips.set_pairs([(keys[a], keys[b]) for a, b in (category.flip_pairs if category else [])
                              if a < len(keys) and b < len(keys)])
        self.title.setText(f"Keypoints of “{category.name}”" if category else "Select a category")
        self.note.setText("This category has instances: points can be renamed, but not added, removed or "
                          "reordered." if self._locked else "")
        for w in (self.add_point, self.remove_point, self.up, self.down):
            w.setEnabled(category is not None and not self._locked)
        self.apply_button.setEnabled(category is not None)

    def append_point(self, name: str) -> None:
        if self._category is None or self._locked:
            return
        self._new_item(name)
        self._points_changed()

    @reports_errors
    def apply(self) -> None:
        self.applied.emit(self.edited_category())

    def names(self) -> list[str]:
        return [self.points.item(i).text().strip() for i in range(self.points.count())]

    def edited_category(self) -> Category:
        if self._category is None:
            raise ValueError("no category selected")
        position = {self.points.item(i).data(KeyRole): i for i in range(self.points.count())}
        names = self.names()
        empty = [i for i, n in enumerate(names) if not n]
        if empty:
            raise ValueError(f"category {self._category.name!r}: keypoint {empty[0] + 1} has no name")
        return Category(
            name=self._category.name, id=self._category.id, supercategory=self._category.supercategory,
            color=self._category.color, keypoints=names,
            skeleton=[(position[a], position[b]) for a, b in self.skeleton.pairs],
            flip_pairs=[(position[a], position[b]) for a, b in self.flips.pairs],
        )

    def _new_item(self, name: str) -> int:
        key = next(self._keys)
        item = QListWidgetItem(name)
        item.setData(KeyRole, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.points.addItem(item)
        return key

    def _points_changed(self) -> None:
        names = {self.points.item(i).data(KeyRole): self.points.item(i).text()
                 for i in range(self.points.count())}
        self.skeleton.set_points(names)
        self.flips.set_points(names)

    def _remove_current(self) -> None:
        row = self.points.currentRow()
        if row >= 0 and not self._locked:
            self.points.takeItem(row)
            self._points_changed()

    def _move_current(self, delta: int) -> None:
        row = self.points.currentRow()
        target = row + delta
        if self._locked or row < 0 or not 0 <= target < self.points.count():
            return
        item = self.points.takeItem(row)
        self.points.insertItem(target, item)
        self.points.setCurrentRow(target)
        self._points_changed()
