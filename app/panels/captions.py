"""The captions of the current image or video frame: add, edit in place, delete (each one undo step)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget,
)

from engine.model import Source
from app.document import ProjectDocument
from app.panels.common import reports_errors

IdRole = Qt.ItemDataRole.UserRole


class CaptionsPanel(QWidget):
    errorOccurred = Signal(str)

    def __init__(self, document: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self._filling = False
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.itemChanged.connect(self._item_edited)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.editor = QLineEdit(self)
        self.editor.setPlaceholderText("New caption…")
        self.editor.returnPressed.connect(lambda: self.add_from_editor())
        self.add_button = QPushButton("Add", self)
        self.add_button.clicked.connect(lambda: self.add_from_editor())
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(lambda: self.delete_selected())

        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.delete_button)

        for sig in (document.assetChanged, document.frameChanged, document.captionsChanged):
            sig.connect(self.rebuild)
        self.rebuild()

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def rebuild(self, *_args) -> None:
        self._filling = True
        try:
            self.list.clear()
            for caption in self.document.captions():
                item = QListWidgetItem(caption.text)
                item.setData(IdRole, caption.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                who = "model" if caption.source == Source.MODEL else (caption.author or "human")
                item.setToolTip(f"by {who}, {caption.review_state}; double-click or F2 to edit")
                self.list.addItem(item)
        finally:
            self._filling = False
        has_asset = self.document.asset is not None
        self.editor.setEnabled(has_asset)
        self.add_button.setEnabled(has_asset)
        self._update_buttons()

    @reports_errors
    def add_from_editor(self) -> None:
        text = self.editor.text().strip()
        if text and self.document.asset is not None:
            self.document.add_caption(text)
            self.editor.clear()

    @reports_errors
    def edit(self, caption_id: int, text: str) -> bool:
        self.document.edit_caption(caption_id, text)
        return True

    @reports_errors
    def delete_selected(self) -> None:
        for item in self.list.selectedItems():
            self.document.delete_caption(item.data(IdRole))

    def _item_edited(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        text = item.text().strip()
        if not text:  # an emptied caption is a mistake more often than a delete: put it back
            self.rebuild()
            return
        if not self.edit(item.data(IdRole), text):
            self.rebuild()  # refused: show what the project holds

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(bool(self.list.selectedItems()))
