"""CanvasView/CanvasScene: built from the document, following the store, filtered live."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from app.canvas import CanvasView  # noqa: E402
from app.canvas.items.handles import HandleItem  # noqa: E402
from engine.geometry import encode_mask  # noqa: E402
from engine.model import Instance  # noqa: E402
from tests.app.core.conftest import BACKGROUND, HEIGHT, WIDTH, person_keypoints, prediction  # noqa: E402


@pytest.fixture
def view(doc, qtbot):
    v = CanvasView(doc)
    qtbot.addWidget(v)
    v.resize(2 * WIDTH + 40, 2 * HEIGHT + 40)
    v.show()
    qtbot.waitExposed(v)
    v.fit()
    return v


def square_mask(x, y, size):
    m = np.zeros((HEIGHT, WIDTH), dtype=bool)
    m[y:y + size, x:x + size] = True
    return encode_mask(m)


def pixel(view, x, y) -> QColor:
    """The colour on screen at image point (x, y)."""
    image = view.viewport().grab().toImage()
    p = view.mapFromScene(QPointF(x, y))
    return image.pixelColor(p.x(), p.y())


def is_background(color: QColor) -> bool:
    return (color.red(), color.green(), color.blue()) == BACKGROUND


def test_opening_an_asset_builds_one_row_per_instance(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    store.add_instances([prediction(a, ids["ball"], (k * 30, 10, 20, 20), 0.9) for k in range(5)]
                        + [Instance(a, ids["person"], keypoints=person_keypoints(200, 100))])
    other = store.add_instance(Instance(ids["assets"][1], ids["ball"], bbox=(1, 1, 5, 5)))
    doc.open_asset(a)
    sc = view.canvas_scene
    assert sorted(i.id for i in sc.frame.insts) == sorted(i.id for i in store.instances(a))
    assert other.id not in sc.frame.row_of
    assert not sc.image_item.pixmap().isNull() and sc.image_item.pixmap().width() == WIDTH
    view.viewport().grab()  # paints every tile
    drawn = sum(len(t.labels) for t in sc.tiles.tiles.values())
    assert drawn == 6


def test_selecting_makes_a_live_item_with_handles(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    kp = person_keypoints(100, 60)
    kp[2] = 0   # absent: no handle
    kp[5] = 1   # occluded: a ring handle
    iid = doc.add_instance(Instance(a, ids["person"], bbox=(90, 50, 40, 50), keypoints=kp))
    doc.select([iid])
    item = view.canvas_scene.items_by_id[iid]
    assert item.live and item.box is not None
    assert len(item.box.handles) == 8
    assert sum(h.isVisible() for h in item.skeleton.handles.values()) == 16
    assert item.label.text == "person"
    doc.select([])
    assert iid not in view.canvas_scene.items_by_id
    assert not any(isinstance(i, HandleItem) for i in view.canvas_scene.items())


def test_masks_are_drawn_and_follow_the_score_threshold(doc, project, view, qtbot):
    store, ids = project
    a = ids["assets"][0]
    store.add_instances([
        prediction(a, ids["ball"], (100, 100, 30, 30), 0.2, mask=square_mask(100, 100, 30)),
        prediction(a, ids["ball"], (200, 100, 30, 30), 0.9, mask=square_mask(200, 100, 30)),
    ])
    qtbot.waitUntil(lambda: len(view.canvas_scene.frame.insts) == 2)
    assert not is_background(pixel(view, 115, 115)) and not is_background(pixel(view, 215, 115))
    doc.view.set_score_threshold(0.5)
    assert is_background(pixel(view, 115, 115))          # low-score prediction hidden
    assert not is_background(pixel(view, 215, 115))
    doc.view.set_score_threshold(0.0)
    assert not is_background(pixel(view, 115, 115))
    doc.view.set_show_masks(False)
    assert is_background(pixel(view, 215, 115))


def test_rejected_hidden_unless_asked_and_categories_filter(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    iid = doc.add_instance(Instance(a, ids["ball"], bbox=(100, 100, 30, 30), mask=square_mask(100, 100, 30)))
    sc = view.canvas_scene
    row = lambda: sc.frame.row_of[iid]  # noqa: E731
    assert sc.frame.shown[row()]
    doc.reject([iid])
    assert not sc.frame.shown[row()] and is_background(pixel(view, 115, 115))
    doc.view.set_show_rejected(True)
    shown = pixel(view, 115, 115)
    assert sc.frame.shown[row()] and not is_background(shown)
    assert shown.red() == shown.green() == shown.blue()  # greyed out
    doc.undo_stack.undo()
    doc.view.set_hidden_category_ids({ids["ball"]})
    assert not sc.frame.shown[row()]


def test_a_worker_thread_writing_to_the_store_shows_up(doc, project, view, qtbot):
    store, ids = project
    a = ids["assets"][0]
    made = []

    def model_run():
        made.extend(store.add_instances([prediction(a, ids["ball"], (k * 20, 150, 15, 15), 0.8) for k in range(4)]))

    thread = threading.Thread(target=model_run)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(view.canvas_scene.frame.insts) == 4, timeout=5000)
    assert {i.id for i in doc.instances()} == {i.id for i in made}

    def rerun():
        store.replace_predictions(None, a, 0, [prediction(a, ids["ball"], (5, 5, 9, 9), 0.7)], "model")

    # replace_predictions takes a model version id; predictions without one are matched by None.
    thread = threading.Thread(target=rerun)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(view.canvas_scene.frame.insts) == 1, timeout=5000)
    boxes = sorted(tuple(i.bbox) for i in view.canvas_scene.frame.insts)
    assert boxes == sorted(tuple(i.bbox) for i in store.instances(a, 0))


def test_an_edit_updates_its_row_without_a_rebuild(doc, project, view):
    store, ids = project
    a = ids["assets"][0]
    first = doc.add_instance(Instance(a, ids["ball"], bbox=(10, 10, 20, 20)))
    second = doc.add_instance(Instance(a, ids["ball"], bbox=(200, 100, 20, 20)))
    sc = view.canvas_scene
    view.viewport().grab()
    untouched = [t for t in sc.tiles.tiles.values() if second not in
                 [sc.frame.insts[r].id for r in np.flatnonzero(sc.frame.tile == t.key)]]
    doc.update_instance(doc.instance(second).copy(bbox=(205, 100, 20, 20)))
    assert tuple(sc.frame.bbox[sc.frame.row_of[second]]) == (205, 100, 20, 20)
    assert all(not t.dirty for t in untouched)
    assert first in sc.frame.row_of


def test_zoom_and_fit(view):
    view.fit()
    fitted = view.zoom()
    view.zoom_in()
    assert view.zoom() == pytest.approx(fitted * 1.25)
    view.zoom_out()
    view.zoom_out()
    assert view.zoom() == pytest.approx(fitted / 1.25)
    view.fit()
    assert view.zoom() == pytest.approx(fitted)


def test_captions_overlay_and_missing_image(doc, project, view, qtbot, tmp_path):
    store, ids = project
    doc.add_caption("a grey square")
    assert [c.text for c in doc.captions()] == ["a grey square"]
    top_left = view.viewport().grab().toImage().pixelColor(12, 12)
    doc.view.set_show_captions(False)
    assert view.viewport().grab().toImage().pixelColor(12, 12) != top_left
    (store.root / "images" / "img_1.png").unlink()
    with qtbot.waitSignal(view.statusMessage) as message:
        doc.open_asset(ids["assets"][1])
    assert "img_1.png" in message.args[0]
    assert view.canvas_scene.image_error


def test_prefetch_loads_the_next_frame_and_keeps_it_current(doc, project, view, qtbot, monkeypatch):
    store, ids = project
    nxt = ids["assets"][1]
    first = store.add_instance(Instance(nxt, ids["ball"], bbox=(10, 10, 20, 20)))
    doc.prefetch(nxt)
    qtbot.waitUntil(lambda: (nxt, 0) in doc._frames, timeout=5000)
    second = store.add_instance(Instance(nxt, ids["ball"], bbox=(50, 10, 20, 20)))  # after the prefetch
    queries = []
    real = store.instances
    monkeypatch.setattr(store, "instances", lambda *a, **k: queries.append(a) or real(*a, **k))
    doc.open_asset(nxt)
    assert queries == []  # served from the prefetched frame
    assert sorted(i.id for i in doc.instances()) == sorted([first.id, second.id])
    assert sorted(i.id for i in view.canvas_scene.frame.insts) == sorted([first.id, second.id])


def test_video_frames_come_from_the_video(project, qapp, qtbot):
    from app.document import ProjectDocument
    from engine.media import write_video
    from engine.model import Asset, AssetKind
    store, ids = project
    colours = [(220, 30, 30), (30, 220, 30), (30, 30, 220), (220, 220, 30)]
    frames = [np.full((64, 96, 3), c, np.uint8) for c in colours for _ in range(3)]
    write_video(store.root / "clip.mp4", frames, fps=12)
    clip = store.add_asset(Asset("clip.mp4", 96, 64, kind=AssetKind.VIDEO, fps=12, num_frames=len(frames)))
    on_frame_7 = store.add_instance(Instance(clip.id, ids["ball"], frame_index=7, bbox=(5, 5, 10, 10)))
    doc = ProjectDocument(store)
    view = CanvasView(doc)
    qtbot.addWidget(view)
    view.resize(300, 220)
    view.show()
    doc.open_asset(clip.id)

    def colour_at_centre():
        img = view.canvas_scene.image_item.pixmap().toImage()
        c = img.pixelColor(48, 32)
        return c.red(), c.green(), c.blue()

    assert colour_at_centre() == pytest.approx(colours[0], abs=12)
    doc.set_frame(7)
    assert colour_at_centre() == pytest.approx(colours[2], abs=12)
    assert [i.id for i in view.canvas_scene.frame.insts] == [on_frame_7.id]
    doc.next_frame()
    assert doc.frame_index == 8 and view.canvas_scene.frame.insts == []
    doc.close()


def test_prefetched_frame_is_built_off_thread_and_dropped_after_a_view_change(doc, project, view, qtbot):
    store, ids = project
    first, nxt = ids["assets"]
    mask = square_mask(40, 20, 12)
    low = store.add_instance(prediction(nxt, ids["ball"], (40, 20, 12, 12), 0.2, mask=mask))
    scene = view.canvas_scene

    with qtbot.waitSignal(scene.masksPrefetched, timeout=5000):
        doc.prefetch(nxt)
    prebuilt = scene._prebuilt[(nxt, 0)][1]
    doc.open_asset(nxt)
    assert scene.frame is prebuilt  # the switch took the background build
    assert [i.id for i in scene.frame.insts] == [low.id]

    doc.open_asset(first)
    doc.forget_cached_frames()  # so that the next prefetch starts from nothing again
    scene._frames.clear()
    with qtbot.waitSignal(scene.masksPrefetched, timeout=5000):
        doc.prefetch(nxt)
    stale = scene._prebuilt[(nxt, 0)][1]
    doc.view.set_score_threshold(0.5)  # hides `low`: the build made before is out of date
    doc.open_asset(nxt)
    assert scene.frame is not stale
    row = [i.id for i in scene.frame.insts].index(low.id)
    assert not scene.frame.shown[row]


@pytest.mark.parametrize("many", [False, True])
def test_shapes_drawn_ahead_while_the_masks_raster_look_the_same(doc, project, view, monkeypatch, many):
    """A cold switch draws the shapes into an image while the raster is pending (layers.py);
    the screen must be pixel for pixel what drawing them directly gives."""
    from app.canvas import layers
    from app.canvas.raster_pool import RasterPool
    store, ids = project
    a, b = ids["assets"]
    count = 300 if many else 4  # many: the overview level of detail, without labels
    store.add_instances([prediction(a, ids["person"], (10 + (k * 37) % 280, 10 + (k * 53) % 180, 30, 40), 0.8,
                                    mask=square_mask(10 + (k * 37) % 280, 10 + (k * 53) % 180, 20),
                                    keypoints=person_keypoints(10 + (k * 37) % 280, 10 + (k * 53) % 180))
                         for k in range(count)])
    sc = view.canvas_scene
    doc.open_asset(a)
    sc.masks.image(sc.frame, doc.view.mask_opacity)  # waits for the raster: no drawing ahead
    assert not sc.masks.pending()
    direct = view.viewport().grab().toImage()

    pool = RasterPool(use_process=False)
    monkeypatch.setattr(sc, "_raster_pool", pool)
    gate = threading.Event()
    drawn_ahead = []
    real = layers.ShapeLayer.draw_ahead

    def ahead_then_release(self, *args):
        real(self, *args)
        drawn_ahead.append(self._ahead is not None)
        gate.set()  # only now may the raster finish

    monkeypatch.setattr(layers.ShapeLayer, "draw_ahead", ahead_then_release)
    doc.open_asset(b)
    doc.forget_cached_frames()
    sc.forget_other_frames()
    sc._frames.clear()
    pool.submit(gate.wait)  # the raster of the next switch waits behind this
    doc.open_asset(a)
    assert sc.masks.pending()
    ahead = view.viewport().grab().toImage()
    pool.shutdown()
    assert drawn_ahead == [True]
    assert ahead == direct
