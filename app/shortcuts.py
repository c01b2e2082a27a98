"""Every keyboard action of the window in one registry: default keys, user rebinding, help text.

The main window asks the registry for a QAction per id and connects it; the
rebinding dialog and the F1 overlay are generated from ``ACTIONS`` so they can
never miss an action. User choices persist in QSettings (``Settings``) as
portable key strings, and only where they differ from the defaults.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.settings import Settings


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    group: str
    defaults: tuple[str, ...] = ()
    checkable: bool = False


def _a(id_: str, text: str, group: str, *keys: str, checkable: bool = False) -> ActionSpec:
    return ActionSpec(id_, text, group, tuple(keys), checkable)


ACTIONS: list[ActionSpec] = [
    _a("file.open", "Open project…", "File", "Ctrl+O"),
    _a("file.export", "Export COCO…", "File", "Ctrl+E"),
    _a("file.quit", "Quit", "File", "Ctrl+Q"),
    _a("nav.next_image", "Next image", "Navigate", "D", "PgDown"),
    _a("nav.prev_image", "Previous image", "Navigate", "A", "PgUp"),
    _a("nav.next_unverified", "Next image not yet verified", "Navigate", "N"),
    _a("nav.next_frame", "Next video frame", "Navigate", "."),
    _a("nav.prev_frame", "Previous video frame", "Navigate", ","),
    _a("tool.select", "Select / move tool", "Tools", "V", checkable=True),
    _a("tool.box", "Box tool", "Tools", "B", checkable=True),
    _a("tool.polygon", "Polygon tool", "Tools", "P", checkable=True),
    _a("tool.brush", "Brush tool", "Tools", "R", checkable=True),
    _a("tool.eraser", "Eraser tool", "Tools", "E", checkable=True),
    _a("tool.keypoint", "Keypoint tool", "Tools", "K", checkable=True),
    _a("tool.brush_bigger", "Bigger brush", "Tools", "]"),
    _a("tool.brush_smaller", "Smaller brush", "Tools", "["),
    _a("edit.accept", "Accept selected predictions", "Review", "Space", "Return"),
    _a("edit.accept_above", "Accept all predictions above the score threshold", "Review", "Shift+A"),
    _a("edit.reject", "Reject selected predictions", "Review", "X"),
    _a("edit.delete", "Delete selected instances", "Review", "Del"),
    _a("edit.cycle_visibility", "Cycle keypoint visibility", "Review", "O"),
    _a("edit.mark_verified", "Mark image verified and go to the next", "Review", "Ctrl+Return"),
    _a("edit.undo", "Undo", "Edit", "Ctrl+Z"),
    _a("edit.redo", "Redo", "Edit", "Ctrl+Shift+Z", "Ctrl+Y"),
    _a("edit.shortcuts", "Keyboard shortcuts…", "Edit"),
    _a("view.fit", "Zoom to fit", "View", "F"),
    _a("view.zoom_in", "Zoom in", "View", "+", "="),
    _a("view.zoom_out", "Zoom out", "View", "-"),
    _a("view.boxes", "Show boxes", "View", "1", checkable=True),
    _a("view.masks", "Show masks", "View", "2", checkable=True),
    _a("view.keypoints", "Show keypoints", "View", "3", checkable=True),
    _a("view.labels", "Show labels", "View", "4", checkable=True),
    _a("view.captions", "Show captions", "View", "5", checkable=True),
    _a("help.shortcuts", "Show keyboard shortcuts", "Help", "F1", "?"),
]
SPECS: dict[str, ActionSpec] = {s.id: s for s in ACTIONS}


def normalize(key: str) -> str:
    """One spelling per key combination ("ctrl+z" and "Ctrl+Z" are the same binding)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


def native(key: str) -> str:
    """How the key is shown to the user on this platform."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutRegistry(QObject):
    """Owns one QAction per ``ActionSpec``, added to ``window`` so they work in every child widget."""

    changed = Signal(str)  # action id

    def __init__(self, settings: Settings, window: QWidget | None = None) -> None:
        super().__init__(window)
        self._settings = settings
        self._actions: dict[str, QAction] = {}
        overrides = settings.shortcut_overrides()
        self._keys: dict[str, list[str]] = {
            spec.id: [normalize(k) for k in overrides.get(spec.id, spec.defaults) if k] for spec in ACTIONS
        }
        for spec in ACTIONS:
            action = QAction(spec.text, window or self)
            action.setObjectName(spec.id)
            action.setCheckable(spec.checkable)
            # Window-wide: the canvas, the lists and the docks all get the keys; text fields
            # still win for printable keys because they accept Qt's ShortcutOverride event.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self._actions[spec.id] = action
            self._apply(spec.id)
            if window is not None:
                window.addAction(action)

    def specs(self) -> list[ActionSpec]:
        return list(ACTIONS)

    def action(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def bind(self, action_id: str, slot) -> QAction:
        action = self._actions[action_id]
        (action.toggled if action.isCheckable() else action.triggered).connect(slot)
        return action

    def keys(self, action_id: str) -> list[str]:
        return list(self._keys[action_id])

    def default_keys(self, action_id: str) -> list[str]:
        return [normalize(k) for k in SPECS[action_id].defaults]

    def set_keys(self, action_id: str, keys: list[str]) -> None:
        keys = [normalize(k) for k in keys if k and normalize(k)]
        self._keys[action_id] = keys
        is_default = keys == self.default_keys(action_id)
        self._settings.set_shortcut_override(action_id, None if is_default else keys)
        self._settings.sync()
        self._apply(action_id)
        self.changed.emit(action_id)

    def reset(self, action_id: str) -> None:
        self.set_keys(action_id, self.default_keys(action_id))

    def reset_all(self) -> None:
        for spec in ACTIONS:
            self.reset(spec.id)

    def conflicts(self, keys: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
        """Key -> the action ids sharing it, for keys bound more than once."""
        keys = self._keys if keys is None else keys
        users: dict[str, list[str]] = {}
        for action_id, bound in keys.items():
            for key in bound:
                users.setdefault(normalize(key), []).append(action_id)
        return {k: ids for k, ids in users.items() if len(ids) > 1}

    def describe(self, action_id: str) -> str:
        return ", ".join(native(k) for k in self._keys[action_id]) or "—"

    def _apply(self, action_id: str) -> None:
        action = self._actions[action_id]
        action.setShortcuts([QKeySequence(k) for k in self._keys[action_id]])
        text = SPECS[action_id].text
        action.setToolTip(f"{text} ({self.describe(action_id)})" if self._keys[action_id] else text)
