"""The F1 overlay: every shortcut of the registry, grouped, over the window; any key or click closes it."""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.shortcuts import ShortcutRegistry


def shortcuts_html(registry: ShortcutRegistry) -> str:
    groups: dict[str, list[str]] = {}
    for spec in registry.specs():
        keys = html.escape(registry.describe(spec.id))
        groups.setdefault(spec.group, []).append(
            f"<tr><td align='right' style='padding-right:12px'><b>{keys}</b></td>"
            f"<td>{html.escape(spec.text)}</td></tr>")
    cells = [f"<td valign='top' style='padding:0 18px'><h3>{html.escape(g)}</h3><table>{''.join(rows)}</table></td>"
             for g, rows in groups.items()]
    per_row = 4
    table_rows = ["<tr>" + "".join(cells[i:i + per_row]) + "</tr>" for i in range(0, len(cells), per_row)]
    return ("<h2>Keyboard shortcuts</h2><table>" + "".join(table_rows) + "</table>"
            "<p><i>Press any key or click to close. Rebind keys in Edit → Keyboard shortcuts…</i></p>")


class HelpOverlay(QWidget):
    def __init__(self, registry: ShortcutRegistry, parent: QWidget) -> None:
        super().__init__(parent)
        self._registry = registry
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.panel = QFrame(self)
        self.panel.setStyleSheet("QFrame { background: rgba(20, 20, 28, 235); border-radius: 10px; }"
                                 "QLabel { color: #f0f0f0; background: transparent; }")
        self.label = QLabel(self.panel)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        inner = QVBoxLayout(self.panel)
        inner.addWidget(self.label)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignCenter)
        registry.changed.connect(self.refresh)
        parent.installEventFilter(self)
        self.refresh()
        self.hide()

    def refresh(self, *_args) -> None:
        self.label.setText(shortcuts_html(self._registry))

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.refresh()
            self.setGeometry(self.parentWidget().rect())
            self.show()
            self.raise_()
            self.setFocus()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 110))

    def keyPressEvent(self, event) -> None:
        self.hide()

    def mousePressEvent(self, event) -> None:
        self.hide()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False
