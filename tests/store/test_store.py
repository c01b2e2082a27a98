"""The project store on real SQLite files: persistence, the corrections log, transactions, migrations."""
import json
import sqlite3
import threading

import pytest

from engine.model import (
    Asset, AssetState, Caption, Category, Instance, ModelVersion, ReviewState, Source,
)
from engine.store import NotAProjectError, ProjectStore, RecordNotFound, SchemaTooNewError, StoreError


@pytest.fixture
def project(tmp_path):
    store = ProjectStore.create(tmp_path / "p.kinetag")
    person = store.add_category(Category("person", keypoints=["a", "b", "c"], skeleton=[(0, 1), (1, 2)],
                                         flip_pairs=[(0, 2)]))
    asset = store.add_asset(Asset("images/a.png", 64, 48))
    yield store, person, asset
    store.close()


def test_new_project_categories_start_at_one_and_persist(tmp_path, project):
    store, person, asset = project
    assert person.id == 1
    assert store.add_category(Category("dog")).id == 2
    store.close()
    reopened = ProjectStore.open(tmp_path / "p.kinetag")
    cats = reopened.categories()
    assert [c.name for c in cats] == ["person", "dog"]
    assert cats[0].skeleton == [(0, 1), (1, 2)] and cats[0].flip_pairs == [(0, 2)]
    assert cats[0].color and cats[0].color != cats[1].color
    reopened.close()


def test_add_categories_in_one_go_picks_ids_and_colours_like_add_category(tmp_path, project):
    store, person, asset = project
    events = []
    store.subscribe(events.append)
    added = store.add_categories([Category("dog"), Category("cat", id=10, color="#123456"), Category("cow")],
                                 author="model:x")
    assert [(c.name, c.id) for c in added] == [("dog", 2), ("cat", 10), ("cow", 11)]
    assert added[1].color == "#123456"
    assert added[0].color and added[0].color not in (person.color, added[2].color)
    assert [e.ids for e in events if e.entity == "category"] == [(2, 10, 11)]
    log = store.corrections(entity="category")
    assert [(r.entity_id, r.action, r.author) for r in log[-3:]] == [(2, "create", "model:x"), (10, "create", "model:x"),
                                                                    (11, "create", "model:x")]
    assert log[-1].after["name"] == "cow"
    store.close()
    reopened = ProjectStore.open(tmp_path / "p.kinetag")
    assert [c.name for c in reopened.categories()] == ["person", "dog", "cat", "cow"]
    reopened.close()


def test_edits_commit_at_once_and_log_before_and_after(tmp_path, project):
    store, person, asset = project
    inst = store.add_instance(Instance(asset.id, person.id, bbox=(1, 2, 3, 4), keypoints=[1, 1, 2, 2, 2, 1, 0, 0, 0]),
                              author="ann")
    moved = store.update_instance(inst.copy(bbox=(5, 6, 3, 4)), author="ann")
    # a second connection (another process) sees the committed edit without any save
    rows = sqlite3.connect(tmp_path / "p.kinetag").execute("select bbox from instances").fetchall()
    assert [json.loads(r[0]) for r in rows] == [[5.0, 6.0, 3.0, 4.0]]
    log = store.corrections(entity="instance", entity_id=inst.id)
    assert [c.action for c in log] == ["create", "update"]
    assert log[1].before["bbox"] == [1, 2, 3, 4] and log[1].after["bbox"] == [5.0, 6.0, 3.0, 4.0]
    assert log[1].author == "ann"
    assert moved.created_at == inst.created_at and moved.updated_at >= inst.updated_at
    store.delete_instance(inst.id, author="ann")
    assert store.corrections(entity="instance", entity_id=inst.id)[-1].before["bbox"] == [5.0, 6.0, 3.0, 4.0]
    with pytest.raises(RecordNotFound):
        store.instance(inst.id)


def test_undo_recreates_with_same_id(project):
    store, person, asset = project
    inst = store.add_instance(Instance(asset.id, person.id, bbox=(0, 0, 1, 1)))
    store.delete_instance(inst.id)
    again = store.add_instance(inst)
    assert again.id == inst.id and store.instance(inst.id).bbox == (0.0, 0.0, 1.0, 1.0)


def test_human_edit_moves_asset_into_review(project):
    store, person, asset = project
    assert store.asset(asset.id).state == AssetState.UNLABELED
    store.add_instance(Instance(asset.id, person.id, bbox=(0, 0, 1, 1)))
    assert store.asset(asset.id).state == AssetState.IN_REVIEW
    store.set_asset_state(asset.id, AssetState.VERIFIED, author="lead")
    assert store.next_asset(None) is None
    assert store.corrections(entity="asset")[-1].after == {"state": "verified"}


def test_transaction_is_all_or_nothing(project):
    store, person, asset = project
    before = store.instance_count()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_instances([Instance(asset.id, person.id, bbox=(0, 0, 1, 1)) for _ in range(5)])
            store.add_caption(Caption(asset.id, "half written"))
            raise RuntimeError("boom")
    assert store.instance_count() == before
    assert store.captions() == []
    assert store.corrections(entity="caption") == []


def test_events_arrive_after_commit_only(project):
    store, person, asset = project
    seen = []
    store.subscribe(seen.append)
    with store.transaction():
        store.add_instance(Instance(asset.id, person.id, bbox=(0, 0, 1, 1)))
        assert seen == []
    assert [(e.entity, e.action) for e in seen][0] == ("instance", "added")
    seen.clear()
    with pytest.raises(ValueError):
        with store.transaction():
            store.add_instance(Instance(asset.id, person.id, bbox=(0, 0, 1, 1)))
            raise ValueError
    assert seen == []


def test_bulk_ids_kept_and_assigned(project):
    store, person, asset = project
    made = store.add_instances([Instance(asset.id, person.id, id=42), Instance(asset.id, person.id),
                                Instance(asset.id, person.id, id=7)], origin="test")
    assert [i.id for i in made] == [42, 43, 7]
    assert sorted(i.id for i in store.instances(asset.id)) == [7, 42, 43]
    bulk = store.corrections(entity="instance")[-1]
    assert bulk.action == "bulk_create" and bulk.after == {"ids": [42, 43, 7], "origin": "test"}


def test_replace_predictions_keeps_human_work(project):
    store, person, asset = project
    version = store.add_model_version(ModelVersion("m", "maskrcnn_resnet50_fpn", categories=[person.id]))
    pred = dict(source=Source.MODEL, model_version_id=version.id, review_state=ReviewState.PREDICTED)
    first = store.replace_predictions(version.id, asset.id, 0, [
        Instance(asset.id, person.id, bbox=(0, 0, 1, 1), score=0.9, **pred),
        Instance(asset.id, person.id, bbox=(2, 2, 1, 1), score=0.8, **pred),
    ])
    accepted = store.update_instance(first[0].copy(review_state=ReviewState.ACCEPTED))
    manual = store.add_instance(Instance(asset.id, person.id, bbox=(9, 9, 1, 1)))
    store.replace_predictions(version.id, asset.id, 0, [Instance(asset.id, person.id, bbox=(4, 4, 1, 1), **pred)])
    kept = {i.id: i for i in store.instances(asset.id, 0)}
    assert accepted.id in kept and manual.id in kept and first[1].id not in kept
    assert sorted(i.bbox for i in kept.values()) == [(0, 0, 1, 1), (4, 4, 1, 1), (9, 9, 1, 1)]


def test_concurrent_writer_thread_and_reader(project):
    store, person, asset = project
    errors = []

    def writer():
        try:
            for n in range(20):
                store.add_instances([Instance(asset.id, person.id, bbox=(n, 0, 1, 1)) for _ in range(10)])
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    for n in range(20):
        store.add_caption(Caption(asset.id, f"caption {n}"))
        store.instances(asset.id, 0)
    thread.join()
    assert errors == []
    assert store.instance_count() == 200 and len(store.captions(asset.id)) == 20


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.kinetag"
    ProjectStore.create(path).close()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = 'zz_from_the_future'")
    con.commit()
    con.close()
    content = path.read_bytes()
    with pytest.raises(SchemaTooNewError) as err:
        ProjectStore.open(path)
    assert str(path) in str(err.value) and "newer" in str(err.value)
    assert path.read_bytes() == content


