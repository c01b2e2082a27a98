"""Import then export gives back the same COCO data, checked with pycocotools itself."""
import contextlib
import io
import json
from types import SimpleNamespace

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from coco_builders import H, W, build_dataset, captions_dict, dataset_dict, results_list, to_rle
from engine.coco import export_coco, import_coco
from engine.model import AssetKind, AssetState, ReviewState, Source
from engine.sample import PERSON_FLIP_PAIRS
from engine.store import ProjectStore

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def quiet_coco(path) -> COCO:
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    paths = build_dataset(root)
    store = ProjectStore.create(root / "project.kinetag")  # beside the media: asset paths == file_names
    reports = SimpleNamespace(dataset=import_coco(store, paths["dataset"]),
                              captions=import_coco(store, paths["captions"]),
                              results=import_coco(store, paths["results"]))
    yield SimpleNamespace(root=root, paths=paths, store=store, reports=reports)
    store.close()


def test_import_stores_what_the_file_has(project):
    store, reports = project.store, project.reports
    assert (reports.dataset.images_added, reports.dataset.videos_added, reports.dataset.frames_added) == (3, 1, 4)
    assert reports.dataset.instances == len(dataset_dict()["annotations"])
    assert (reports.captions.images_reused, reports.captions.images_added, reports.captions.captions) == (3, 0, 4)

    cats = {c.id: c for c in store.categories()}
    assert sorted(cats) == [1, 5, 90]
    assert cats[1].skeleton[0] == (15, 13) and len(cats[1].keypoints) == 17  # 1-based [16, 14] stored 0-based
    assert sorted(cats[1].flip_pairs) == sorted(PERSON_FLIP_PAIRS)

    assets = {a.path: a for a in store.assets()}
    assert {a.coco_id for a in assets.values() if a.kind == AssetKind.IMAGE} == {3, 10, 11}
    video = assets["video/clip.mp4"]
    assert (video.kind, video.coco_id, video.fps, video.num_frames, video.width) == (AssetKind.VIDEO, 7, 10.0, 4, W)
    assert [(f.frame_index, f.coco_id) for f in store.frames(video.id)] == [(i, 100 + i) for i in range(4)]
    assert all(a.state == AssetState.VERIFIED for a in assets.values())
    assert sorted(t.id for t in store.tracks(video.id)) == [3, 4]

    truth = {i.id: i for i in store.instances(review_states=[ReviewState.MANUAL])}
    assert sorted(truth) == sorted(a["id"] for a in dataset_dict()["annotations"])
    assert truth[7].polygons == [[10.0, 10.0, 30.5, 12.0, 20.0, 30.25]] and truth[7].mask is None
    assert isinstance(truth[42].mask["counts"], str) and truth[42].iscrowd and truth[42].polygons is None
    assert truth[1000].mask == dataset_dict()["annotations"][1]["segmentation"]
    assert (truth[601].asset_id, truth[601].frame_index, truth[601].track_id) == (video.id, 1, 4)
    assert {(i.source, i.author) for i in truth.values()} == {(Source.HUMAN, "import:dataset.json")}

    assert sorted(c.id for c in store.captions()) == [1, 2, 7, 9]
    version = store.model_version(reports.results.model_version_id)
    assert version.name == "results.json"
    predicted = store.instances(model_version_id=version.id)
    assert len(predicted) == len(results_list())
    assert {(i.source, i.review_state) for i in predicted} == {(Source.MODEL, ReviewState.PREDICTED)}
    on_frame = [i for i in predicted if i.asset_id == video.id]
    assert [(i.frame_index, i.score) for i in on_frame] == [(2, 0.5)]
    keypoint_result = next(i for i in predicted if i.keypoints)
    assert keypoint_result.bbox is not None and keypoint_result.area == pytest.approx(
        keypoint_result.bbox[2] * keypoint_result.bbox[3])


@pytest.fixture(scope="module")
def exported(project):
    out = project.root / "export.json"
    captions = project.root / "export_captions.json"
    report = export_coco(project.store, out, only_verified=True, captions_out=captions)
    return SimpleNamespace(path=out, captions=captions, report=report, data=json.loads(out.read_text()))


