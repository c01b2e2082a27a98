"""Colours and pen styles shared by the batched layers and the live items."""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtGui import QColor

from engine.model import Category, Instance, ReviewState

LEFT = QColor("#2f80ff")   # first keypoint of each flip pair
RIGHT = QColor("#ff8a1f")  # second keypoint of each flip pair
REJECTED = QColor("#9e9e9e")
SELECTED_OUTLINE = QColor("#ffffff")
FALLBACK = QColor("#00c8ff")

# Style of a box/outline: solid = verified (accepted, corrected, manual),
# dashed = an unreviewed prediction, dotted = rejected (shown only on request).
SOLID, DASHED, DOTTED = 0, 1, 2

_GOLDEN = 0.618033988749895


PALETTE_SIZE = 24  # few enough that the layers still batch instances by colour


def instance_palette(instance_id: int | None) -> QColor:
    """Distinct, stable colours per instance (golden-ratio hue walk over a fixed palette)."""
    hue = (((instance_id or 0) % PALETTE_SIZE) * _GOLDEN) % 1.0
    return QColor.fromHsvF(hue, 0.75, 1.0)


def color_for(inst: Instance, category: Category | None, color_by: str) -> QColor:
    if inst.review_state == ReviewState.REJECTED:
        return QColor(REJECTED)
    if color_by == "instance":
        return instance_palette(inst.track_id if inst.track_id is not None else inst.id)
    if category is not None and category.color:
        color = QColor(category.color)
        if color.isValid():
            return color
    return QColor(FALLBACK)


def color_key(inst: Instance, color_by: str) -> tuple:
    """What color_for's answer depends on besides the categories, for caching it within one pass."""
    if inst.review_state == ReviewState.REJECTED:
        return ("rejected",)
    if color_by == "instance":
        return ("instance", inst.track_id if inst.track_id is not None else inst.id)
    return ("category", inst.category_id)


def line_style(inst: Instance) -> int:
    if inst.review_state == ReviewState.REJECTED:
        return DOTTED
    if inst.review_state == ReviewState.PREDICTED:
        return DASHED
    return SOLID
