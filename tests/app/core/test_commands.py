"""Undoable edits write to the store at once, with a corrections-log row per write (undo and redo too)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.document import CommandFailed, ProjectDocument  # noqa: E402
from engine.model import AssetState, Caption, Category, Instance, ReviewState, Source  # noqa: E402
from engine.store import ProjectStore, RecordNotFound  # noqa: E402
from tests.app.core.conftest import person_keypoints, prediction  # noqa: E402


def log(store, iid):
    return [c.action for c in store.corrections("instance", iid)]


def test_add_box_undo_redo_keeps_id_and_logs_each_write(doc, project):
    store, ids = project
    a = ids["assets"][0]
    iid = doc.add_instance(Instance(a, ids["ball"], bbox=(10, 20, 30, 40)))
    stored = store.instance(iid)
    assert stored.bbox == (10, 20, 30, 40)
    assert (stored.source, stored.review_state, stored.author) == (Source.HUMAN, ReviewState.MANUAL, "tester")
    assert [i.id for i in doc.instances()] == [iid]
    assert log(store, iid) == ["create"]
    assert store.asset(a).state == AssetState.IN_REVIEW

    doc.undo_stack.undo()
    with pytest.raises(RecordNotFound):
        store.instance(iid)
    assert doc.instances() == []
    assert log(store, iid) == ["create", "delete"]

    doc.undo_stack.redo()
    again = store.instance(iid)
    assert again.bbox == (10, 20, 30, 40) and again.created_at == stored.created_at
    assert [i.id for i in doc.instances()] == [iid]
    assert log(store, iid) == ["create", "delete", "create"]
    assert store.corrections("instance", iid)[-1].author == "tester"


def test_move_and_resize_box_each_one_step(doc, project):
    store, ids = project
    iid = doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(10, 20, 30, 40)))
    doc.update_instance(doc.instance(iid).copy(bbox=(15, 25, 30, 40)))          # move
    doc.update_instance(doc.instance(iid).copy(bbox=(15, 25, 50, 60)))          # resize
    assert doc.undo_stack.count() == 3
    assert store.instance(iid).bbox == (15, 25, 50, 60)
    last = store.corrections("instance", iid)[-1]
    assert last.action == "update" and last.before["bbox"] == [15, 25, 30, 40] and last.after["bbox"] == [15, 25, 50, 60]
    doc.undo_stack.undo()
    assert store.instance(iid).bbox == (15, 25, 30, 40)
    doc.undo_stack.undo()
    assert store.instance(iid).bbox == (10, 20, 30, 40)
    assert doc.instance(iid).bbox == (10, 20, 30, 40)  # the document's cache followed
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert store.instance(iid).bbox == (15, 25, 50, 60)
    assert log(store, iid) == ["create", "update", "update", "update", "update", "update", "update"]


def test_keypoint_drag_merges_into_one_undo_step(doc, project):
    store, ids = project
    kp = person_keypoints(50, 50)
    iid = doc.add_instance(Instance(ids["assets"][0], ids["person"], keypoints=kp, bbox=(40, 40, 60, 60)))
    steps_before = doc.undo_stack.count()
    for step in range(1, 6):  # five mouse moves of keypoint 3 in one gesture
        moved = list(doc.instance(iid).keypoints)
        moved[9], moved[10] = 100.0 + step, 120.0 + step
        doc.update_instance(doc.instance(iid).copy(keypoints=moved), merge_key="kp:drag-1")
    assert doc.undo_stack.count() == steps_before + 1
    assert store.instance(iid).keypoints[9:11] == [105.0, 125.0]
    assert log(store, iid).count("update") == 5  # every move was written (and logged) as it happened
    doc.undo_stack.undo()
    assert store.instance(iid).keypoints == kp
    doc.undo_stack.redo()
    assert store.instance(iid).keypoints[9:11] == [105.0, 125.0]
    # The next gesture has its own key: its own step.
    moved = list(doc.instance(iid).keypoints)
    moved[0] = 1.0
    doc.update_instance(doc.instance(iid).copy(keypoints=moved), merge_key="kp:drag-2")
    assert doc.undo_stack.count() == steps_before + 2


def test_a_drag_back_to_the_start_leaves_no_undo_step(doc, project):
    store, ids = project
    iid = doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(10, 20, 30, 40)))
    count = doc.undo_stack.count()
    doc.update_instance(doc.instance(iid).copy(bbox=(12, 20, 30, 40)), merge_key="move:x")
    doc.update_instance(doc.instance(iid).copy(bbox=(10, 20, 30, 40)), merge_key="move:x")
    assert doc.undo_stack.count() == count
    assert store.instance(iid).bbox == (10, 20, 30, 40)


def test_delete_multi_selection_is_one_macro(doc, project):
    store, ids = project
    a = ids["assets"][0]
    made = [doc.add_instance(Instance(a, ids["ball"], bbox=(k * 10, 0, 5, 5))) for k in range(3)]
    snapshots = {i: store.instance(i) for i in made}
    doc.select(made)
    doc.delete_instances(doc.selected_ids())
    assert doc.undo_stack.count() == 4
    assert store.instances(a) == [] and doc.selected_ids() == []
    doc.undo_stack.undo()
    assert {i.id: i for i in store.instances(a)} == snapshots  # same ids, same content, same timestamps
    doc.undo_stack.redo()
    assert store.instances(a) == []
    assert all(log(store, i) == ["create", "delete", "create", "delete"] for i in made)


def test_a_macro_is_all_or_nothing(doc, project):
    store, ids = project
    a = ids["assets"][0]
    keep, gone = (doc.add_instance(Instance(a, ids["ball"], bbox=(k, 0, 5, 5))) for k in range(2))
    store.delete_instance(gone, "someone else")  # behind the document's back, on purpose
    doc._instances[gone] = Instance(a, ids["ball"], bbox=(1, 0, 5, 5), id=gone)  # a stale cache
    count = doc.undo_stack.count()
    with pytest.raises(CommandFailed, match="instance"):
        doc.delete_instances([keep, gone])
    assert store.instance(keep).bbox == (0, 0, 5, 5)  # rolled back with the failing one
    assert doc.undo_stack.count() == count


def test_review_rules_accept_reject_edit_and_category(doc, project):
    store, ids = project
    a = ids["assets"][0]
    made = store.add_instances([prediction(a, ids["ball"], (k * 20, 0, 10, 10), 0.3 + 0.2 * k) for k in range(4)])
    p0, p1, p2, p3 = (i.id for i in made)
    assert len(doc.instances()) == 4  # arrived through the store's events

    doc.accept([p0])
    assert store.instance(p0).review_state == ReviewState.ACCEPTED
    doc.update_instance(doc.instance(p0).copy(bbox=(1, 1, 10, 10)))          # editing an accepted prediction
    assert store.instance(p0).review_state == ReviewState.CORRECTED
    doc.set_category([p1], ids["person"])                                   # relabelling a prediction
    assert (store.instance(p1).review_state, store.instance(p1).category_id) == (ReviewState.CORRECTED, ids["person"])
    doc.reject([p2])
    assert store.instance(p2).review_state == ReviewState.REJECTED       # kept, not deleted
    manual = doc.add_instance(Instance(a, ids["ball"], bbox=(0, 50, 5, 5)))
    doc.update_instance(doc.instance(manual).copy(bbox=(0, 60, 5, 5)))
    assert store.instance(manual).review_state == ReviewState.MANUAL

    for _ in range(6):
        doc.undo_stack.undo()
    assert [store.instance(i).review_state for i in (p0, p1, p2)] == [ReviewState.PREDICTED] * 3
    assert store.instance(p1).category_id == ids["ball"]
    doc.accept_above(0.65)                                                  # p2 (0.7) and p3 (0.9)
    assert [store.instance(i).review_state for i in (p0, p1, p2, p3)] == [
        ReviewState.PREDICTED, ReviewState.PREDICTED, ReviewState.ACCEPTED, ReviewState.ACCEPTED]
    doc.undo_stack.undo()
    assert store.instance(p3).review_state == ReviewState.PREDICTED


def test_captions_add_edit_delete_undo_redo(doc, project):
    store, ids = project
    a = ids["assets"][0]
    cid = doc.add_caption("a ball on grass")
    assert [c.text for c in store.captions(a, 0)] == ["a ball on grass"]
    doc.edit_caption(cid, "two balls on grass")
    assert store.caption(cid).text == "two balls on grass"
    assert [c.text for c in doc.captions()] == ["two balls on grass"]
    doc.delete_caption(cid)
    assert store.captions(a, 0) == []
    doc.undo_stack.undo()
    assert store.caption(cid).text == "two balls on grass"
    doc.undo_stack.undo()
    assert store.caption(cid).text == "a ball on grass"
    doc.undo_stack.undo()
    assert store.captions(a, 0) == [] and doc.captions() == []
    doc.undo_stack.redo()
    assert store.caption(cid).text == "a ball on grass"
    actions = [c.action for c in store.corrections("caption", cid)]
    assert actions == ["create", "update", "delete", "create", "update", "delete", "create"]


def test_model_caption_edit_becomes_corrected(doc, project):
    store, ids = project
    a = ids["assets"][0]
    cap = store.add_caption(Caption(a, "a dog", source=Source.MODEL, review_state=ReviewState.PREDICTED))
    doc.edit_caption(cap.id, "a cat")
    assert store.caption(cap.id).review_state == ReviewState.CORRECTED


def test_every_edit_survives_closing_and_reopening(project, qapp, tmp_path):
    store, ids = project
    a = ids["assets"][0]
    doc = ProjectDocument(store, author="tester")
    doc.open_asset(a)
    box = doc.add_instance(Instance(a, ids["ball"], bbox=(1, 2, 3, 4)))
    doc.update_instance(doc.instance(box).copy(bbox=(5, 6, 7, 8)))
    person = doc.add_instance(Instance(a, ids["person"], keypoints=person_keypoints(10, 10)))
    doc.delete_instances([person])
    cap = doc.add_caption("hello")
    doc.edit_caption(cap, "hello world")
    cat = doc.add_category(Category("kite"))
    doc.set_asset_state(a, AssetState.VERIFIED)
    doc.close()
    path = store.path
    store.close()

    reopened = ProjectStore.open(path)
    try:
        assert [(i.id, i.bbox) for i in reopened.instances(a)] == [(box, (5, 6, 7, 8))]
        assert [c.text for c in reopened.captions(a)] == ["hello world"]
        assert reopened.category(cat).name == "kite"
        assert reopened.asset(a).state == AssetState.VERIFIED
        assert log(reopened, person) == ["create", "delete"]
        assert [c.action for c in reopened.corrections("asset", a)] == ["update"]
    finally:
        reopened.close()


def test_an_edit_already_written_is_recorded_without_writing_again(doc, project):
    store, ids = project
    iid = doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(10, 10, 5, 5)))
    before = store.instance(iid)
    after = store.update_instance(before.copy(bbox=(20, 10, 5, 5)), "tester")  # written elsewhere
    writes = len(store.corrections("instance", iid))
    doc.update_instance(after, applied_from=before)
    assert len(store.corrections("instance", iid)) == writes  # the push wrote nothing
    doc.undo_stack.undo()
    assert store.instance(iid).bbox == (10, 10, 5, 5)


def test_refused_edits_name_the_field_and_change_nothing(doc, project):
    store, ids = project
    iid = doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(10, 10, 5, 5)))
    count = doc.undo_stack.count()
    with pytest.raises(ValueError, match="category_id 999"):
        doc.update_instance(doc.instance(iid).copy(category_id=999))
    with pytest.raises(ValueError, match="bbox"):
        doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(0, 0, -1, 5)))
    assert doc.undo_stack.count() == count and store.instance(iid).category_id == ids["ball"]


def test_undo_that_the_store_refuses_is_reported_and_dropped(doc, project, qtbot):
    store, ids = project
    iid = doc.add_instance(Instance(ids["assets"][0], ids["ball"], bbox=(10, 10, 5, 5)))
    store.delete_instance(iid, "someone else")
    count = doc.undo_stack.count()
    with qtbot.waitSignal(doc.errorOccurred) as signal:
        doc.undo_stack.undo()  # tries to delete what is gone
    assert str(iid) in signal.args[0]
    assert doc.undo_stack.count() == count - 1
