"""Store events (any thread) -> one Qt signal on the bridge's thread (the GUI's).

The store calls listeners on the committing thread: the GUI thread for edits,
a worker thread for model runs. Emitting a signal whose receiver lives on the
GUI thread makes Qt queue it there (AutoConnection), so receivers never touch
Qt objects from a worker thread. Edits made on the GUI thread arrive at once,
which keeps the document's cache current by the time ``push()`` returns.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401 — before any Qt call; see the module

import logging

from PySide6.QtCore import QObject, Signal

from engine.store import ProjectStore
from engine.store.events import StoreEvent

log = logging.getLogger(__name__)


class StoreBridge(QObject):
    storeEvent = Signal(object)  # StoreEvent

    def __init__(self, store: ProjectStore, parent: QObject | None = None):
        super().__init__(parent)
        unsubscribe = store.subscribe(self._relay)
        self._unsubscribe = unsubscribe
        # A plain closure: the wrapper's own methods are unsafe once C++ is deleting it.
        self.destroyed.connect(lambda *_: unsubscribe())

    def _relay(self, event: StoreEvent) -> None:
        try:
            self.storeEvent.emit(event)
        except RuntimeError:
            # The C++ side is gone (window closed while a worker still writes).
            log.debug("store event after the bridge was deleted: %s", event)

    def close(self) -> None:
        """Stop listening; safe to call twice."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
