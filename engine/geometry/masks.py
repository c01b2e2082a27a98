"""Masks as COCO RLE: the one representation the store, COCO I/O, inference and GUI share.

An RLE here is always ``{"size": [h, w], "counts": str}`` with compressed
counts (pycocotools' LEB128-like string), the smallest form and the one
COCO's own tools read fastest.
"""
from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils


def encode_mask(mask: np.ndarray) -> dict:
    """Boolean or 0/1 array (h, w) -> compressed RLE with str counts."""
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8, copy=False)))
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def _for_pycoco(rle: dict) -> dict:
    counts = rle["counts"]
    if isinstance(counts, str):
        counts = counts.encode("ascii")
    return {"size": list(rle["size"]), "counts": counts}


def decode_mask(rle: dict) -> np.ndarray:
    """Compressed or uncompressed RLE -> bool array (h, w)."""
    if isinstance(rle.get("counts"), list):
        rle = normalize_rle(rle)
    return mask_utils.decode(_for_pycoco(rle)).astype(bool)


def normalize_rle(rle: dict) -> dict:
    """Uncompressed (list counts, as in iscrowd COCO files) or bytes counts -> compressed str counts."""
    h, w = (int(v) for v in rle["size"])
    counts = rle["counts"]
    if isinstance(counts, list):
        compressed = mask_utils.frPyObjects({"size": [h, w], "counts": counts}, h, w)
        return {"size": [h, w], "counts": compressed["counts"].decode("ascii")}
    if isinstance(counts, bytes):
        counts = counts.decode("ascii")
    return {"size": [h, w], "counts": counts}


def mask_area(rle: dict) -> float:
    return float(mask_utils.area(_for_pycoco(normalize_rle(rle))))


def mask_bbox(rle: dict) -> tuple[float, float, float, float]:
    """Tight XYWH box of the mask, as COCO computes it."""
    x, y, w, h = mask_utils.toBbox(_for_pycoco(normalize_rle(rle)))
    return float(x), float(y), float(w), float(h)


def polygons_to_rle(polygons: list[list[float]], height: int, width: int) -> dict:
    """Rasterise COCO polygons the way pycocotools does (so areas and IoUs agree with COCOeval)."""
    rles = mask_utils.frPyObjects([list(map(float, p)) for p in polygons], height, width)
    merged = mask_utils.merge(rles)
    return {"size": [height, width], "counts": merged["counts"].decode("ascii")}
