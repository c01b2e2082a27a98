"""Keep Return/Enter with the text field that has focus.

Accept is bound to Return window-wide; a QLineEdit does not claim Return in
Qt's ShortcutOverride step (it only claims printable and editing keys), so
pressing Return to add a caption would accept predictions instead. This
application-wide filter claims Return/Enter for text inputs.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QKeySequenceEdit, QLineEdit, QPlainTextEdit, QTextEdit

_TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QKeySequenceEdit, QPlainTextEdit, QTextEdit)
_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class TextFieldKeys(QObject):
    def eventFilter(self, watched, event) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in _KEYS
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and isinstance(watched, _TEXT_INPUTS)):
            event.accept()
        return False
