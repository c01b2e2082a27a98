"""Rebinding keys: one row per registry action, a primary and an alternative key each."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QKeySequenceEdit, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout,
)

from app.shortcuts import ShortcutRegistry, normalize

_SLOTS = 2  # primary + alternative: every default fits


class ShortcutsDialog(QDialog):
    def __init__(self, registry: ShortcutRegistry, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 640)
        self._registry = registry
        self._specs = registry.specs()
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b00020")
        self.table = QTableWidget(len(self._specs), 1 + _SLOTS, self)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut", "Alternative"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._edits: dict[str, list[QKeySequenceEdit]] = {}
        for row, spec in enumerate(self._specs):
            item = QTableWidgetItem(f"{spec.group}: {spec.text}")
            self.table.setItem(row, 0, item)
            edits = []
            for slot in range(_SLOTS):
                edit = QKeySequenceEdit(self.table)
                edit.setMaximumSequenceLength(1)
                edit.setClearButtonEnabled(True)
                edit.keySequenceChanged.connect(self._check_conflicts)
                self.table.setCellWidget(row, 1 + slot, edit)
                edits.append(edit)
            self._edits[spec.id] = edits
        self._load(lambda action_id: registry.keys(action_id))
        reset = QPushButton("Reset all to defaults", self)
        reset.clicked.connect(lambda: self._load(registry.default_keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.warning)
        layout.addWidget(reset)
        layout.addWidget(buttons)
        self._check_conflicts()

    def edit_for(self, action_id: str, slot: int = 0) -> QKeySequenceEdit:
        return self._edits[action_id][slot]

    def chosen_keys(self) -> dict[str, list[str]]:
        out = {}
        for action_id, edits in self._edits.items():
            keys = [normalize(e.keySequence().toString(QKeySequence.SequenceFormat.PortableText)) for e in edits]
            out[action_id] = [k for k in keys if k]
        return out

    def accept(self) -> None:
        for action_id, keys in self.chosen_keys().items():
            if keys != self._registry.keys(action_id):
                self._registry.set_keys(action_id, keys)
        super().accept()

    def _load(self, keys_of) -> None:
        for action_id, edits in self._edits.items():
            keys = keys_of(action_id)
            for slot, edit in enumerate(edits):
                edit.setKeySequence(QKeySequence(keys[slot]) if slot < len(keys) else QKeySequence())

    def _check_conflicts(self, *_args) -> None:
        conflicts = self._registry.conflicts(self.chosen_keys())
        if not conflicts:
            self.warning.setText("")
            return
        names = {s.id: s.text for s in self._specs}
        lines = [f"{key}: " + " / ".join(names[i] for i in ids) for key, ids in sorted(conflicts.items())]
        self.warning.setText("Keys bound more than once (only one will work):\n" + "\n".join(lines))
