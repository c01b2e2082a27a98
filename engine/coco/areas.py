"""Mask areas the way COCOeval computes them, for many instances per pycocotools call.

An RLE's area is its pixel count; a polygon annotation's is the pixel count of
its rings rasterised by pycocotools and merged, as ``COCO.annToRLE`` does.
"""
from __future__ import annotations

from pycocotools import mask as mask_utils

# pycocotools' area() sizes a NumPy uint8 array by the number of masks it gets
# (NumPy 2 refuses more than 255).
_AREA_CHUNK = 255


def rle_areas(rles: list[dict]) -> list[float]:
    """Compressed RLEs (str or bytes counts) -> areas."""
    objs = [{"size": r["size"], "counts": r["counts"].encode("ascii") if isinstance(r["counts"], str)
             else r["counts"]} for r in rles]
    return _areas(objs)


def polygon_areas(polygons: list[list[list[float]]], height: int, width: int) -> list[float]:
    """One area per instance (a list of rings), all on images of one size."""
    rings, spans = [], []
    for rings_of_one in polygons:
        # A ring of 4 numbers would make frPyObjects read the whole batch as boxes.
        good = [r for r in rings_of_one if len(r) >= 6]
        spans.append((len(rings), len(rings) + len(good)))
        rings += good
    if not rings:
        return [0.0] * len(polygons)
    rles = mask_utils.frPyObjects(rings, height, width)
    single = _areas(rles)
    out = []
    for start, stop in spans:
        if stop - start == 1:
            out.append(single[start])
        elif stop == start:
            out.append(0.0)
        else:
            out.append(float(mask_utils.area(mask_utils.merge(rles[start:stop]))))
    return out


def _areas(rles: list) -> list[float]:
    out: list[float] = []
    for i in range(0, len(rles), _AREA_CHUNK):
        out += [float(a) for a in mask_utils.area(rles[i:i + _AREA_CHUNK])]
    return out
