"""A bad COCO file is refused with its file, record and field named, and changes nothing."""
import copy
import json

import pytest

from coco_builders import build_dataset, captions_dict, dataset_dict, snapshot, write_json
from engine.cli.main import main
from engine.coco import CocoFormatError, import_coco, import_coco_job
from engine.coco import reader, writer
from engine.jobs import CancelToken, Cancelled
from engine.store import ProjectStore


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    build_dataset(root)
    return root


@pytest.fixture
def small_batches(monkeypatch):
    """Rows go to the database a few at a time while the file is read, so that late errors
    and cancels find rows already inserted in the open transaction."""
    monkeypatch.setattr(reader, "BATCH", 2)
    monkeypatch.setattr(reader, "PROGRESS_EVERY", 1)


@pytest.fixture
def project(media, tmp_path):
    """A project that already holds data (a first import), so "nothing lost" means something."""
    path = tmp_path / "project.kinetag"
    first = copy.deepcopy(dataset_dict())
    first["images"] = first["images"][:1]
    first["annotations"] = [a for a in first["annotations"] if a["image_id"] == 3]
    first["videos"] = []
    with ProjectStore.create(path) as store:
        import_coco(store, write_json(media / "first.json", first), author="first")
    return path


def _attempt(project, media, name: str, data, *, raw: str | None = None) -> str:
    """Import a bad file through the API and through the CLI; returns the error message."""
    bad = media / name
    if raw is not None:
        bad.write_text(raw, encoding="utf-8")
    else:
        write_json(bad, data)
    before = snapshot(project)
    with ProjectStore.open(project) as store:
        with pytest.raises(CocoFormatError) as error:
            import_coco(store, bad)
    assert snapshot(project) == before
    assert main(["import", str(project), str(bad)]) == 2
    assert snapshot(project) == before
    message = str(error.value)
    assert message.startswith(f"{bad}: ")
    return message


def _dataset(change) -> dict:
    data = dataset_dict()
    change(data)
    return data


def _ann(data, aid: int) -> dict:
    return next(a for a in data["annotations"] if a["id"] == aid)


def _set(aid: int, **fields):
    def change(data):
        _ann(data, aid).update(fields)
    return change


CASES = {
    # name: (change to the dataset, record, field, words of the problem)
    "missing_file_name": (lambda d: d["images"][1].pop("file_name"), "images[1] id=10", "file_name", "missing"),
    "missing_image_id": (lambda d: _ann(d, 1000).pop("image_id"), "annotations[1] id=1000", "image_id", "missing"),
    "missing_annotation_id": (lambda d: d["annotations"][0].pop("id"), "annotations[0]", "id", "missing"),
    "missing_image_file": (lambda d: d["images"][2].update(file_name="images/nope.png"), "images[2] id=11",
                           "file_name", "no such image file"),
    "box_outside": (_set(7, bbox=[60.0, 10.0, 6.5, 10.0]), "annotations[0] id=7", "bbox", "outside"),
    "negative_box": (_set(7, bbox=[1.0, 1.0, -3.0, 4.0]), "annotations[0] id=7", "bbox", ">= 0"),
    "two_point_polygon": (_set(7, segmentation=[[1, 1, 5, 5]]), "annotations[0] id=7", "segmentation",
                          "at least 3 points"),
    "odd_polygon": (_set(55, segmentation=[[1, 1, 5, 5, 9, 1, 4]]), "annotations[5] id=55", "segmentation",
                    "even number"),
    "text_in_polygon": (_set(7, segmentation=[[1, 1, 5, 5, 9, "1"]]), "annotations[0] id=7", "segmentation",
                        "numbers"),
    "unknown_category": (_set(1000, category_id=77), "annotations[1] id=1000", "category_id",
                         "unknown category id 77"),
    "unknown_image": (_set(1000, image_id=999), "annotations[1] id=1000", "image_id", "unknown image id 999"),
    "duplicate_image": (lambda d: d["images"][2].update(id=10), "images[2] id=10", "id", "duplicate image id"),
    "duplicate_annotation": (_set(1000, id=7), "annotations[1] id=7", "id", "duplicate annotation id 7"),
    "duplicate_category": (lambda d: d["categories"][2].update(id=5), "categories[2] id=5", "id", "duplicate"),
    "rle_size": (lambda d: _ann(d, 1000)["segmentation"].update(size=[64, 48]), "annotations[1] id=1000",
                 "segmentation", "[48, 64]"),
    "uncompressed_rle_sum": (lambda d: _ann(d, 42)["segmentation"]["counts"].append(5), "annotations[2] id=42",
                             "segmentation", "add up"),
    "keypoints_length": (lambda d: _ann(d, 8)["keypoints"].__delitem__(slice(-3, None)), "annotations[3] id=8",
                         "keypoints", "51 values are expected, got 48"),
    "keypoints_not_triplets": (lambda d: _ann(d, 8)["keypoints"].pop(), "annotations[3] id=8", "keypoints",
                               "threes"),
    "keypoints_on_plain_category": (_set(7, keypoints=[1, 1, 2]), "annotations[0] id=7", "keypoints",
                                    "no keypoints"),
    "visibility": (lambda d: _ann(d, 9)["keypoints"].__setitem__(5, 3), "annotations[4] id=9", "keypoints",
                   "visibility 3"),
    "iscrowd": (_set(7, iscrowd=2), "annotations[0] id=7", "iscrowd", "0 or 1"),
    "id_beyond_64_bits": (_set(1000, id=2 ** 64), "annotations[1] id=18446744073709551616", "id", "64 bits"),
    "track_not_integer": (_set(500, track_id="a"), "annotations[6] id=500", "track_id", "not an integer"),
    "frame_past_video": (lambda d: d["images"][6].update(frame_index=9), "images[6] id=103", "frame_index",
                         "past the video"),
    "unknown_video": (lambda d: d["images"][3].update(video_id=8), "images[3] id=100", "video_id",
                      "unknown video id 8"),
    "category_name_conflict": (lambda d: d["categories"][1].update(name="square"), "categories[1] id=5", "name",
                               "'shape'"),
}


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_dataset_is_refused_and_changes_nothing(project, media, case, streamed, monkeypatch):
    if streamed:
        monkeypatch.setattr(reader, "BATCH", 2)
        monkeypatch.setattr(reader, "PROGRESS_EVERY", 1)
    change, record, field, problem = CASES[case]
    message = _attempt(project, media, f"{case}.json", _dataset(change))
    assert f": {record}: {field}: " in message
    assert problem in message


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_box_within_one_pixel_is_accepted_and_taken_ids_move(project, media, streamed, monkeypatch):
    if streamed:
        monkeypatch.setattr(reader, "BATCH", 2)
        monkeypatch.setattr(reader, "PROGRESS_EVERY", 1)
    data = _dataset(_set(7, bbox=[-1.0, -0.5, 65.0, 48.5]))
    data["annotations"].append({"id": 5000, "image_id": 3, "caption": "a caption in the instances file"})
    with ProjectStore.open(project) as store:
        before = {i.id for i in store.instances()}
        report = import_coco(store, write_json(media / "edge.json", data))
        after = {i.id: i for i in store.instances()}
        captions = store.captions()
    assert report.renumbered_instances == 2  # annotations 7 and 1000 came in with the first import
    assert report.instances == len(data["annotations"]) - 1 and report.captions == 1
    new = set(after) - before
    file_ids = {a["id"] for a in data["annotations"]}
    assert len(new) == report.instances and new - file_ids == {5001, 5002}  # above every id in the file
    assert after[5001].bbox == (-1.0, -0.5, 65.0, 48.5) and after[5002].mask is not None
    assert [(c.id, c.text) for c in captions] == [(5000, "a caption in the instances file")]


