"""Tool protocol: the view maps mouse events to image coordinates and hands them over.

A tool returns True when it used the event. Tools preview gestures with
temporary items or InstanceItem.preview() and edit only through the
document on release, so each gesture is at most one store write and one
undo step.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import itertools

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

_GESTURES = itertools.count(1)


def gesture_key(kind: str, instance_id: int) -> str:
    """A merge key unique to one gesture: updates within it merge, the next drag is its own step."""
    return f"{kind}:{instance_id}:{next(_GESTURES)}"


class Tool:
    name = ""
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, view):
        self.view = view

    @property
    def scene(self):
        return self.view.canvas_scene

    @property
    def document(self):
        return self.view.document

    def activate(self) -> None:
        self.view.viewport().setCursor(self.cursor)

    def deactivate(self) -> None:
        """Drop any gesture in progress and its preview items."""

    def press(self, pos: QPointF, event: QMouseEvent) -> bool:
        return False

    def move(self, pos: QPointF, event: QMouseEvent) -> bool:
        return False

    def release(self, pos: QPointF, event: QMouseEvent) -> bool:
        return False

    def double_click(self, pos: QPointF, event: QMouseEvent) -> bool:
        return False

    def wants_key(self, event: QKeyEvent) -> bool:
        """True to take a key before window shortcuts (e.g. Delete removing a vertex)."""
        return False

    def key(self, event: QKeyEvent) -> bool:
        return False

    # -- helpers --------------------------------------------------------------------
    def single_live(self):
        """The selected instance item, if exactly one is selected and it is live."""
        ids = self.document.selected_ids()
        if len(ids) != 1:
            return None
        item = self.scene.items_by_id.get(ids[0])
        return item if item is not None and item.live else None

    def category_id(self) -> int | None:
        cid = self.view.current_category_id
        if cid is not None and self.document.category(cid) is not None:
            return cid
        cats = self.document.categories()
        return cats[0].id if cats else None

    def clamp(self, pos: QPointF) -> tuple[float, float]:
        asset = self.document.asset
        if asset is None:
            return pos.x(), pos.y()
        return min(max(pos.x(), 0.0), float(asset.width)), min(max(pos.y(), 0.0), float(asset.height))

    def fail(self, exc: Exception) -> None:
        self.view.statusMessage.emit(str(exc))
