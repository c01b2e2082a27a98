"""The whole window on a real project: draw, drag, undo/redo, caption, model run, export, reopen."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.model import AssetState, Instance, ReviewState, Source
from engine.store import ProjectStore
from app.main_window import MainWindow

TINY = {"min_size": 128, "max_size": 160, "box_score_thresh": 0.0, "box_detections_per_img": 3, "seed": 0}
KEYPOINTS = [v for k in range(17) for v in (40.0 + 2 * k, 30.0 + 3 * k, 2.0)]


@pytest.fixture
def window(qtbot, project_path, settings):
    store = ProjectStore.open(project_path)
    person = store.categories()[0]
    first = store.assets()[0]
    store.add_instance(Instance(first.id, person.id, bbox=(30.0, 20.0, 60.0, 80.0), keypoints=list(KEYPOINTS)),
                       author="ground-truth")
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.isVisible():
        win.close()


def to_view(win: MainWindow, x: float, y: float) -> QPoint:
    return win.canvas.mapFromScene(QPointF(x, y))


def drag(win: MainWindow, start: tuple[float, float], end: tuple[float, float]) -> None:
    viewport = win.canvas.viewport()
    a, b = to_view(win, *start), to_view(win, *end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for t in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(viewport, QPoint(round(a.x() + (b.x() - a.x()) * t), round(a.y() + (b.y() - a.y()) * t)))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def test_label_predict_export_and_reopen(qtbot, window, project_path, tmp_path):
    win, doc, store = window, window.document, window.store
    asset = doc.asset
    assert asset is not None and asset.id == store.assets()[0].id  # the first asset opens by itself
    person_id = store.categories()[0].id
    ball = next(c for c in store.categories() if c.name == "ball")
    gt = store.instances(asset.id)[0]

    # -- draw a box with the real tool, picked by its key, in the category picked in the panel
    win.categories.select_category(ball.id)
    win.canvas.setFocus()
    QTest.keyClick(win.canvas, Qt.Key.Key_B)
    assert win.canvas.tool == "box"
    drag(win, (100.0, 20.0), (140.0, 60.0))
    boxes = [i for i in store.instances(asset.id) if i.category_id == ball.id]
    assert len(boxes) == 1 and boxes[0].source == Source.HUMAN and boxes[0].review_state == ReviewState.MANUAL
    x, y, w, h = boxes[0].bbox
    assert abs(x - 100) < 1.5 and abs(y - 20) < 1.5 and abs(w - 40) < 2 and abs(h - 40) < 2
    box_id = boxes[0].id
    assert box_id in win.instances.shown_ids()

    # -- select the person, drag its nose keypoint
    QTest.keyClick(win.canvas, Qt.Key.Key_V)
    assert win.canvas.tool == "select"
    QTest.mouseClick(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     to_view(win, 85.0, 95.0))
    assert doc.selected_ids() == [gt.id] and win.instances.selected_ids() == [gt.id]
    drag(win, (KEYPOINTS[0], KEYPOINTS[1]), (20.0, 12.0))
    moved = store.instance(gt.id)
    assert abs(moved.keypoints[0] - 20) < 1.5 and abs(moved.keypoints[1] - 12) < 1.5
    assert moved.keypoints[3:] == KEYPOINTS[3:]

    # -- undo and redo through the window's keys
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.instance(gt.id).keypoints[:2] == KEYPOINTS[:2]
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert box_id not in {i.id for i in store.instances(asset.id)}
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert store.instance(box_id).bbox == boxes[0].bbox
    assert abs(store.instance(gt.id).keypoints[0] - 20) < 1.5

    # -- a caption: typed, added, then edited in place
    win.captions.editor.setText("a person and a ball")
    QTest.keyClick(win.captions.editor, Qt.Key.Key_Return)
    win.captions.list.item(0).setText("a person next to a yellow ball")
    assert [c.text for c in store.captions(asset.id)] == ["a person next to a yellow ball"]

    # -- a tiny model through the model panel's worker; its boxes reach the canvas and the list live
    panel = win.model_panel
    panel.set_model("fasterrcnn_mobilenet_v3_large_320_fpn")
    panel.set_weights("random")
    panel.device_box.setCurrentText("cpu")
    panel.threshold.setValue(0.0)
    panel.advanced.setText(json.dumps(TINY))
    panel.set_scope("current")
    worker = panel.run()
    with qtbot.waitSignal(worker.done, timeout=90000):
        pass
    predicted = [i for i in store.instances(asset.id) if i.source == Source.MODEL]
    assert predicted, panel.status.text()
    frame = win.canvas.canvas_scene.frame
    assert {i.id for i in predicted} <= set(frame.row_of)
    assert {i.id for i in predicted} <= set(win.instances.shown_ids())

    # -- accept one prediction from the keyboard (select it in the list, then Return)
    win.instances.item_for(predicted[0].id).setSelected(True)
    win.instances.tree.setFocus()
    QTest.keyClick(win.instances.tree, Qt.Key.Key_Return)
    assert store.instance(predicted[0].id).review_state == ReviewState.ACCEPTED

    # -- export through the dialog's job
    dialog = win.show_export()
    out = tmp_path / "export" / "coco.json"
    out.parent.mkdir()
    dialog.path_edit.setText(str(out))
    dialog.separate_captions.setChecked(True)
    job = dialog.start()
    with qtbot.waitSignal(job.done, timeout=30000):
        pass
    exported = json.loads(out.read_text())
    ids = {a["id"] for a in exported["annotations"]}
    assert {box_id, gt.id, predicted[0].id} <= ids
    nose = next(a for a in exported["annotations"] if a["id"] == gt.id)["keypoints"][:2]
    assert abs(nose[0] - 20) < 1.5
    captions = json.loads((out.parent / "coco_captions.json").read_text())
    assert [a["caption"] for a in captions["annotations"]] == ["a person next to a yellow ball"]
    dialog.close()

    # -- mark verified (moves on), close: the window closes the store; everything is in the file
    win.activateWindow()  # the offscreen platform does not hand activation back after a dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=3000)
    QTest.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert doc.asset.id != asset.id
    win.close()
    reopened = ProjectStore.open(project_path)
    try:
        assert reopened.asset(asset.id).state == AssetState.VERIFIED
        again = {i.id: i for i in reopened.instances(asset.id)}
        assert again[box_id].bbox == boxes[0].bbox and again[box_id].category_id == ball.id
        assert abs(again[gt.id].keypoints[0] - 20) < 1.5 and again[gt.id].category_id == person_id
        assert again[predicted[0].id].review_state == ReviewState.ACCEPTED
        assert {i.id for i in predicted} <= set(again)
        assert [c.text for c in reopened.captions(asset.id)] == ["a person next to a yellow ball"]
    finally:
        reopened.close()


def test_closing_during_a_model_run_and_an_export_stops_them_cleanly(qtbot, window, project_path, tmp_path):
    win = window
    panel = win.model_panel
    panel.set_model("fasterrcnn_mobilenet_v3_large_320_fpn")
    panel.set_weights("random")
    panel.device_box.setCurrentText("cpu")
    panel.advanced.setText(json.dumps(TINY))
    panel.set_scope("unverified")
    run = panel.run()
    dialog = win.show_export()
    dialog.path_edit.setText(str(tmp_path / "out.json"))
    export = dialog.start()
    assert run.is_running()
    win.close()  # cancels both, waits for their threads, then closes the store
    qtbot.waitUntil(lambda: not run.is_running() and not export.is_running(), timeout=5000)
    store = ProjectStore.open(project_path)  # the file is intact and opens again
    try:
        assert len(store.assets()) == 3
    finally:
        store.close()