def test_export_loads_in_pycocotools_and_equals_the_original(exported):
    original = dataset_dict()
    coco = quiet_coco(exported.path)
    assert sorted(coco.getImgIds()) == sorted(i["id"] for i in original["images"])
    assert exported.data["images"] == sorted(original["images"], key=lambda i: (i.get("video_id", 0), i["id"]))
    assert exported.data["videos"] == original["videos"]
    assert exported.data["categories"] == original["categories"]

    assert sorted(coco.getAnnIds()) == sorted(a["id"] for a in original["annotations"])  # predictions left out
    for ann in original["annotations"]:
        out = coco.anns[ann["id"]]
        for key in ("image_id", "category_id", "bbox", "iscrowd", "track_id", "keypoints", "num_keypoints",
                    "attributes"):
            assert out.get(key) == ann.get(key), (ann["id"], key)
        assert out["area"] == pytest.approx(ann["area"])
        same_kind = isinstance(out["segmentation"], list) == isinstance(ann["segmentation"], list)
        assert same_kind, ann["id"]
        if isinstance(ann["segmentation"], list):
            assert out["segmentation"] == ann["segmentation"]
        else:
            assert isinstance(out["segmentation"]["counts"], str)
        iou = mask_utils.iou([to_rle(out["segmentation"])], [to_rle(ann["segmentation"])], [0])
        assert iou[0][0] == 1.0, ann["id"]


def test_separate_captions_file_keeps_ids_and_text(exported):
    data = json.loads(exported.captions.read_text())
    assert exported.report.captions == 4
    assert sorted((c["id"], c["image_id"], c["caption"]) for c in data["annotations"]) == sorted(
        (c["id"], c["image_id"], c["caption"]) for c in captions_dict()["annotations"])
    assert data["images"] == exported.data["images"]
    assert quiet_coco(exported.captions).imgToAnns[10][0]["caption"].endswith("\u00e9")


@pytest.mark.parametrize("iou_type", ["bbox", "segm", "keypoints"])
def test_cocoeval_of_export_against_original_is_perfect(project, exported, iou_type):
    truth = quiet_coco(project.paths["dataset"])
    mine = quiet_coco(exported.path)
    anns = list(mine.anns.values())
    if iou_type == "keypoints":
        anns = [a for a in anns if a["category_id"] == 1]
    results = []
    for a in anns:
        r = {"image_id": a["image_id"], "category_id": a["category_id"], "score": 1.0}
        if iou_type == "bbox":
            r["bbox"] = a["bbox"]
        elif iou_type == "segm":
            rle = mine.annToRLE(a)
            counts = rle["counts"]
            r["segmentation"] = {"size": rle["size"],
                                 "counts": counts.decode("ascii") if isinstance(counts, bytes) else counts}
        else:
            r["keypoints"] = a["keypoints"]
        results.append(r)
    with contextlib.redirect_stdout(io.StringIO()):
        evaluation = COCOeval(truth, truth.loadRes(results), iou_type)
        if iou_type == "keypoints":
            evaluation.params.catIds = [1]  # the keypoint category, as in COCO's own keypoint evaluation
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)  # AP @ IoU/OKS .50:.95
    assert evaluation.stats[1] == pytest.approx(1.0)  # AP @ .50


def test_captions_in_the_same_file_move_off_instance_ids(project):
    out = project.root / "with_captions.json"
    report = export_coco(project.store, out, only_verified=True)
    anns = json.loads(out.read_text())["annotations"]
    captions = {a["id"]: a for a in anns if "caption" in a}
    instance_ids = {a["id"] for a in anns if "caption" not in a}
    assert len(instance_ids) + len(captions) == len(anns)  # ids unique over both
    # captions 7 and 9 share their ids with annotations 7 and 9 (person_b); 1 and 2 are free
    assert report.renumbered_captions == 2 and {7, 9} <= instance_ids and {1, 2} <= set(captions)
    moved = sorted((c["image_id"], c["caption"]) for cid, c in captions.items() if cid > max(instance_ids))
    assert moved == sorted((c["image_id"], c["caption"]) for c in captions_dict()["annotations"] if c["id"] in (7, 9))


def test_predictions_carry_score_and_rejected_never_leave(project, tmp_path):
    store = project.store
    version = project.reports.results.model_version_id
    predicted = store.instances(model_version_id=version)
    out = tmp_path / "all.json"
    export_coco(store, out, include_captions=False)
    anns = {a["id"]: a for a in json.loads(out.read_text())["annotations"]}
    assert {anns[p.id]["score"] for p in predicted} == {r["score"] for r in results_list()}
    assert all("score" not in a for a in anns.values() if a["id"] in {x["id"] for x in dataset_dict()["annotations"]})

    rejected = store.update_instance(predicted[0].copy(review_state=ReviewState.REJECTED), author="test")
    try:
        export_coco(store, out, include_captions=False)
        ids = {a["id"] for a in json.loads(out.read_text())["annotations"]}
        assert rejected.id not in ids and predicted[1].id in ids
    finally:
        store.update_instance(rejected.copy(review_state=ReviewState.PREDICTED), author="test")


