"""Space on the canvas: held while dragging it pans, tapped alone it acts as its shortcut (accept).

A window-wide Space shortcut would swallow the key before the canvas sees it,
so the canvas could never pan with Space+drag. This filter lets the canvas have
the key press (it starts its pan mode) and, if no mouse button went down before
the key came up, calls ``on_tap`` instead.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt


class SpaceKey(QObject):
    def __init__(self, canvas, on_tap) -> None:
        super().__init__(canvas)
        self._on_tap = on_tap
        self._down = False
        self._dragged = False
        canvas.installEventFilter(self)
        canvas.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and _is_space(event):
            # Deliver it to the canvas as a key press, not as the shortcut. Consumed here:
            # QGraphicsView reports the override unhandled, and Qt would then re-ask the
            # parents with the acceptance reset.
            event.accept()
            return True
        if kind == QEvent.Type.KeyPress and _is_space(event) and not event.isAutoRepeat():
            self._down, self._dragged = True, False
        elif kind == QEvent.Type.MouseButtonPress and self._down:
            self._dragged = True
        elif kind == QEvent.Type.KeyRelease and _is_space(event) and not event.isAutoRepeat() and self._down:
            self._down = False
            if not self._dragged:
                self._on_tap()
        return False


def _is_space(event) -> bool:
    return event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier
