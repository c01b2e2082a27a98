"""COCO annotations for rendered sample scenes, and a compact deterministic JSON dump."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pycocotools import mask as mask_utils

from engine.sample.figures import Figure
from engine.sample.render import Raster
from engine.sample.scene import SHAPE_KINDS, Scene, Shape
from engine.sample.skeleton import COCO_PERSON_SKELETON, PERSON_KEYPOINTS

CATEGORIES: list[dict] = [
    {"id": 1, "name": "person", "supercategory": "person",
     "keypoints": list(PERSON_KEYPOINTS), "skeleton": [list(e) for e in COCO_PERSON_SKELETON]},
] + [{"id": i, "name": kind, "supercategory": "shape"} for i, kind in enumerate(SHAPE_KINDS, start=2)]
CATEGORY_IDS: dict[str, int] = {c["name"]: c["id"] for c in CATEGORIES}


def _rle(mask: np.ndarray) -> dict:
    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))


def keypoint_triplets(figure: Figure, ids: np.ndarray, object_id: int) -> list[int]:
    """COCO [x, y, v] * 17: v=2 on the figure's own visible pixel, v=1 when something
    drawn later covers it, v=0 (and x=y=0) outside the image."""
    height, width = ids.shape
    out: list[int] = []
    for x, y in figure.keypoints.tolist():
        if not (0 <= x < width and 0 <= y < height):
            out += [0, 0, 0]
        else:
            out += [x, y, 2 if ids[y, x] == object_id else 1]
    return out


def _polygon(obj, visible: np.ndarray, full: np.ndarray) -> list[list[float]] | None:
    """Exact polygon for an unoccluded square/triangle lying wholly inside the image.

    Such shapes were rasterised from these very vertices by pycocotools, so the
    polygon decodes to exactly the visible pixels.
    """
    if not isinstance(obj, Shape) or obj.vertices() is None:
        return None
    height, width = visible.shape
    vertices = obj.vertices()
    if not all(0 <= x <= width and 0 <= y <= height for x, y in vertices):
        return None
    if not np.array_equal(visible, full):
        return None
    return [[c for xy in vertices for c in xy]]


def annotate(scene: Scene, raster: Raster, image_id: int, first_id: int,
             track_ids: list[int] | None = None, video_id: int | None = None) -> list[dict]:
    """One annotation per object with at least one visible pixel, ids from ``first_id``."""
    annotations = []
    for index, obj in enumerate(scene.objects):
        visible = raster.visible(index)
        if not visible.any():
            continue
        rle = _rle(visible)
        polygon = _polygon(obj, visible, raster.full_masks[index])
        ann = {
            "id": first_id + len(annotations),
            "image_id": image_id,
            "category_id": CATEGORY_IDS[obj.category],
            "segmentation": polygon if polygon else {"size": [int(s) for s in rle["size"]],
                                                      "counts": rle["counts"].decode("ascii")},
            "area": float(mask_utils.area(rle)),
            "bbox": [float(v) for v in mask_utils.toBbox(rle)],
            "iscrowd": 0,
        }
        if isinstance(obj, Figure):
            keypoints = keypoint_triplets(obj, raster.ids, index + 1)
            ann["keypoints"] = keypoints
            ann["num_keypoints"] = sum(1 for v in keypoints[2::3] if v > 0)
        if track_ids is not None:
            ann["track_id"] = track_ids[index]
        if video_id is not None:
            ann["video_id"] = video_id
        ann["attributes"] = {"color": obj.color}
        annotations.append(ann)
    return annotations


def dump_coco(data: dict) -> str:
    """JSON with one list element per line: diff-friendly, and stable byte for byte."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            body = ",\n".join("  " + json.dumps(item) for item in value)
            parts.append(f" {json.dumps(key)}: [\n{body}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_coco(path: Path, data: dict) -> None:
    path.write_text(dump_coco(data), encoding="utf-8")
