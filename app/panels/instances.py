"""The instances of the current frame as a list, selected in step with the canvas, with review actions."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from engine.model import Instance, ReviewState, Source
from app.document import ProjectDocument
from app.panels.common import REVIEW_COLORS, Coalesced, color_icon, reports_errors

COLUMNS = ["#", "Category", "Score", "State", "Source"]
IdRole = Qt.ItemDataRole.UserRole


def shown_on_canvas(inst: Instance, view) -> bool:
    """The view settings' filters, so the list holds what the canvas draws."""
    if inst.category_id in view.hidden_category_ids:
        return False
    if inst.review_state == ReviewState.REJECTED and not view.show_rejected:
        return False
    if inst.review_state == ReviewState.PREDICTED and inst.score is not None and inst.score < view.score_threshold:
        return False
    return True


class InstancesPanel(QWidget):
    errorOccurred = Signal(str)

    def __init__(self, document: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self._syncing = False
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 40), (2, 44), (3, 74), (4, 52)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(column, width)
        self.tree.itemSelectionChanged.connect(self._tree_selection_changed)

        self.accept_button = QPushButton("Accept", self)
        self.reject_button = QPushButton("Reject", self)
        self.delete_button = QPushButton("Delete", self)
        self.category_box = QComboBox(self)
        self.category_box.setToolTip("Change the category of the selected instances")
        self.summary = QLabel(self)
        self.accept_button.clicked.connect(lambda: self.accept_selected())
        self.reject_button.clicked.connect(lambda: self.reject_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.category_box.activated.connect(lambda _i: self.set_category_of_selected(self.category_box.currentData()))

        buttons = QHBoxLayout()
        for button in (self.accept_button, self.reject_button, self.delete_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.category_box)

        d = document
        for sig in (d.assetChanged, d.frameChanged, d.instancesAdded, d.instancesUpdated, d.instancesRemoved):
            sig.connect(self.rebuild)
        d.view.changed.connect(self.rebuild)
        d.selectionChanged.connect(self._document_selection_changed)
        self._categories_changed = Coalesced(lambda: (self._fill_categories(), self.rebuild()), self)
        d.categoriesChanged.connect(self._categories_changed)
        self._fill_categories()
        self.rebuild()

    # -- what the tests and the window use -------------------------------
    def shown_ids(self) -> list[int]:
        return [self.tree.topLevelItem(i).data(0, IdRole) for i in range(self.tree.topLevelItemCount())]

    def selected_ids(self) -> list[int]:
        return [item.data(0, IdRole) for item in self.tree.selectedItems()]

    def item_for(self, instance_id: int) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, IdRole) == instance_id:
                return item
        return None

    @reports_errors
    def accept_selected(self) -> None:
        self.document.accept(self._targets())

    @reports_errors
    def reject_selected(self) -> None:
        self.document.reject(self._targets())

    @reports_errors
    def delete_selected(self) -> None:
        self.document.delete_instances(self._targets())

    @reports_errors
    def set_category_of_selected(self, category_id) -> None:
        if category_id is not None and self._targets():
            self.document.set_category(self._targets(), int(category_id))

    # -- rebuilding ------------------------------------------------------
    def rebuild(self, *_args) -> None:
        doc = self.document
        instances = sorted(doc.instances(), key=lambda i: i.id)
        shown = [i for i in instances if shown_on_canvas(i, doc.view)]
        self._syncing = True
        try:
            self.tree.clear()
            selected = set(doc.selected_ids())
            for inst in shown:
                item = self._make_item(inst)
                self.tree.addTopLevelItem(item)
                item.setSelected(inst.id in selected)
        finally:
            self._syncing = False
        hidden = len(instances) - len(shown)
        self.summary.setText(f"{len(shown)} shown" + (f", {hidden} hidden by the view filters" if hidden else ""))
        self._update_buttons()

    def _make_item(self, inst: Instance) -> QTreeWidgetItem:
        category = self.document.category(inst.category_id)
        name = category.name if category else f"category {inst.category_id}"
        score = "" if inst.score is None else f"{inst.score:.2f}"
        source = "model" if inst.source == Source.MODEL else "human"
        item = QTreeWidgetItem([str(inst.id), name, score, str(inst.review_state), source])
        item.setData(0, IdRole, inst.id)
        item.setIcon(1, color_icon(category.color if category else ""))
        item.setForeground(3, QBrush(QColor(REVIEW_COLORS[inst.review_state])))
        kinds = [k for k, v in (("box", inst.bbox), ("mask", inst.mask or inst.polygons),
                                ("keypoints", inst.keypoints)) if v]
        item.setToolTip(1, f"{name}: {', '.join(kinds) or 'empty'}; by {inst.author or 'unknown'}")
        return item

    def _fill_categories(self, *_args) -> None:
        self.category_box.clear()
        self.category_box.addItem("Set category…", None)
        for cat in self.document.categories():
            self.category_box.addItem(color_icon(cat.color), cat.name, cat.id)

    # -- selection in both directions ------------------------------------
    def _tree_selection_changed(self) -> None:
        self._update_buttons()
        if not self._syncing:
            self._syncing = True
            try:
                self.document.select(self.selected_ids())
            finally:
                self._syncing = False

    def _document_selection_changed(self, ids: list[int]) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            wanted = set(ids)
            first = None
            for i in range(self.tree.topLevelItemCount()):
                item = self.tree.topLevelItem(i)
                on = item.data(0, IdRole) in wanted
                item.setSelected(on)
                if on and first is None:
                    first = item
            if first is not None:
                self.tree.scrollToItem(first)
        finally:
            self._syncing = False
        self._update_buttons()

    def _targets(self) -> list[int]:
        return self.selected_ids() or self.document.selected_ids()

    def _update_buttons(self) -> None:
        any_selected = bool(self.tree.selectedItems())
        for widget in (self.accept_button, self.reject_button, self.delete_button, self.category_box):
            widget.setEnabled(any_selected)
