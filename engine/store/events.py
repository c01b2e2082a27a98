"""Change notifications from the store, Qt-free.

The store calls listeners after a transaction commits, on the thread that
committed it (a worker thread for model runs). The GUI bridges them to Qt
signals with a queued connection; the CLI ignores them.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreEvent:
    """``entity``: instance / caption / category / asset / model_version / project.
    ``action``: added / updated / removed / reset (many things changed: reload)."""
    entity: str
    action: str
    ids: tuple[int, ...] = ()
    asset_id: int | None = None
    frame_index: int | None = None
    data: tuple = field(default=(), compare=False)  # the new dataclasses for added/updated


Listener = Callable[[StoreEvent], None]


class EventHub:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def emit(self, events: list[StoreEvent]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for ev in events:
            for listener in listeners:
                try:
                    listener(ev)
                except Exception:  # a broken view must not undo a committed write
                    log.exception("store listener failed on %s", ev)
