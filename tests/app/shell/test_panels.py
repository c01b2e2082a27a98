"""The dock panels against a real ProjectDocument on a real project file."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engine.model import Asset, AssetKind, Instance, ReviewState, Source
from engine.store import ProjectStore
from app.document import ProjectDocument
from app.panels.captions import CaptionsPanel
from app.panels.categories import CategoriesPanel
from app.panels.frame_bar import FrameBar
from app.panels.instances import InstancesPanel


@pytest.fixture
def doc(qtbot, project_path):
    store = ProjectStore.open(project_path)
    document = ProjectDocument(store, author="tester")
    yield document
    document.close()
    store.close()


def _prediction(asset_id, category_id, score, x=10.0):
    return Instance(asset_id, category_id, bbox=(x, 10.0, 30.0, 20.0), score=score, source=Source.MODEL,
                    review_state=ReviewState.PREDICTED)


def test_instances_panel_follows_frame_selection_and_filters(qtbot, doc):
    store = doc.store
    person, ball = (c.id for c in store.categories())
    asset = store.assets()[0]
    made = store.add_instances([_prediction(asset.id, person, 0.9), _prediction(asset.id, ball, 0.2, 60),
                                Instance(asset.id, ball, bbox=(5.0, 5.0, 8.0, 8.0))])
    panel = InstancesPanel(doc)
    qtbot.addWidget(panel)
    doc.open_asset(asset.id)
    assert panel.shown_ids() == [i.id for i in made]

    panel.item_for(made[1].id).setSelected(True)
    assert doc.selected_ids() == [made[1].id]
    doc.select([made[0].id, made[2].id])
    assert sorted(panel.selected_ids()) == [made[0].id, made[2].id]

    doc.view.set_score_threshold(0.5)  # the 0.2 prediction leaves the canvas, so the list too
    assert panel.shown_ids() == [made[0].id, made[2].id]
    assert "1 hidden" in panel.summary.text()

    doc.select([made[0].id])
    panel.accept_selected()
    assert store.instance(made[0].id).review_state == ReviewState.ACCEPTED
    assert panel.item_for(made[0].id).text(3) == "accepted"
    panel.set_category_of_selected(ball)
    assert store.instance(made[0].id).category_id == ball
    doc.select([made[2].id])
    panel.delete_selected()
    assert made[2].id not in panel.shown_ids()
    doc.undo_stack.undo()
    assert made[2].id in panel.shown_ids()

    doc.view.set_score_threshold(0.0)
    doc.select([made[1].id])
    panel.reject_selected()  # rejected are hidden unless "show rejected"
    assert made[1].id not in panel.shown_ids()
    doc.view.set_show_rejected(True)
    assert made[1].id in panel.shown_ids()


def test_captions_panel_add_edit_delete_with_undo(qtbot, doc):
    panel = CaptionsPanel(doc)
    qtbot.addWidget(panel)
    assert not panel.editor.isEnabled()  # nothing open yet
    asset = doc.store.assets()[1]
    doc.open_asset(asset.id)
    panel.editor.setText("a red square on grey")
    panel.add_from_editor()
    assert panel.texts() == ["a red square on grey"]
    item = panel.list.item(0)
    item.setText("a red square and a blue one")  # what an in-place edit commits
    assert [c.text for c in doc.store.captions(asset.id)] == ["a red square and a blue one"]
    item = panel.list.item(0)
    item.setText("   ")  # emptied: refused, the stored text comes back
    assert panel.texts() == ["a red square and a blue one"]
    panel.list.item(0).setSelected(True)
    panel.delete_selected()
    assert panel.texts() == [] and doc.store.captions(asset.id) == []
    doc.undo_stack.undo()
    assert panel.texts() == ["a red square and a blue one"]


def test_categories_panel_add_rename_recolour_hide_and_schema(qtbot, doc):
    panel = CategoriesPanel(doc)
    qtbot.addWidget(panel)
    chosen = []
    panel.currentCategoryChanged.connect(chosen.append)
    errors = []
    panel.errorOccurred.connect(errors.append)

    panel.name_edit.setText("hand")
    panel.add_from_editor()
    hand = next(c for c in doc.store.categories() if c.name == "hand")
    assert panel.current_category_id() == hand.id and chosen[-1] == hand.id

    panel.name_edit.setText("hand")
    panel.add_from_editor()
    assert errors and "already exists" in errors[-1]

    item = panel.list.currentItem()
    item.setText("left hand")
    assert doc.store.category(hand.id).name == "left hand"
    panel.pick_color("#123456")
    assert doc.store.category(hand.id).color == "#123456"
    panel.list.currentItem().setCheckState(Qt.CheckState.Unchecked)
    assert hand.id in doc.view.hidden_category_ids

    editor = panel.schema
    for name in ("wrist", "thumb", "index"):
        editor.append_point(name)
    keys = [editor.points.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)]
    editor.skeleton.add(keys[0], keys[1])
    editor.skeleton.add(keys[0], keys[2])
    editor.flips.add(keys[1], keys[2])
    editor.points.setCurrentRow(0)
    editor._move_current(+1)  # wrist becomes point 2: the edges must follow it
    editor.apply()
    stored = doc.store.category(hand.id)
    assert stored.keypoints == ["thumb", "wrist", "index"]
    assert stored.skeleton == [(1, 0), (1, 2)] and stored.flip_pairs == [(0, 2)]
    doc.undo_stack.undo()
    assert doc.store.category(hand.id).keypoints == []


def test_schema_is_locked_while_instances_use_the_category(qtbot, doc):
    person = doc.store.categories()[0]
    asset = doc.store.assets()[0]
    doc.store.add_instance(Instance(asset.id, person.id, keypoints=[10.0, 10.0, 2.0] * 17))
    panel = CategoriesPanel(doc)
    qtbot.addWidget(panel)
    panel.select_category(person.id)
    assert not panel.schema.add_point.isEnabled() and "has instances" in panel.schema.note.text()
    panel.schema.points.item(0).setText("snout")  # renaming stays allowed
    panel.schema.apply()
    assert doc.store.category(person.id).keypoints[0] == "snout"
    assert len(doc.store.category(person.id).keypoints) == 17


def test_frame_bar_drives_the_documents_frame(qtbot, doc):
    video = doc.store.add_asset(Asset("clip.mp4", 64, 48, kind=AssetKind.VIDEO, num_frames=30, fps=10.0))
    bar = FrameBar(doc)
    qtbot.addWidget(bar)
    doc.open_asset(doc.store.assets()[0].id)
    assert bar.isHidden()
    doc.open_asset(video.id)
    assert not bar.isHidden() and bar.slider.maximum() == 29
    bar.spin.setValue(12)
    assert doc.frame_index == 12
    bar.next_button.click()
    assert doc.frame_index == 13 and bar.slider.value() == 13 and bar.time_label.text().strip() == "1.30 s"
    bar.slider.setValue(25)  # slider drags are coalesced on a short timer
    qtbot.waitUntil(lambda: doc.frame_index == 25, timeout=2000)
