"""What the canvas shows and how: layer toggles, opacity, score threshold, filters.

Every change emits ``changed`` (and ``fieldChanged(name)`` so a view can do the
cheapest update: an opacity change touches masks only). Views apply these live
by toggling existing items; nothing here rebuilds a scene.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401 — before any Qt call; see the module

from PySide6.QtCore import QObject, Signal

COLOR_MODES = ("category", "instance")

_DEFAULTS = {
    "show_boxes": True,
    "show_masks": True,
    "show_keypoints": True,
    "show_polygons": True,
    "show_labels": True,
    "show_captions": True,
    "show_rejected": False,
    "mask_opacity": 0.45,
    "score_threshold": 0.0,
    "color_by": "category",
}


class ViewSettings(QObject):
    changed = Signal()
    fieldChanged = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._values = dict(_DEFAULTS)
        self._hidden: frozenset[int] = frozenset()

    # -- generic ----------------------------------------------------------
    def _set(self, name: str, value) -> None:
        if self._values[name] == value:
            return
        self._values[name] = value
        self.fieldChanged.emit(name)
        self.changed.emit()

    def to_dict(self) -> dict:
        """For persisting in QSettings; ``from_dict`` ignores unknown or bad keys."""
        out = dict(self._values)
        out["hidden_category_ids"] = sorted(self._hidden)
        return out

    def from_dict(self, data: dict) -> None:
        for name, default in _DEFAULTS.items():
            if name not in data:
                continue
            value = data[name]
            try:
                getattr(self, f"set_{name}")(type(default)(value) if not isinstance(default, bool)
                                            else value in (True, "true", "1", 1))
            except (TypeError, ValueError):
                continue
        if "hidden_category_ids" in data:
            try:
                self.set_hidden_category_ids(int(v) for v in data["hidden_category_ids"] or [])
            except (TypeError, ValueError):
                pass

    # -- booleans -----------------------------------------------------------
    show_boxes = property(lambda self: self._values["show_boxes"])
    show_masks = property(lambda self: self._values["show_masks"])
    show_keypoints = property(lambda self: self._values["show_keypoints"])
    show_polygons = property(lambda self: self._values["show_polygons"])
    show_labels = property(lambda self: self._values["show_labels"])
    show_captions = property(lambda self: self._values["show_captions"])
    show_rejected = property(lambda self: self._values["show_rejected"])

    def set_show_boxes(self, on: bool) -> None:
        self._set("show_boxes", bool(on))

    def set_show_masks(self, on: bool) -> None:
        self._set("show_masks", bool(on))

    def set_show_keypoints(self, on: bool) -> None:
        self._set("show_keypoints", bool(on))

    def set_show_polygons(self, on: bool) -> None:
        self._set("show_polygons", bool(on))

    def set_show_labels(self, on: bool) -> None:
        self._set("show_labels", bool(on))

    def set_show_captions(self, on: bool) -> None:
        self._set("show_captions", bool(on))

    def set_show_rejected(self, on: bool) -> None:
        self._set("show_rejected", bool(on))

    # -- numbers and choices ------------------------------------------------
    @property
    def mask_opacity(self) -> float:
        return self._values["mask_opacity"]

    def set_mask_opacity(self, value: float) -> None:
        self._set("mask_opacity", min(1.0, max(0.0, float(value))))

    @property
    def score_threshold(self) -> float:
        return self._values["score_threshold"]

    def set_score_threshold(self, value: float) -> None:
        self._set("score_threshold", min(1.0, max(0.0, float(value))))

    @property
    def color_by(self) -> str:
        return self._values["color_by"]

    def set_color_by(self, mode: str) -> None:
        if mode not in COLOR_MODES:
            raise ValueError(f"color_by: {mode!r} is not one of {COLOR_MODES}")
        self._set("color_by", mode)

    @property
    def hidden_category_ids(self) -> frozenset[int]:
        return self._hidden

    def set_hidden_category_ids(self, ids) -> None:
        ids = frozenset(int(i) for i in ids)
        if ids == self._hidden:
            return
        self._hidden = ids
        self.fieldChanged.emit("hidden_category_ids")
        self.changed.emit()

    def set_category_hidden(self, category_id: int, hidden: bool) -> None:
        ids = set(self._hidden)
        (ids.add if hidden else ids.discard)(int(category_id))
        self.set_hidden_category_ids(ids)
