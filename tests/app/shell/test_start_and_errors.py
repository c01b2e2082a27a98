"""Start-up paths (open, new from images / videos / COCO, the sample) and their errors: shown, never raised."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from engine.media import write_video
from engine.model import AssetKind, AssetState
from engine.store import ProjectStore
from app.application import Launcher
from app.dialogs import messages
from app.dialogs.start import StartDialog, StartRequest


@pytest.fixture
def launcher(qtbot, settings):
    launch = Launcher(settings)
    yield launch
    if launch.window is not None and launch.window.isVisible():
        launch.window.close()
    if launch.start_dialog is not None:
        launch.start_dialog.close()


def finish(qtbot, launcher) -> None:
    worker = launcher.worker
    if worker.is_running():
        with qtbot.waitSignal(worker.done, timeout=60000):
            pass


def test_start_dialog_lists_recent_projects_and_emits_requests(qtbot, settings, project_path, tmp_path):
    settings.add_recent_project(project_path)
    settings.add_recent_project(tmp_path / "gone.kinetag")
    dialog = StartDialog(settings)
    qtbot.addWidget(dialog)
    texts = [dialog.recent.item(i).text() for i in range(dialog.recent.count())]
    assert "gone" in texts[0] and "(missing)" in texts[0] and str(project_path) in texts[1]
    with qtbot.waitSignal(dialog.requested) as got:
        dialog._recent_activated(dialog.recent.item(1))
    assert got.args[0].kind == "open" and got.args[0].project == project_path


def test_open_from_the_command_line_and_recent_list(qtbot, launcher, project_path, settings):
    launcher.start(str(project_path))
    finish(qtbot, launcher)
    win = launcher.window
    assert win is not None and win.store.path == project_path.resolve()
    assert settings.recent_projects()[0] == str(project_path.resolve())
    assert win.document.asset is not None


def test_new_project_from_a_folder_of_images(qtbot, launcher, tmp_path, png_writer):
    folder = tmp_path / "photos"
    for i in range(4):
        png_writer(folder / f"p{i}.png", 90, 60, seed=i)
    (folder / "notes.png").write_bytes(b"not an image")
    launcher.handle_request(StartRequest("images", folder / "photos.kinetag", [folder]))
    finish(qtbot, launcher)
    store = launcher.window.store
    assert sorted(a.path for a in store.assets()) == [f"p{i}.png" for i in range(4)]


def test_new_project_from_videos_shows_the_frame_bar(qtbot, launcher, tmp_path):
    clip = tmp_path / "clips" / "walk.mp4"
    clip.parent.mkdir()
    write_video(clip, (np.full((48, 64, 3), 20 * i, np.uint8) for i in range(10)), fps=5)
    launcher.handle_request(StartRequest("videos", tmp_path / "clips" / "v.kinetag", [clip]))
    finish(qtbot, launcher)
    win = launcher.window
    asset = win.store.assets()[0]
    assert asset.kind == AssetKind.VIDEO and asset.num_frames == 10
    assert win.document.asset.id == asset.id and win.frame_bar.slider.maximum() == 9


def test_new_project_from_coco_and_the_sample(qtbot, launcher, tmp_path):
    from engine.sample import generate_sample
    sample = generate_sample(tmp_path / "gt", n_images=2)
    launcher.handle_request(StartRequest("coco", tmp_path / "gt" / "p.kinetag", [sample.ground_truth]))
    finish(qtbot, launcher)
    store = launcher.window.store
    assert len(store.assets()) == 2 and len(store.instances()) == len(sample.coco["annotations"])
    assert {a.state for a in store.assets()} == {AssetState.VERIFIED}

    launcher.handle_request(StartRequest("sample", tmp_path / "try" / "kinetag-sample.kinetag"))
    finish(qtbot, launcher)
    win = launcher.window
    kinds = sorted(str(a.kind) for a in win.store.assets())
    assert kinds == ["image"] * 12 + ["video"]
    assert win.store.counts()["captions"] == 12 and win.store.instances() == []  # predict them yourself
    assert {c.name for c in win.document.categories()} >= {"person"}


def test_corrupt_and_too_new_projects_show_a_message(qtbot, launcher, tmp_path, project_path):
    bad = tmp_path / "broken.kinetag"
    bad.write_bytes(b"this is not sqlite at all")
    launcher.start(str(bad))
    finish(qtbot, launcher)
    assert launcher.window is None and launcher.start_dialog is not None and launcher.start_dialog.isVisible()
    assert "broken.kinetag" in messages.shown[-1][1] and "not a Kinetag project" in messages.shown[-1][1]

    with sqlite3.connect(project_path) as db:
        db.execute("UPDATE alembic_version SET version_num = 'f00d_from_the_future'")
    launcher.open_project(project_path)
    finish(qtbot, launcher)
    assert launcher.window is None
    assert str(project_path) in messages.shown[-1][1] and "newer Kinetag" in messages.shown[-1][1]


def test_bad_coco_names_the_file_and_leaves_no_project(qtbot, launcher, tmp_path):
    coco = tmp_path / "labels.json"
    coco.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 10}],
                                "categories": [{"id": 1, "name": "x"}],
                                "annotations": [{"id": 1, "image_id": 7, "category_id": 1,
                                                 "bbox": [0, 0, 1, 1]}]}))
    project = tmp_path / "labels.kinetag"
    launcher.handle_request(StartRequest("coco", project, [coco]))
    finish(qtbot, launcher)
    assert launcher.window is None and not project.exists()
    assert "labels.json" in messages.shown[-1][1]


def test_missing_media_file_is_named_in_the_window(qtbot, launcher, project_path):
    (project_path.parent / "images" / "img_001.png").unlink()
    launcher.open_project(project_path)
    finish(qtbot, launcher)
    win = launcher.window
    win.open_asset(win.store.assets()[1].id)
    assert win.banner.isVisibleTo(win) and "img_001.png" in win.banner.text()
    win.open_asset(win.store.assets()[0].id)
    assert not win.banner.isVisibleTo(win)


def test_a_refused_edit_is_a_message(qtbot, launcher, project_path):
    launcher.open_project(project_path)
    finish(qtbot, launcher)
    win = launcher.window
    win.captions.edit(987654, "no such caption")
    assert "987654" in messages.shown[-1][1]
    store = ProjectStore.open(project_path)
    try:
        assert store.captions() == []
    finally:
        store.close()


def test_import_coco_into_the_open_project(qtbot, launcher, tmp_path):
    from engine.sample import generate_sample
    from app.dialogs.add_media import import_coco_file
    from app.panels.asset_model import StateRole
    sample = generate_sample(tmp_path / "gt", n_images=3)
    launcher.handle_request(StartRequest("images", tmp_path / "gt" / "p.kinetag", [tmp_path / "gt" / "images"]))
    finish(qtbot, launcher)
    win = launcher.window
    assert win.document.instances() == []
    worker = import_coco_file(win, sample.ground_truth)
    with qtbot.waitSignal(worker.done, timeout=30000):
        pass
    assert len(win.store.instances()) == len(sample.coco["annotations"])
    assert len(win.store.assets()) == 3  # the same images, not added twice
    qtbot.waitUntil(lambda: len(win.document.instances()) > 0, timeout=5000)
    assert {win.assets.model.index(r).data(StateRole) for r in range(3)} == {"verified"}
    assert "instances" in messages.shown[-1][1]


def test_opening_another_project_replaces_the_window(qtbot, launcher, tmp_path, project_factory):
    first = project_factory(tmp_path / "one", n_images=1)
    second = project_factory(tmp_path / "two", n_images=2)
    launcher.open_project(first)
    finish(qtbot, launcher)
    old = launcher.window
    old.openRequested.emit(str(second))
    finish(qtbot, launcher)
    assert launcher.window is not old and not old.isVisible()
    assert len(launcher.window.store.assets()) == 2
    assert launcher.settings.recent_projects()[:2] == [str(second.resolve()), str(first.resolve())]
