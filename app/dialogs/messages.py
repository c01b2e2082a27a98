"""Error and information messages: non-blocking boxes, so a worker's failure never stalls the event loop.

Every message shown is also appended to ``shown`` (the session's record of what
the user was told; tests read it too).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

shown: list[tuple[str, str]] = []  # (title, text), most recent last


def show_error(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    log.warning("%s: %s", title, text)
    return _show(parent, QMessageBox.Icon.Warning, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return _show(parent, QMessageBox.Icon.Information, title, text)


def _show(parent, icon, title: str, text: str) -> QMessageBox:
    shown.append((title, text))
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("kinetag-message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # window-modal but non-blocking: the event loop (and running jobs) carry on
    return box