def test_export_of_the_export_is_the_same(project, exported, tmp_path):
    with ProjectStore.create(project.root / "again.kinetag") as store:
        import_coco(store, exported.path)
        again = tmp_path / "again.json"
        export_coco(store, again)
    first, second = exported.data, json.loads(again.read_text())
    for key in ("images", "videos", "categories", "annotations", "tracks"):
        assert second[key] == first[key], key


def test_sample_round_trip_is_exact(tmp_path):
    from engine.sample import generate_sample
    sample = generate_sample(tmp_path, n_images=3, seed=4, video=True, video_frames=5)
    with ProjectStore.create(tmp_path / "sample.kinetag") as store:
        import_coco(store, sample.ground_truth)
        import_coco(store, sample.captions)
        out, captions = tmp_path / "out.json", tmp_path / "out_captions.json"
        export_coco(store, out, captions_out=captions)
    original, mine = sample.coco, json.loads(out.read_text())
    for key in ("images", "videos", "categories", "tracks"):
        assert mine[key] == original[key], key
    assert len(mine["annotations"]) == len(original["annotations"]) > 0
    assert mine["annotations"] == original["annotations"]
    assert json.loads(captions.read_text())["annotations"] == json.loads(sample.captions.read_text())["annotations"]


def test_mask_area_is_recomputed_from_the_mask(project, tmp_path):
    """A stored area that went stale (e.g. after an edit) does not leak into the export."""
    store = project.store
    inst = store.instance(1000)
    store.update_instance(inst.copy(area=1.0), author="test")
    try:
        out = tmp_path / "area.json"
        export_coco(store, out, include_captions=False)
        ann = next(a for a in json.loads(out.read_text())["annotations"] if a["id"] == 1000)
        expected = float(mask_utils.area(to_rle(inst.mask)))
        assert ann["area"] == expected and expected > 100
    finally:
        store.update_instance(inst, author="test")
    assert np.isclose(store.instance(1000).area, expected)
    assert H * W > expected


def test_reimporting_results_replaces_only_unreviewed_predictions(project, tmp_path):
    with ProjectStore.create(project.root / "rerun.kinetag") as store:
        import_coco(store, project.paths["dataset"])
        first = import_coco(store, project.paths["results"])
        predicted = store.instances(model_version_id=first.model_version_id)
        kept = store.update_instance(predicted[0].copy(review_state=ReviewState.ACCEPTED), author="reviewer")
        second = import_coco(store, project.paths["results"])
        after = store.instances(model_version_id=second.model_version_id)
        assert second.model_version_id == first.model_version_id
        assert len(store.model_versions()) == 1
        assert len(after) == len(results_list()) + 1  # the accepted one stays, the rest were replaced
        assert kept.id in {i.id for i in after}
        assert sum(i.review_state == ReviewState.PREDICTED for i in after) == len(results_list())


def test_streamed_import_writes_the_same_rows(project, exported, tmp_path, monkeypatch):
    """Batches inserted while the file is still being read (a big file's path) end up the same."""
    from engine.coco import reader
    monkeypatch.setattr(reader, "BATCH", 2)
    monkeypatch.setattr(reader, "PROGRESS_EVERY", 1)
    with ProjectStore.create(project.root / "streamed.kinetag") as store:
        import_coco(store, project.paths["dataset"])
        import_coco(store, project.paths["captions"])
        out, captions = tmp_path / "streamed.json", tmp_path / "streamed_captions.json"
        export_coco(store, out, captions_out=captions)
    mine = json.loads(out.read_text())
    for key in ("images", "videos", "categories", "annotations", "tracks"):
        assert mine[key] == exported.data[key], key
    assert json.loads(captions.read_text())["annotations"] == json.loads(exported.captions.read_text())["annotations"]


@pytest.mark.parametrize("layout", [{"indent": 2}, {"separators": (",", ":")}, {"indent": "\t"}])
def test_any_json_layout_gives_the_same_export(project, exported, tmp_path, layout):
    """Lists are copied from the file's own text where possible: the layout must not matter."""
    name = f"layout_{tmp_path.name}"
    path = project.root / f"{name}.json"
    path.write_text(json.dumps(dataset_dict(), **layout), encoding="utf-8")
    with ProjectStore.create(project.root / f"{name}.kinetag") as store:
        import_coco(store, path)
        stored = store.instance(7)
        out = tmp_path / "layout.json"
        export_coco(store, out)
    assert stored.polygons == [[10.0, 10.0, 30.5, 12.0, 20.0, 30.25]] and stored.bbox == tuple(
        dataset_dict()["annotations"][0]["bbox"])
    mine = json.loads(out.read_text())
    for key in ("images", "videos", "categories", "annotations"):
        assert mine[key] == exported.data[key], key


