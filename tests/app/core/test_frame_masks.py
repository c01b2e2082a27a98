"""FrameMasks: a frame's masks as one image, rastered in one go and kept in step with edits."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


import numpy as np  # noqa: E402
import pytest  # noqa: E402

import app.pyside_compat  # noqa: E402,F401
from app.canvas.frame_masks import FrameMasks, premultiplied  # noqa: E402
from app.canvas.frame_model import FrameModel  # noqa: E402
from app.canvas.items.mask import with_alpha  # noqa: E402
from app.canvas.raster_pool import RasterPool  # noqa: E402
from engine.geometry import encode_mask  # noqa: E402
from engine.model import Category, Instance  # noqa: E402

H, W = 60, 90
RED, BLUE = "#ff0000", "#0000ff"


def rect_mask(x0, y0, x1, y1):
    m = np.zeros((H, W), dtype=bool)
    m[y0:y1, x0:x1] = True
    return encode_mask(m)


def frame(instances, shown=lambda inst: True):
    fm = FrameModel({1: Category("red", id=1, color=RED), 2: Category("blue", id=2, color=BLUE)}, "category", shown)
    fm.reset(instances)
    return fm


def pixels(image) -> np.ndarray:
    ptr = image.constBits()
    return np.frombuffer(ptr, dtype=np.uint32, count=image.width() * image.height()).reshape(H, W).copy()


def expected_value(color: str, opacity: float) -> int:
    from PySide6.QtGui import QColor
    return int(premultiplied(with_alpha(QColor(color).rgba(), opacity)))


@pytest.fixture
def two_overlapping():
    return [Instance(1, 1, id=10, bbox=(5, 5, 40, 30), mask=rect_mask(5, 5, 45, 35)),
            Instance(1, 2, id=11, bbox=(30, 20, 40, 30), mask=rect_mask(30, 20, 70, 50)),
            Instance(1, 1, id=12, bbox=(80, 50, 5, 5))]  # no mask


@pytest.mark.parametrize("where", ["here", "thread", "process"])
def test_later_instance_covers_earlier_and_opacity_is_premultiplied(two_overlapping, where):
    fm = frame(two_overlapping)
    masks = FrameMasks(W, H)
    if where != "here":
        pool = RasterPool(use_process=where == "process")
        if where == "process":
            from app.canvas import raster_pool
            assert raster_pool.wait_ready(60), "no worker: this case would test the thread"
        masks.paint_later(fm.insts, fm._shown_fn, pool)
        masks.colour_later(fm, 0.5, pool)
        image = masks.image(fm, 0.5)
        pool.shutdown()
    else:
        masks.paint_all(fm)
        image = masks.image(fm, 0.5)
    px = pixels(image)
    red, blue = expected_value(RED, 0.5), expected_value(BLUE, 0.5)
    assert px[10, 10] == red and px[25, 35] == blue and px[45, 60] == blue  # overlap: the later one
    assert px[0, 0] == 0 and px[55, 85] == 0
    assert masks.box(10) == (5, 5, 45, 35) and masks.box(11) == (30, 20, 70, 50) and masks.box(12) is None
    # Opacity only recolours.
    assert pixels(masks.image(fm, 1.0))[10, 10] == expected_value(RED, 1.0)


def test_edits_raster_only_what_changed(two_overlapping):
    fm = frame(two_overlapping)
    masks = FrameMasks(W, H)
    masks.paint_all(fm)
    masks.image(fm, 1.0)
    assert masks._owner is None and masks._runs is not None, "runs until the first edit"
    red, blue = expected_value(RED, 1.0), expected_value(BLUE, 1.0)
    # The blue one moves away: the red one shows again where they overlapped.
    fm.update(Instance(1, 2, id=11, bbox=(60, 40, 20, 10), mask=rect_mask(60, 40, 80, 50)))
    rects = masks.refresh(fm, [11], 1.0)
    assert masks._owner is not None and masks._runs is None
    px = pixels(masks.image(fm, 1.0))
    assert px[25, 35] == red and px[45, 75] == blue and px[30, 50] == 0
    assert {(r.x(), r.y(), r.width(), r.height()) for r in rects} == {(30, 20, 40, 30), (60, 40, 20, 10)}
    # A category change recolours; hiding one (or making it live) takes it out; removing it too.
    fm.update(Instance(1, 2, id=10, bbox=(5, 5, 40, 30), mask=rect_mask(5, 5, 45, 35)))
    masks.refresh(fm, [10], 1.0)
    assert pixels(masks.image(fm, 1.0))[10, 10] == blue
    fm.set_flags({10}, {10})
    masks.refresh(fm, [10], 1.0)
    assert pixels(masks.image(fm, 1.0))[10, 10] == 0
    fm.set_flags(set(), set())
    masks.refresh(fm, [10], 1.0)
    assert pixels(masks.image(fm, 1.0))[10, 10] == blue
    fm.remove([10])
    masks.refresh(fm, [10], 1.0)
    px = pixels(masks.image(fm, 1.0))
    assert px[10, 10] == 0 and px[45, 75] == blue
    # A new instance gets a slot of its own.
    fm.add([Instance(1, 1, id=13, bbox=(0, 0, 10, 10), mask=rect_mask(0, 0, 10, 10))])
    masks.refresh(fm, [13], 1.0)
    assert pixels(masks.image(fm, 1.0))[5, 5] == red


def test_hidden_instances_are_left_out_from_the_start(two_overlapping):
    fm = frame(two_overlapping, shown=lambda inst: inst.id != 11)
    masks = FrameMasks(W, H)
    masks.paint_all(fm)
    px = pixels(masks.image(fm, 1.0))
    assert px[25, 35] == expected_value(RED, 1.0) and px[45, 60] == 0


def test_a_colour_change_of_every_instance_is_not_lost_by_a_later_edit(two_overlapping):
    fm = frame(two_overlapping)
    masks = FrameMasks(W, H)
    masks.paint_all(fm)
    masks.image(fm, 1.0)
    fm.color_by = "instance"
    fm.refresh_meta()  # every colour changes; no image() yet
    fm.set_flags({11}, {11})  # then a selection takes one instance out
    masks.refresh(fm, [11], 1.0)
    px = pixels(masks.image(fm, 1.0))
    assert px[10, 10] == int(premultiplied(with_alpha(int(fm.rgba[0]), 1.0)))
    assert px[10, 10] != expected_value(RED, 1.0)


def test_shrink_drops_the_colours_and_image_makes_them_again(two_overlapping):
    fm = frame(two_overlapping)
    masks = FrameMasks(W, H)
    masks.paint_all(fm)
    before = pixels(masks.image(fm, 1.0))
    masks.shrink()
    assert masks._pixels is None
    assert np.array_equal(pixels(masks.image(fm, 1.0)), before)


def test_paint_all_while_a_threaded_raster_is_pending_keeps_the_new_one(two_overlapping):
    import threading
    fm = frame(two_overlapping)
    masks = FrameMasks(W, H)
    gate = threading.Event()
    pool = RasterPool(use_process=False)
    pool.submit(gate.wait)  # the raster thread is busy: the frame's raster waits in the queue
    masks.paint_later(fm.insts, fm._shown_fn, pool)
    masks.colour_later(fm, 1.0, pool)
    fm.remove([10])  # many changes before the first paint: the scene rasters everything again
    masks.paint_all(fm)
    gate.set()
    px = pixels(masks.image(fm, 1.0))
    pool.shutdown()
    assert px[10, 10] == 0 and px[45, 60] == expected_value(BLUE, 1.0)
    assert masks.box(10) is None


def test_a_frame_without_masks_has_no_raster_until_its_first_mask():
    fm = frame([Instance(1, 1, id=20, bbox=(0, 0, 5, 5))])
    masks = FrameMasks(W, H)
    pool = RasterPool(use_process=False)
    masks.paint_later(fm.insts, fm._shown_fn, pool)
    masks.colour_later(fm, 1.0, pool)
    pool.shutdown()
    assert masks.image(fm, 1.0) is None and masks._owner is None
    fm.update(Instance(1, 1, id=20, bbox=(0, 0, 10, 10), mask=rect_mask(0, 0, 10, 10)))
    masks.refresh(fm, [20], 1.0)
    assert pixels(masks.image(fm, 1.0))[5, 5] == expected_value(RED, 1.0)
