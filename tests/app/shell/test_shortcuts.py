"""Key bindings: defaults work in the window, rebinding persists, the F1 overlay lists every action."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from engine.model import Asset, AssetKind, Instance, ReviewState, Source
from engine.store import ProjectStore
from app.dialogs.help_overlay import shortcuts_html
from app.dialogs.shortcuts import ShortcutsDialog
from app.main_window import MainWindow
from app.settings import Settings
from app.shortcuts import ACTIONS, ShortcutRegistry, native


def test_rebinding_persists_and_reset_forgets(qtbot, tmp_path):
    host = QWidget()
    qtbot.addWidget(host)
    registry = ShortcutRegistry(Settings(tmp_path / "s.ini"), host)
    assert registry.keys("nav.next_image") == ["D", "PgDown"]
    registry.set_keys("nav.next_image", ["J"])
    registry.set_keys("edit.reject", [])  # deliberately unbound
    host2 = QWidget()
    again = ShortcutRegistry(Settings(tmp_path / "s.ini"), host2)
    assert again.keys("nav.next_image") == ["J"]
    assert again.action("nav.next_image").shortcuts() == [QKeySequence("J")]
    assert again.keys("edit.reject") == [] and again.keys("edit.accept") == ["Space", "Return"]
    again.reset("nav.next_image")
    third = ShortcutRegistry(Settings(tmp_path / "s.ini"), host2)
    assert third.keys("nav.next_image") == ["D", "PgDown"] and third.keys("edit.reject") == []


def test_dialog_rebinds_and_warns_about_conflicts(qtbot, tmp_path):
    host = QWidget()
    qtbot.addWidget(host)
    registry = ShortcutRegistry(Settings(tmp_path / "s.ini"), host)
    dialog = ShortcutsDialog(registry)
    qtbot.addWidget(dialog)
    dialog.edit_for("tool.box").setKeySequence(QKeySequence("Ctrl+B"))
    dialog.edit_for("tool.polygon", 1).setKeySequence(QKeySequence("V"))  # V is the select tool's
    assert "V" in dialog.warning.text() and "Polygon tool" in dialog.warning.text()
    dialog.accept()
    host2 = QWidget()
    reread = ShortcutRegistry(Settings(tmp_path / "s.ini"), host2)
    assert reread.keys("tool.box") == ["Ctrl+B"] and reread.keys("tool.polygon") == ["P", "V"]
    assert reread.conflicts() == {"V": ["tool.select", "tool.polygon"]}


def test_help_overlay_lists_every_action(qtbot, tmp_path):
    host = QWidget()
    qtbot.addWidget(host)
    registry = ShortcutRegistry(Settings(tmp_path / "s.ini"), host)
    registry.set_keys("view.fit", ["Ctrl+Alt+F"])
    text = shortcuts_html(registry)
    for spec in ACTIONS:
        assert spec.text.replace("&", "&amp;") in text, spec.id
        for key in registry.keys(spec.id):
            assert native(key).replace("&", "&amp;") in text, (spec.id, key)
    assert native("Ctrl+Alt+F") in text


@pytest.fixture
def window(qtbot, project_path, settings):
    store = ProjectStore.open(project_path)
    person, ball = store.categories()
    first = store.assets()[0]
    store.add_instances([
        Instance(first.id, ball.id, bbox=(10.0, 10.0, 20.0, 20.0), score=0.9, source=Source.MODEL,
                 review_state=ReviewState.PREDICTED),
        Instance(first.id, ball.id, bbox=(60.0, 10.0, 20.0, 20.0), score=0.3, source=Source.MODEL,
                 review_state=ReviewState.PREDICTED),
        Instance(first.id, person.id, bbox=(90.0, 60.0, 30.0, 40.0), score=0.8, source=Source.MODEL,
                 review_state=ReviewState.PREDICTED)])
    store.add_asset(Asset("clip.mp4", 160, 120, kind=AssetKind.VIDEO, num_frames=20, fps=10.0))
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitActive(win)
    yield win
    win.close()


def test_review_and_navigation_keys(qtbot, window):
    win, doc, store = window, window.document, window.store
    sure, unsure, person = sorted(doc.instances(), key=lambda i: i.id)
    win.canvas.setFocus()
    doc.view.set_score_threshold(0.5)
    QTest.keyClick(win.canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)  # accept all above 0.5
    assert store.instance(sure.id).review_state == ReviewState.ACCEPTED
    assert store.instance(person.id).review_state == ReviewState.ACCEPTED
    assert store.instance(unsure.id).review_state == ReviewState.PREDICTED
    doc.view.set_score_threshold(0.0)
    doc.select([unsure.id])
    QTest.keyClick(win.canvas, Qt.Key.Key_X)
    assert store.instance(unsure.id).review_state == ReviewState.REJECTED
    doc.select([person.id])
    QTest.keyClick(win.canvas, Qt.Key.Key_Delete)
    assert person.id not in {i.id for i in store.instances()}

    first = doc.asset.id
    QTest.keyClick(win.canvas, Qt.Key.Key_D)
    assert doc.asset.id != first and win.assets.current_asset_id() == doc.asset.id
    QTest.keyClick(win.canvas, Qt.Key.Key_PageUp)
    assert doc.asset.id == first
    for _ in range(3):
        QTest.keyClick(win.canvas, Qt.Key.Key_D)
    assert doc.asset.is_video and win.frame_bar.isVisible()
    QTest.keyClick(win.canvas, Qt.Key.Key_Period)
    QTest.keyClick(win.canvas, Qt.Key.Key_Period)
    QTest.keyClick(win.canvas, Qt.Key.Key_Comma)
    assert doc.frame_index == 1 and win.frame_bar.spin.value() == 1

    for key, tool in ((Qt.Key.Key_P, "polygon"), (Qt.Key.Key_R, "brush"), (Qt.Key.Key_E, "eraser"),
                      (Qt.Key.Key_K, "keypoint"), (Qt.Key.Key_B, "box"), (Qt.Key.Key_V, "select")):
        QTest.keyClick(win.canvas, key)
        assert win.canvas.tool == tool
    QTest.keyClick(win.canvas, Qt.Key.Key_2)  # masks layer off and on
    assert not doc.view.show_masks
    QTest.keyClick(win.canvas, Qt.Key.Key_2)
    assert doc.view.show_masks

    QTest.keyClick(win.canvas, Qt.Key.Key_F1)
    assert win.help_overlay.isVisible()
    QTest.keyClick(win.help_overlay, Qt.Key.Key_Escape)
    assert not win.help_overlay.isVisible()


def test_space_tap_accepts_and_space_drag_pans(qtbot, window):
    win, doc, store = window, window.document, window.store
    target = sorted(doc.instances(), key=lambda i: i.id)[0]
    doc.select([target.id])
    win.canvas.setFocus()
    QTest.keyPress(win.canvas, Qt.Key.Key_Space)
    QTest.mousePress(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(200, 200))
    QTest.mouseRelease(win.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(150, 150))
    QTest.keyRelease(win.canvas, Qt.Key.Key_Space)
    assert store.instance(target.id).review_state == ReviewState.PREDICTED  # a pan, not an accept
    QTest.keyClick(win.canvas, Qt.Key.Key_Space)
    assert store.instance(target.id).review_state == ReviewState.ACCEPTED
