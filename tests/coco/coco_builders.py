"""Real COCO files for the COCO tests: PNGs, an MP4 and JSON that covers every feature.

``build_dataset(root)`` writes images (ids 3, 10, 11 with gaps), a 4-frame video
(COCO video 7, frame images 100..103), categories 1 (17-keypoint person), 5 and
90, and annotations 7, 1000, 42, ... with polygons (one with two rings),
compressed and uncompressed RLE, iscrowd=1, keypoints with v = 0/1/2, track
ids; a captions file sharing the image ids (caption id 7 collides with
annotation 7 on purpose) and a results file.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from engine.media import write_video
from engine.sample import PERSON_KEYPOINTS

W, H = 64, 48
COCO_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8],
                 [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]


def write_png(path: Path, width: int = W, height: int = H, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rgb = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(path)
    return path


def ellipse(cx: float, cy: float, rx: float, ry: float, width: int = W, height: int = H) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width]
    return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1.0


def compressed(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def uncompressed(mask: np.ndarray) -> dict:
    """Column-major run lengths starting with a 0-run, as iscrowd annotations store them."""
    flat = mask.astype(np.uint8).flatten(order="F")
    counts, value, run = [], 0, 0
    for v in flat:
        if v == value:
            run += 1
        else:
            counts.append(run)
            value, run = v, 1
    counts.append(run)
    return {"size": list(mask.shape), "counts": [int(c) for c in counts]}


def to_rle(segmentation, height: int = H, width: int = W) -> dict:
    """Any COCO segmentation -> a pycocotools RLE (bytes counts)."""
    if isinstance(segmentation, list):
        return mask_utils.merge(mask_utils.frPyObjects(segmentation, height, width))
    if isinstance(segmentation["counts"], list):
        return mask_utils.frPyObjects(segmentation, height, width)
    return {"size": segmentation["size"], "counts": segmentation["counts"].encode("ascii")}


def geometry(segmentation) -> tuple[list[float], float]:
    """bbox and area of a segmentation, as pycocotools computes them."""
    rle = to_rle(segmentation)
    return [float(v) for v in mask_utils.toBbox(rle)], float(mask_utils.area(rle))


def keypoints(seed: int, visibilities: list[int]) -> list[int]:
    rng = np.random.default_rng(seed)
    out = []
    for v in visibilities:
        if v == 0:
            out += [0, 0, 0]
        else:
            out += [int(rng.integers(1, W - 1)), int(rng.integers(1, H - 1)), v]
    return out


def _ann(aid: int, image_id: int, category_id: int, segmentation, **extra) -> dict:
    bbox, area = geometry(segmentation)
    return {"id": aid, "image_id": image_id, "category_id": category_id, "segmentation": segmentation,
            "area": area, "bbox": bbox, "iscrowd": 0, **extra}


def dataset_dict() -> dict:
    vis_a = [2, 2, 2, 1, 0, 2, 2, 1, 1, 2, 0, 2, 2, 1, 2, 0, 2]
    vis_b = [1] * 5 + [2] * 10 + [0, 0]
    kp_a, kp_b = keypoints(1, vis_a), keypoints(2, vis_b)
    images = [{"id": iid, "file_name": f"images/img_{iid}.png", "width": W, "height": H} for iid in (3, 10, 11)]
    frames = [{"id": 100 + f, "file_name": f"video/clip.mp4#{f}", "width": W, "height": H, "video_id": 7,
               "frame_index": f} for f in range(4)]
    crowd = _ann(42, 10, 90, uncompressed(ellipse(40, 30, 12, 9)), iscrowd=1)
    person_a = _ann(8, 10, 1, [[5.0, 5.0, 30.0, 6.0, 28.0, 40.0, 6.0, 38.0]], keypoints=kp_a,
                    num_keypoints=sum(v > 0 for v in vis_a))
    person_b = _ann(9, 11, 1, compressed(ellipse(30, 24, 14, 20)), keypoints=kp_b,
                    num_keypoints=sum(v > 0 for v in vis_b))
    annotations = [
        _ann(7, 3, 5, [[10.0, 10.0, 30.5, 12.0, 20.0, 30.25]]),
        _ann(1000, 3, 90, compressed(ellipse(45, 20, 10, 8))),
        crowd, person_a, person_b,
        _ann(55, 11, 5, [[2, 2, 12, 2, 12, 12, 2, 12], [40, 30, 60, 30, 50, 45]], attributes={"color": "red"}),
    ]
    for f in range(4):
        annotations.append(_ann(500 + f, 100 + f, 5, [[5.0 + 4 * f, 5.0, 25.0 + 4 * f, 8.0, 15.0 + 4 * f, 30.0]],
                                track_id=3))
        annotations.append(_ann(600 + f, 100 + f, 1, compressed(ellipse(40 - 3 * f, 25, 10, 15)), track_id=4,
                                keypoints=keypoints(10 + f, vis_b), num_keypoints=15))
    categories = [
        {"id": 1, "name": "person", "supercategory": "person", "keypoints": list(PERSON_KEYPOINTS),
         "skeleton": COCO_SKELETON},
        {"id": 5, "name": "shape", "supercategory": "thing"},
        {"id": 90, "name": "blob", "supercategory": "thing"},
    ]
    videos = [{"id": 7, "name": "clip", "file_name": "video/clip.mp4", "width": W, "height": H, "fps": 10.0,
               "length": 4}]
    # Categories last, as in COCO's own files.
    return {"info": {"description": "kinetag test"}, "licenses": [], "videos": videos,
            "images": images + frames, "annotations": annotations, "categories": categories}


def captions_dict() -> dict:
    images = [{"id": iid, "file_name": f"images/img_{iid}.png", "width": W, "height": H} for iid in (3, 10, 11)]
    return {"info": {}, "images": images, "annotations": [
        {"id": 1, "image_id": 3, "caption": "a triangle and a blob"},
        {"id": 2, "image_id": 3, "caption": "two things on noise"},
        {"id": 7, "image_id": 10, "caption": "a person \"standing\" near a crowd \u00e9"},
        {"id": 9, "image_id": 11, "caption": "a person and two squares"},
    ]}


def results_list() -> list[dict]:
    return [
        {"image_id": 3, "category_id": 5, "bbox": [9.0, 9.0, 22.0, 21.0], "score": 0.9},
        {"image_id": 10, "category_id": 90, "segmentation": compressed(ellipse(20, 20, 6, 6)), "score": 0.7},
        {"image_id": 11, "category_id": 1, "keypoints": [float(v) for v in keypoints(5, [2] * 17)], "score": 0.8},
        {"image_id": 102, "category_id": 5, "bbox": [1.0, 2.0, 10.0, 10.0], "score": 0.5},
    ]


def build_dataset(root: Path) -> dict[str, Path]:
    """Write media and the three COCO files under ``root``; returns their paths."""
    for n, iid in enumerate((3, 10, 11)):
        write_png(root / "images" / f"img_{iid}.png", seed=n)
    rng = np.random.default_rng(7)
    (root / "video").mkdir(parents=True, exist_ok=True)
    write_video(root / "video" / "clip.mp4", (rng.integers(0, 255, (H, W, 3), dtype=np.uint8) for _ in range(4)),
                fps=10)
    paths = {"dataset": root / "dataset.json", "captions": root / "captions.json", "results": root / "results.json"}
    write_json(paths["dataset"], dataset_dict())
    write_json(paths["captions"], captions_dict())
    write_json(paths["results"], results_list())
    return paths


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


TABLES = ("assets", "frames", "categories", "instances", "captions", "tracks", "model_versions", "corrections",
          "project_info")


def snapshot(project: Path) -> dict[str, list[tuple]]:
    """Every row of the tables an import touches, read with plain sqlite3."""
    import sqlite3
    with sqlite3.connect(project) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}
