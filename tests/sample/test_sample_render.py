"""Occlusion, masks and keypoint visibility on a hand-built scene."""
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from engine.sample import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON
from engine.sample.coco_writer import CATEGORY_IDS, annotate
from engine.sample.figures import Pose, make_figure
from engine.sample.render import object_mask, render
from engine.sample.scene import COLORS, Background, Scene, Shape
from engine.sample.skeleton import KP

# pycocotools 2.0.x trips a NumPy 2 deprecation inside its own C code on every decode.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

W, H = 160, 120


def _decode(ann):
    seg = ann["segmentation"]
    if isinstance(seg, list):
        rle = mask_utils.merge(mask_utils.frPyObjects(seg, H, W))
    else:
        rle = {"size": seg["size"], "counts": seg["counts"].encode("ascii")}
    return mask_utils.decode(rle).astype(bool)


def _scene():
    square = Shape("square", "yellow", (80.0, 40.0), 22.0, 0.3)  # behind the figure
    # Hips low enough that the ankles fall below the bottom edge.
    figure = make_figure((80.0, 90.0), 90.0, Pose(), "navy")
    wrist = figure.keypoints[KP["left_wrist"]]
    circle = Shape("circle", "red", (float(wrist[0]), float(wrist[1])), 7.0)  # covers the left wrist
    triangle = Shape("triangle", "green", (25.0, 25.0), 15.0, 0.1)  # alone: gets a polygon
    return Scene(W, H, Background((200, 210, 220), (230, 230, 230)), (square, figure, circle, triangle))


def test_later_objects_occlude_earlier_ones():
    scene = _scene()
    raster = render(scene)
    full = [object_mask(obj, W, H) for obj in scene.objects]
    square, figure, circle, triangle = full
    np.testing.assert_array_equal(raster.visible(0), square & ~figure & ~circle & ~triangle)
    np.testing.assert_array_equal(raster.visible(1), figure & ~circle & ~triangle)
    np.testing.assert_array_equal(raster.visible(2), circle & ~triangle)
    np.testing.assert_array_equal(raster.visible(3), triangle)
    assert (square & figure).any(), "the scene is meant to overlap"
    for k, obj in enumerate(scene.objects):
        assert (raster.rgb[raster.visible(k)] == COLORS[obj.color]).all()


def test_annotations_masks_boxes_and_keypoints():
    scene = _scene()
    raster = render(scene)
    anns = annotate(scene, raster, image_id=7, first_id=100)
    assert [a["id"] for a in anns] == [100, 101, 102, 103]
    assert [a["category_id"] for a in anns] == [CATEGORY_IDS[n] for n in ("square", "person", "circle", "triangle")]
    for k, ann in enumerate(anns):
        mask = _decode(ann)
        np.testing.assert_array_equal(mask, raster.visible(k))
        ys, xs = np.nonzero(mask)
        assert ann["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        assert ann["area"] == mask.sum()
        assert ann["image_id"] == 7 and ann["iscrowd"] == 0

    # The occluded square is an RLE, the lone triangle an exact polygon of its corners.
    assert isinstance(anns[0]["segmentation"], dict) and isinstance(anns[0]["segmentation"]["counts"], str)
    assert anns[3]["segmentation"] == [[c for xy in scene.objects[3].vertices() for c in xy]]

    kps = np.array(anns[1]["keypoints"]).reshape(17, 3)
    assert kps[KP["left_wrist"], 2] == 1  # under the red circle
    assert kps[KP["left_ankle"], 2] == 0 and kps[KP["right_ankle"], 2] == 0
    assert (kps[KP["left_ankle"], :2] == 0).all()
    assert kps[KP["nose"], 2] == 2 and kps[KP["left_shoulder"], 2] == 2
    assert anns[1]["num_keypoints"] == int((kps[:, 2] > 0).sum())


def test_figures_face_the_camera():
    figure = make_figure((50.0, 50.0), 80.0, Pose(), "teal")
    kp = figure.keypoints
    # The person's left side is on the image's right, as in COCO photos.
    for left, right in PERSON_FLIP_PAIRS:
        assert kp[left, 0] > kp[right, 0], (PERSON_KEYPOINTS[left], PERSON_KEYPOINTS[right])


def test_schema_constants():
    assert len(PERSON_KEYPOINTS) == 17 and PERSON_KEYPOINTS[0] == "nose"
    assert len(PERSON_SKELETON) == 19
    assert all(0 <= a < 17 and 0 <= b < 17 for a, b in PERSON_SKELETON)
    for a, b in PERSON_FLIP_PAIRS:
        assert PERSON_KEYPOINTS[a].replace("left_", "") == PERSON_KEYPOINTS[b].replace("right_", "")
