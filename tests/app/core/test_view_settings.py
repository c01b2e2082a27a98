"""ViewSettings: validated setters, one signal per real change, round trip through a dict."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.view_settings import ViewSettings  # noqa: E402


def test_setters_clamp_validate_and_signal_only_changes(qapp):
    v = ViewSettings()
    seen = []
    v.fieldChanged.connect(seen.append)
    v.set_score_threshold(1.7)
    v.set_score_threshold(1.0)   # no change: no signal
    v.set_mask_opacity(-1)
    v.set_show_boxes(False)
    v.set_category_hidden(3, True)
    v.set_category_hidden(3, True)
    assert (v.score_threshold, v.mask_opacity, v.show_boxes) == (1.0, 0.0, False)
    assert v.hidden_category_ids == {3}
    assert seen == ["score_threshold", "mask_opacity", "show_boxes", "hidden_category_ids"]
    with pytest.raises(ValueError, match="color_by"):
        v.set_color_by("rainbow")


def test_round_trip_through_a_dict(qapp):
    v = ViewSettings()
    v.set_show_rejected(True)
    v.set_color_by("instance")
    v.set_hidden_category_ids([2, 5])
    w = ViewSettings()
    w.from_dict({**v.to_dict(), "unknown": 1, "mask_opacity": "not a number"})
    assert w.to_dict() == {**v.to_dict(), "mask_opacity": w.mask_opacity}
    assert w.show_rejected and w.color_by == "instance" and w.hidden_category_ids == {2, 5}