def test_not_a_project(tmp_path):
    junk = tmp_path / "junk.kinetag"
    junk.write_text("hello")
    with pytest.raises(NotAProjectError):
        ProjectStore.open(junk)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("create table t (x)")
    con.commit()
    con.close()
    with pytest.raises(NotAProjectError):
        ProjectStore.open(other)
    with pytest.raises(StoreError):
        ProjectStore.open(tmp_path / "missing.kinetag")
    with pytest.raises(StoreError):
        ProjectStore.create(junk)


def test_wal_and_foreign_keys_on(project, tmp_path):
    store, person, asset = project
    with store._read() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(Exception):
        store.add_instance(Instance(asset.id, 999, bbox=(0, 0, 1, 1)))  # unknown category
    assert store.instance_count() == 0


def test_frame_query_uses_index(project):
    store, person, asset = project
    with store._read() as c:
        plan = " ".join(str(r) for r in c.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM instances WHERE asset_id = 1 AND frame_index = 3"))
        assert "ix_instances_asset_frame" in plan
        plan = " ".join(str(r) for r in c.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM assets WHERE state != 'verified' AND id > 5 ORDER BY id LIMIT 1"))
        assert "SCAN assets" not in plan or "PRIMARY KEY" in plan or "INTEGER PRIMARY KEY" in plan


def test_counts(project):
    store, person, asset = project
    store.add_instance(Instance(asset.id, person.id, bbox=(0, 0, 1, 1)))
    store.add_caption(Caption(asset.id, "a person"))
    counts = store.counts()
    assert counts["instances"] == 1 and counts["captions"] == 1
    assert counts["instances_by_category"] == {"person": 1}
    assert counts["assets_by_state"] == {"in_review": 1}


def test_next_unreviewed_asset_skips_verified_and_wraps(project):
    store, person, asset = project
    more = store.add_assets([Asset(f"images/{n}.png", 8, 8) for n in range(4)])
    for a in (asset, more[1], more[2]):
        store.set_asset_state(a.id, AssetState.VERIFIED)
    store.set_asset_state(more[3].id, AssetState.IN_REVIEW)
    assert store.next_asset(asset.id).id == more[0].id
    assert store.next_asset(more[0].id).id == more[3].id
    assert store.next_asset(more[3].id).id == more[0].id  # wraps round
    assert store.next_asset(more[3].id, unreviewed=False).id is not None


def test_frame_query_fast_path_gives_what_the_general_query_gives(tmp_path, project):
    store, person, asset = project
    rle = {"size": [48, 64], "counts": "0k11000"}
    store.add_instances([
        Instance(asset.id, person.id, bbox=(1.5, 2, 3, 4), mask=rle, keypoints=[1, 1, 2, 2, 2, 1, 0, 0, 0],
                 keypoint_scores=[0.5, 0.25, 0.0], score=0.75, source=Source.MODEL,
                 review_state=ReviewState.PREDICTED, attributes={"note": "é"}, track_id=3, area=12.0),
        Instance(asset.id, person.id, frame_index=0, polygons=[[0, 0, 5, 0, 5, 5]], iscrowd=True, author="ann"),
        Instance(asset.id, person.id, frame_index=1, bbox=(9, 9, 1, 1)),
    ], author="t")
    fast = store.instances(asset.id, 0)
    general = store.instances(asset.id, 0, category_ids=[person.id])  # any other filter takes SQLAlchemy's path
    assert len(fast) == 2 and fast == general
    assert fast[0].created_at.tzinfo is not None and fast[0].source == Source.MODEL
    assert fast[1].iscrowd is True and fast[1].mask is None and fast[1].bbox is None
    assert [i.frame_index for i in store.instances(asset.id, 1)] == [1]
