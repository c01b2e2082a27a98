"""The project commands of ``kinetag``: new, import, export, info, sample."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO

from engine.cli.main import main
from engine.media import write_video
from engine.model import AssetKind, AssetState, ReviewState, Source
from engine.project_setup import add_images
from engine.sample import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON
from engine.store import ProjectStore

KINETAG = Path(sys.executable).with_name("kinetag")


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in argv])
    return code, out.getvalue()


def test_new_adds_image_folders_and_videos(tmp_path, capsys):
    media = tmp_path / "media"
    sizes = {"a.png": (40, 30), "sub/b.jpg": (20, 10), "sub/deeper/c.WEBP": (7, 9), "d.tif": (12, 11)}
    for name, (w, h) in sizes.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((h, w, 3), 90, np.uint8)).save(media / name)
    (media / "notes.txt").write_text("not an image")
    (media / "broken.jpg").write_bytes(b"\xff\xd8 definitely not a jpeg")
    video = tmp_path / "clip.mp4"
    write_video(video, (np.full((24, 32, 3), i * 20, np.uint8) for i in range(6)), fps=8)

    project = tmp_path / "p.kinetag"
    code, out = run("new", project, "--images", media, "--video", video, "--name", "Test")
    assert code == 0
    assert "broken.jpg" in out and "4 added" in out
    with ProjectStore.open(project) as store:
        assert store.name == "Test"
        assets = {a.path: a for a in store.assets()}
    assert {p: (a.width, a.height) for p, a in assets.items() if a.kind == AssetKind.IMAGE} == {
        f"media/{name}": size for name, size in sizes.items()}
    clip = assets["clip.mp4"]
    assert (clip.kind, clip.fps, clip.num_frames, clip.width, clip.height) == (AssetKind.VIDEO, 8.0, 6, 32, 24)
    assert all(a.state == AssetState.UNLABELED for a in assets.values())
    with ProjectStore.open(project) as store:
        again = add_images(store, media)  # the same folder twice: nothing new, the broken file reported
        assert (again.added, again.already_there, len(again.errors)) == (0, 4, 1)
        assert store.asset_count() == 5

    assert run("new", project)[0] == 2  # never overwrites a project
    assert "already exists" in capsys.readouterr().err
    assert run("new", tmp_path / "q.kinetag", "--images", tmp_path / "nowhere")[0] == 2
    assert not (tmp_path / "q.kinetag").exists()


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    project = folder / "demo.kinetag"
    code, out = run("sample", project, "--images", 3, "--video", "--seed", 2)
    assert code == 0, out
    return project


def copy_of(project: Path, name: str) -> Path:
    """A copy beside the original, so the relative media paths still resolve."""
    target = project.with_name(name)
    shutil.copy(project, target)
    return target


def test_sample_without_annotations_is_ready_to_label(sample_project):
    media = sample_project.with_name("demo_media")
    assert (media / "ground_truth.json").is_file() and (media / "captions.json").is_file()
    with ProjectStore.open(sample_project) as store:
        person = store.category(1)
        assets = store.assets()
        video = next(a for a in assets if a.kind == AssetKind.VIDEO)
        frames = store.frames(video.id)
        assert store.instance_count() == 0
        assert len(store.captions()) == 3
    assert (person.name, person.keypoints, person.skeleton) == ("person", PERSON_KEYPOINTS, PERSON_SKELETON)
    assert person.flip_pairs == PERSON_FLIP_PAIRS
    assert sorted(a.path for a in assets if a.kind == AssetKind.IMAGE) == [
        f"demo_media/images/sample_{i:04d}.png" for i in range(3)]
    assert all(a.state == AssetState.UNLABELED for a in assets)
    assert len(frames) == video.num_frames and frames[0].coco_id == 4  # image ids kept for later results files


def test_sample_with_annotations_is_verified(tmp_path):
    project = tmp_path / "full.kinetag"
    assert run("sample", project, "--images", 2, "--with-annotations")[0] == 0
    truth = json.loads(project.with_name("full_media").joinpath("ground_truth.json").read_text())
    with ProjectStore.open(project) as store:
        instances = store.instances()
        states = {a.state for a in store.assets()}
    assert sorted(i.id for i in instances) == sorted(a["id"] for a in truth["annotations"])
    assert {(i.source, i.review_state) for i in instances} == {(Source.HUMAN, ReviewState.MANUAL)}
    assert states == {AssetState.VERIFIED}
    assert run("sample", project)[0] == 2  # exists already


def test_import_export_info(sample_project, tmp_path):
    project = copy_of(sample_project, "cycle.kinetag")
    media = sample_project.with_name("demo_media")
    truth = json.loads((media / "ground_truth.json").read_text())

    code, out = run("import", project, media / "ground_truth.json")
    assert code == 0 and f"{len(truth['annotations'])} instances" in out

    predictions = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 0.6}
                   for a in truth["annotations"][:5]]
    results = tmp_path / "detections.json"
    results.write_text(json.dumps(predictions))
    code, out = run("import", project, results)
    assert code == 0 and "predictions of model version" in out

    code, out = run("info", project)
    assert code == 0
    assert f"instances: {len(truth['annotations']) + 5}" in out and "captions: 3" in out
    assert "predicted  5" in out and f"manual     {len(truth['annotations'])}" in out
    assert "person:" in out and "17 keypoints" in out and "verified" in out

    verified, captions = tmp_path / "verified.json", tmp_path / "captions.json"
    code, out = run("export", project, verified, "--only-verified", "--captions-out", captions)
    assert code == 0 and "captions in captions.json" in out
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(verified))
    assert sorted(coco.getAnnIds()) == sorted(a["id"] for a in truth["annotations"])
    assert len(json.loads(captions.read_text())["annotations"]) == 3

    everything = tmp_path / "all.json"  # by default the captions go beside it, as COCO has them
    code, out = run("export", project, everything)
    assert code == 0 and "captions in all_captions.json" in out
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(everything))
    assert len(coco.getAnnIds()) == len(truth["annotations"]) + 5
    assert sum("score" in a for a in coco.loadAnns(coco.getAnnIds())) == 5
    assert len(json.loads((tmp_path / "all_captions.json").read_text())["annotations"]) == 3

    inline = tmp_path / "inline.json"
    assert run("export", project, inline, "--captions-inline")[0] == 0
    anns = json.loads(inline.read_text())["annotations"]
    assert sum("score" in a for a in anns) == 5 and sum("caption" in a for a in anns) == 3
    assert not (tmp_path / "inline_captions.json").exists()


def test_import_without_file_check(sample_project, tmp_path):
    project = copy_of(sample_project, "nocheck.kinetag")
    coco = {"images": [{"id": 50, "file_name": "elsewhere/x.png", "width": 10, "height": 10}],
            "categories": [], "annotations": [{"id": 1, "image_id": 50, "category_id": 2, "bbox": [1, 1, 2, 2]}]}
    path = tmp_path / "remote.json"
    path.write_text(json.dumps(coco))
    assert run("import", project, path)[0] == 2
    code, out = run("import", project, path, "--no-check-files")
    assert code == 0 and "not checked" in out
    with ProjectStore.open(project) as store:
        # outside the project's folder: stored as an absolute path
        asset = store.asset_by_path(os.path.realpath(tmp_path / "elsewhere" / "x.png"))
        assert asset is not None and asset.coco_id == 50


def test_console_script_entry_point(sample_project, tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    info = subprocess.run([str(KINETAG), "info", str(sample_project)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert info.returncode == 0, info.stderr
    assert "assets: 4" in info.stdout and "person:" in info.stdout

    bad = tmp_path / "bad.json"
    bad.write_text('{"images": [{"id": 1, "file_name": "a.png", "width": 0, "height": 5}]}')
    imported = subprocess.run([str(KINETAG), "import", str(sample_project), str(bad)], capture_output=True,
                              text=True, env=env, timeout=120)
    assert imported.returncode == 2
    assert f"{bad}: images[0] id=1: width: " in imported.stderr and "nothing was imported" in imported.stderr


def test_export_of_a_project_without_captions_writes_no_captions_file(tmp_path):
    from engine.model import Asset, Category, Instance
    project = tmp_path / "plain.kinetag"
    with ProjectStore.create(project) as store:
        cat = store.add_category(Category("cat"))
        asset = store.add_asset(Asset("a.png", 20, 10))
        store.add_instance(Instance(asset.id, cat.id, bbox=(1.0, 1.0, 5.0, 5.0)))
    out = tmp_path / "plain.json"
    code, _ = run("export", project, out)
    assert code == 0 and not (tmp_path / "plain_captions.json").exists()
    with contextlib.redirect_stdout(io.StringIO()):
        assert len(COCO(str(out)).getAnnIds()) == 1
