"""The canvas's own RLE decoding and path building agree with pycocotools and Qt."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402

from app.canvas.paths import circles_path, rects_path, rings_path, segments_path  # noqa: E402
from engine.geometry.rle_raster import Runs, crops_many, paint_masks, raster_masks, rle_counts, rle_crop  # noqa: E402
from engine.geometry import decode_mask, encode_mask  # noqa: E402


def random_masks(seed: int, n: int, h: int = 97, w: int = 131) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        m = np.zeros((h, w), dtype=bool)
        for _ in range(rng.integers(0, 4)):
            y, x = rng.integers(0, h), rng.integers(0, w)
            m[y:y + rng.integers(1, 90), x:x + rng.integers(1, 90)] = True
        if k % 5 == 0:
            m = rng.random((h, w)) < 0.3   # many short runs, long delta chains
        if k % 11 == 0:
            m[:] = True                    # one run spanning every column
        out.append(m)
    return out


def expected_crop(m: np.ndarray):
    if not m.any():
        return None
    ys, xs = np.nonzero(m)
    return xs.min(), ys.min(), m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


@pytest.mark.parametrize("seed", [0, 1])
def test_crops_match_pycocotools(seed):
    masks = random_masks(seed, 60)
    rles = [encode_mask(m) for m in masks]
    for m, rle, many in zip(masks, rles, crops_many(rles)):
        want = expected_crop(decode_mask(rle))
        assert np.array_equal(decode_mask(rle), m)
        for got in (rle_crop(rle), many):
            if want is None:
                assert got is None
                continue
            assert (got[0], got[1]) == (want[0], want[1])
            assert np.array_equal(got[2], want[2])


def test_counts_decoding_matches_uncompressed_counts():
    from pycocotools import mask as mask_utils
    m = random_masks(3, 1)[0]
    rle = encode_mask(m)
    runs = rle_counts(rle["counts"])
    flat = np.asfortranarray(m).ravel(order="F")
    assert runs.sum() == flat.size
    rebuilt = np.repeat(np.arange(runs.size) % 2 == 1, runs)
    assert np.array_equal(rebuilt, flat)
    assert mask_utils.area({"size": rle["size"], "counts": rle["counts"].encode()}) == flat.sum()


def test_mixed_frame_sizes_and_uncompressed_counts():
    a = np.zeros((40, 50), dtype=bool)
    a[5:9, 7:20] = True
    b = np.zeros((30, 30), dtype=bool)
    b[0:3, 0:2] = True
    flat = b.ravel(order="F")
    counts, current, run = [], False, 0
    for v in flat:
        if v != current:
            counts.append(run)
            current, run = v, 0
        run += 1
    counts.append(run)
    got = crops_many([encode_mask(a), {"size": [30, 30], "counts": counts}, encode_mask(np.zeros((40, 50), bool))])
    assert got[0][:2] == (7, 5) and got[0][2].shape == (4, 13)
    assert got[1][:2] == (0, 0) and got[1][2].all() and got[1][2].shape == (3, 2)
    assert got[2] is None


def test_paths_built_from_arrays(qapp):
    segs = segments_path(np.array([[0, 0, 10, 0], [5, 5, 5, 15]]))
    assert segs.elementCount() == 4
    assert segs.boundingRect().getRect() == (0, 0, 10, 15)
    rects = rects_path(np.array([[10, 20, 30, 40], [100, 100, 5, 5]]))
    assert rects.contains(QPointF(25, 40)) and not rects.contains(QPointF(50, 40))
    assert rects.boundingRect().getRect() == (10, 20, 95, 85)
    tri = rings_path([[0, 0, 10, 0, 10, 10]])
    assert tri.contains(QPointF(8, 2)) and not tri.contains(QPointF(2, 8))
    circles = circles_path(np.array([[50.0, 50.0]]), 4.0)
    assert circles.boundingRect().width() == pytest.approx(8.0, abs=0.2)


def _painted_one_by_one(masks, values, h, w):
    out = np.zeros((h, w), dtype=np.uint32)
    for m, v in zip(masks, values):
        out[m[:h, :w]] = v
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paint_masks_later_covers_earlier(seed):
    h, w = 97, 131
    masks = random_masks(seed, 40, h, w)
    values = np.arange(1, len(masks) + 1, dtype=np.uint32) * 0x01010101
    rles = [encode_mask(m) for m in masks]
    out, boxes = paint_masks(rles, values, h, w)
    assert np.array_equal(out, _painted_one_by_one(masks, values, h, w))
    for m, box in zip(masks, boxes):
        if m.any():
            ys, xs = np.nonzero(m)
            assert tuple(box) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        else:
            assert tuple(box) == (0, 0, 0, 0)


@pytest.mark.parametrize("seed", [3, 4])
def test_raster_masks_keeps_runs_that_expand_and_colour_like_the_painted_array(seed):
    h, w = 97, 131
    masks = random_masks(seed, 30, h, w)
    values = np.arange(1, len(masks) + 1, dtype=np.uint32)
    rles = [encode_mask(m) for m in masks]
    runs, boxes = raster_masks(rles, values, h, w)
    painted, painted_boxes = paint_masks(rles, values, h, w)
    assert isinstance(runs, Runs) and runs.cuts[0] == 0 and runs.cuts[-1] == h * w
    assert np.array_equal(runs.expand(), painted) and np.array_equal(boxes, painted_boxes)
    lut = np.random.default_rng(seed).integers(1, 2**32, size=len(masks) + 1, dtype=np.uint32)
    lut[0] = 0
    assert np.array_equal(runs.expand(lut), lut[painted])
    empty, _ = raster_masks([encode_mask(np.zeros((h, w), bool))], values[:1], h, w)
    assert not empty.expand().any()


def test_raster_masks_paints_an_array_when_a_mask_is_not_a_compressed_frame_rle():
    h, w = 40, 60
    a = np.zeros((h, w), dtype=bool)
    a[5:35, 10:55] = True
    plain = {"size": [h, w], "counts": [int(v) for v in rle_counts(encode_mask(a)["counts"])]}
    out, _ = raster_masks([plain], np.array([7], np.uint32), h, w)
    assert isinstance(out, np.ndarray) and np.array_equal(out, np.where(a, 7, 0))


def test_paint_masks_mixes_other_sizes_and_uncompressed_counts_in_order():
    h, w = 40, 60
    big = np.zeros((50, 70), dtype=bool)
    big[30:50, 50:70] = True  # a mask of another size, reaching past this frame
    a = np.zeros((h, w), dtype=bool)
    a[5:35, 10:55] = True
    b = np.zeros((h, w), dtype=bool)
    b[0:20, 0:20] = True
    plain = {"size": [h, w], "counts": [int(v) for v in rle_counts(encode_mask(b)["counts"])]}
    out, boxes = paint_masks([encode_mask(a), encode_mask(big), plain], np.array([1, 2, 3], np.uint32), h, w)
    expected = np.zeros((h, w), dtype=np.uint32)
    expected[a] = 1
    expected[30:40, 50:60] = 2
    expected[b] = 3
    assert np.array_equal(out, expected)
    assert tuple(boxes[1]) == (50, 30, 60, 40)