def test_caption_must_be_text(project, media):
    data = captions_dict()
    data["annotations"][2]["caption"] = ["not", "text"]
    message = _attempt(project, media, "captions_bad.json", data)
    assert ": annotations[2] id=7: caption: " in message


@pytest.mark.parametrize("raw, words", [
    ('{"images": [{"id": 1,}]}', "line 1 column"),
    ('{"images": []\n  "annotations": []}', "line 2 column 3"),
    ('"just a string"', "not a COCO file"),
    ("", "not a COCO file"),
    ('{"info": {}}', "images: missing"),
    ('{"images": {}}', "images: must be a list"),
    ('{"images": [], "annotations": []} trailing', "extra data"),
])
def test_not_json_or_not_coco(project, media, raw, words):
    message = _attempt(project, media, "broken.json", None, raw=raw)
    assert words in message


def test_results_must_refer_to_project_images(project, media):
    message = _attempt(project, media, "results_bad.json",
                       [{"image_id": 3, "category_id": 5, "bbox": [1, 1, 4, 4], "score": 0.5},
                        {"image_id": 11, "category_id": 5, "bbox": [1, 1, 4, 4], "score": 0.5}])
    assert ": results[1]: image_id: unknown image id 11" in message


def test_categories_after_annotations_are_checked_at_the_end(project, media, small_batches):
    data = dataset_dict()
    _ann(data, 600)["category_id"] = 12  # categories come last in this file
    message = _attempt(project, media, "late.json", data)
    assert ": annotations[" in message and "id=600: category_id: unknown category id 12" in message


def test_cancel_during_the_write_rolls_everything_back(project, media, small_batches, monkeypatch):
    submitted = []
    real_submit = writer.ImportWriter._submit

    def counting_submit(self, table, columns, batch, entity):
        submitted.append(len(batch))
        return real_submit(self, table, columns, batch, entity)

    monkeypatch.setattr(writer.ImportWriter, "_submit", counting_submit)
    before = snapshot(project)
    token = CancelToken()
    with ProjectStore.open(project) as store:
        job = import_coco_job(token, store, media / "dataset.json")
        with pytest.raises(Cancelled):
            for _ in job:
                if sum(submitted) >= 6:
                    token.cancel()
    assert sum(submitted) >= 6  # rows were inserted in the open transaction before the cancel
    assert snapshot(project) == before


def test_a_failed_import_leaves_no_events(project, media):
    events = []
    with ProjectStore.open(project) as store:
        store.subscribe(events.append)
        with pytest.raises(CocoFormatError):
            import_coco(store, write_json(media / "late2.json", _dataset(_set(600, category_id=12))))
    assert events == []
    assert json.loads((media / "late2.json").read_text())["annotations"]
