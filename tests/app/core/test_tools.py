"""Tools driven by real mouse events on the view's viewport; results checked in the store."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from app.canvas import CanvasView  # noqa: E402
from engine.geometry import decode_mask  # noqa: E402
from engine.model import Instance, ReviewState  # noqa: E402
from tests.app.core.conftest import HEIGHT, WIDTH, person_keypoints, prediction  # noqa: E402

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def view(doc, qtbot):
    v = CanvasView(doc)
    qtbot.addWidget(v)
    v.resize(3 * WIDTH // 2 + 60, 3 * HEIGHT // 2 + 60)  # an uneven scale, not 1:1
    v.show()
    qtbot.waitExposed(v)
    v.fit()
    v.setFocus()
    return v


def at(view, x, y) -> QPoint:
    return view.mapFromScene(QPointF(x, y))


def drag(view, points, button=LEFT):
    vp = view.viewport()
    QTest.mousePress(vp, button, NOMOD, at(view, *points[0]))
    for p in points[1:]:
        QTest.mouseMove(vp, at(view, *p))
    QTest.mouseRelease(vp, button, NOMOD, at(view, *points[-1]))


def click(view, x, y):
    QTest.mouseClick(view.viewport(), LEFT, NOMOD, at(view, x, y))


def tolerance(view) -> float:
    return 1.5 / view.zoom()  # a screen pixel, in image pixels, plus rounding


def test_box_tool_draws_a_box_in_image_coordinates(doc, project, view):
    store, ids = project
    assert view.zoom() != pytest.approx(1.0)
    view.set_current_category(ids["ball"])
    view.set_tool("box")
    drag(view, [(40, 30), (80, 60), (120, 90)])
    (inst,) = store.instances(ids["assets"][0])
    x, y, w, h = inst.bbox
    t = tolerance(view)
    assert (x, y, x + w, y + h) == pytest.approx((40, 30, 120, 90), abs=t)
    assert inst.category_id == ids["ball"] and inst.review_state == ReviewState.MANUAL
    assert doc.selected_ids() == [inst.id]
    doc.undo_stack.undo()
    assert store.instances(ids["assets"][0]) == []


def test_box_tool_after_zoom_and_pan(doc, project, view):
    store, ids = project
    view.zoom_in()
    view.zoom_in()
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 25)
    view.set_tool("box")
    drag(view, [(150, 100), (170, 120)])
    (inst,) = store.instances(ids["assets"][0])
    assert inst.bbox == pytest.approx((150, 100, 20, 20), abs=tolerance(view))


def test_select_and_move_a_box_is_one_undo_step(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    iid = doc.add_instance(Instance(a, ids["ball"], bbox=(100, 80, 40, 30)))
    doc.select([])
    steps = doc.undo_stack.count()
    drag(view, [(110, 90), (120, 95), (130, 100), (140, 110)])
    assert doc.selected_ids() == [iid]
    x, y, w, h = store.instance(iid).bbox
    assert (x, y, w, h) == pytest.approx((130, 100, 40, 30), abs=tolerance(view))
    assert doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert store.instance(iid).bbox == (100, 80, 40, 30)


def test_resize_handle_and_rubber_band(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    iid = doc.add_instance(Instance(a, ids["ball"], bbox=(100, 80, 40, 30)))
    doc.select([iid])
    drag(view, [(140, 110), (150, 115), (160, 120)])   # bottom-right handle
    x, y, w, h = store.instance(iid).bbox
    assert (x, y) == (100, 80) and (w, h) == pytest.approx((60, 40), abs=tolerance(view))
    other = doc.add_instance(Instance(a, ids["ball"], bbox=(250, 150, 20, 20)))
    drag(view, [(90, 70), (200, 140), (300, 190)])     # from empty space: rubber band
    assert sorted(doc.selected_ids()) == sorted([iid, other])


def test_drag_a_keypoint_and_cycle_its_visibility(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    iid = doc.add_instance(Instance(a, ids["person"], keypoints=person_keypoints(60, 40)))
    doc.select([iid])
    # keypoint 5 sits at (60 + 6, 40 + 8)
    drag(view, [(66, 48), (70, 52), (76, 58)])
    kp = store.instance(iid).keypoints
    assert (kp[15], kp[16]) == pytest.approx((76, 58), abs=tolerance(view))
    view.cycle_visibility()
    assert store.instance(iid).keypoints[17] == 1
    view.cycle_visibility()
    assert store.instance(iid).keypoints[17] == 0


def test_keypoint_tool_places_the_next_missing_point(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    view.set_current_category(ids["person"])
    view.set_tool("keypoint")
    click(view, 50, 50)                          # nothing selected: a new person, point 0
    (inst,) = store.instances(a)
    assert inst.keypoints[:3] == pytest.approx([50, 50, 2], abs=tolerance(view))
    assert inst.num_keypoints == 1
    click(view, 60, 70)
    click(view, 80, 90)
    kp = store.instance(inst.id).keypoints
    assert kp[3:9] == pytest.approx([60, 70, 2, 80, 90, 2], abs=tolerance(view))
    assert store.instance(inst.id).num_keypoints == 3


def test_polygon_tool_closes_with_enter(doc, project, view):
    store, ids = project
    view.set_current_category(ids["ball"])
    view.set_tool("polygon")
    for p in [(50, 50), (150, 50), (150, 120), (50, 120)]:
        click(view, *p)
    QTest.keyClick(view, Qt.Key.Key_Return)
    (inst,) = store.instances(ids["assets"][0])
    (ring,) = inst.polygons
    assert len(ring) == 8
    assert inst.bbox == pytest.approx((50, 50, 100, 70), abs=tolerance(view))
    assert inst.area == pytest.approx(100 * 70, rel=0.1)


def test_delete_a_polygon_vertex_with_a_key(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    ring = [50.0, 50.0, 150.0, 50.0, 150.0, 120.0, 50.0, 120.0]
    iid = doc.add_instance(Instance(a, ids["ball"], polygons=[ring], bbox=(50, 50, 100, 70)))
    doc.select([iid])
    click(view, 150, 120)  # the third vertex's handle: now active
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert store.instance(iid).polygons == [[50.0, 50.0, 150.0, 50.0, 50.0, 120.0]]


def test_brush_stroke_makes_a_mask_instance_and_eraser_removes(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    view.set_current_category(ids["ball"])
    view.set_tool("brush")
    view.set_brush_size(12)
    drag(view, [(60, 60), (90, 60), (120, 60)])
    (inst,) = store.instances(a)
    mask = decode_mask(inst.mask)
    assert inst.area == mask.sum() > 0
    x, y, w, h = inst.bbox
    assert x < 60 and x + w > 120 and y < 60 < y + h
    assert mask[60, 90] and not mask[100, 90]
    view.set_tool("eraser")
    drag(view, [(90, 45), (90, 75)])
    erased = decode_mask(store.instance(inst.id).mask)
    assert not erased[60, 90] and erased[60, 65]
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert decode_mask(store.instance(inst.id).mask)[60, 90]


def test_click_on_a_prediction_then_accept(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    (p,) = store.add_instances([prediction(a, ids["ball"], (200, 100, 30, 30), 0.8)])
    click(view, 215, 115)
    assert doc.selected_ids() == [p.id]
    doc.accept(doc.selected_ids())
    assert store.instance(p.id).review_state == ReviewState.ACCEPTED
    assert store.instance(p.id).bbox == (200, 100, 30, 30)  # a click is not a move


def test_unknown_tool_is_refused(view):
    with pytest.raises(ValueError, match="unknown tool"):
        view.set_tool("lasso")