def test_key_order_does_not_matter(project, exported):
    """Annotations before images and videos (held until the end) import the same."""
    data = dataset_dict()
    reordered = {key: data[key] for key in ("categories", "annotations", "images", "info", "videos")}
    path = project.root / "reordered.json"
    path.write_text(json.dumps(reordered), encoding="utf-8")
    with ProjectStore.create(project.root / "reordered.kinetag") as store:
        report = import_coco(store, path)
        out = project.root / "reordered_export.json"
        export_coco(store, out)
    assert report.instances == len(data["annotations"])
    mine = json.loads(out.read_text())
    for key in ("images", "videos", "categories", "annotations", "tracks"):
        assert mine[key] == exported.data[key], key


def test_export_of_annotations_drawn_in_the_app(tmp_path):
    """Instances made through the store (as the GUI makes them) export with derived boxes and areas."""
    from coco_builders import compressed, ellipse
    from engine.model import Asset, Category, Instance
    with ProjectStore.create(tmp_path / "drawn.kinetag") as store:
        person = store.add_category(Category("person", keypoints=[f"k{j}" for j in range(3)], skeleton=[(0, 1)]))
        blob = store.add_category(Category("blob"))
        asset = store.add_asset(Asset("x.png", W, H))
        mask = compressed(ellipse(30, 20, 8, 5))
        masked = store.add_instance(Instance(asset.id, blob.id, mask=mask), author="me")
        pointed = store.add_instance(Instance(asset.id, person.id, keypoints=[10, 12, 2, 20, 30, 1, 0, 0, 0]),
                                     author="me")
        boxed = store.add_instance(Instance(asset.id, person.id, bbox=(1.0, 2.0, 3.0, 4.0)), author="me")
        out = tmp_path / "drawn.json"
        report = export_coco(store, out)
    anns = {a["id"]: a for a in json.loads(out.read_text())["annotations"]}
    rle = to_rle(mask)
    assert report.images == 1 and report.instances == 3
    assert anns[masked.id]["bbox"] == [float(v) for v in mask_utils.toBbox(rle)]
    assert anns[masked.id]["area"] == float(mask_utils.area(rle)) and anns[masked.id]["segmentation"] == mask
    assert anns[pointed.id]["bbox"] == [10.0, 12.0, 10.0, 18.0] and anns[pointed.id]["num_keypoints"] == 2
    assert anns[boxed.id]["area"] == 12.0 and anns[boxed.id]["keypoints"] == [0] * 9
    assert "segmentation" not in anns[boxed.id] and anns[boxed.id]["num_keypoints"] == 0


def test_author_is_stored_as_given(project):
    author = "O'Neil \"the\" tester'); DROP TABLE instances; --"
    with ProjectStore.create(project.root / "author.kinetag") as store:
        import_coco(store, project.paths["dataset"], author=author)
        import_coco(store, project.paths["captions"], author=author)
        assert {i.author for i in store.instances()} == {author}
        assert {c.author for c in store.captions()} == {author}
        assert store.corrections()[-1].after["origin"] == "import:captions.json"


def test_indexes_are_back_after_an_import(project):
    import sqlite3
    from engine.store import schema
    with sqlite3.connect(project.store.path) as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        plan = " ".join(str(r) for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM instances WHERE asset_id = 1 AND frame_index = 0"))
    assert {i.name for i in schema.instances.indexes} <= names
    assert "ix_instances_asset_frame" in plan


def test_a_captions_file_of_no_captions_is_written_only_when_asked_for(tmp_path):
    from engine.model import Asset, Category, Instance
    with ProjectStore.create(tmp_path / "plain.kinetag") as store:
        cat = store.add_category(Category("cat"))
        asset = store.add_asset(Asset("a.png", 20, 10))
        store.add_instance(Instance(asset.id, cat.id, bbox=(1.0, 1.0, 5.0, 5.0)))
        maybe = tmp_path / "maybe_captions.json"
        maybe.write_text('{"annotations": [{"id": 1, "image_id": 99, "caption": "from an earlier export"}]}')
        report = export_coco(store, tmp_path / "maybe.json", captions_out=maybe, captions_if_any=True)
        assert not maybe.exists(), "a stale captions file beside the new export is removed"
        assert report.captions_path is None and "captions in" not in report.summary()
        unwanted = tmp_path / "none_captions.json"
        report = export_coco(store, tmp_path / "none.json", captions_out=unwanted, include_captions=False)
        assert not unwanted.exists() and "captions in" not in report.summary()
        asked = tmp_path / "asked_captions.json"
        report = export_coco(store, tmp_path / "asked.json", captions_out=asked)
        assert json.loads(asked.read_text())["annotations"] == [] and report.captions_path == asked
