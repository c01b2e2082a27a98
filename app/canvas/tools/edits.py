"""Geometry edits shared by the tools: pure functions from an Instance to an edited copy."""
from __future__ import annotations

import numpy as np

from engine.geometry import decode_mask, encode_mask, mask_area, mask_bbox, polygons_to_rle
from engine.model import Instance


def rings_bbox(rings: list) -> tuple[float, float, float, float] | None:
    xs = [v for r in rings for v in r[0::2]]
    ys = [v for r in rings for v in r[1::2]]
    if not xs:
        return None
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def with_polygons(inst: Instance, rings: list, height: int, width: int) -> Instance:
    """New polygon rings; box and area follow them (as COCO computes area: rasterised)."""
    rings = [list(map(float, r)) for r in rings if len(r) >= 6]
    area = mask_area(polygons_to_rle(rings, height, width)) if rings else None
    return inst.copy(polygons=rings or None, bbox=rings_bbox(rings) or inst.bbox, area=area)


def translated(inst: Instance, dx: float, dy: float) -> Instance:
    """The whole instance moved by (dx, dy): box, keypoints, polygons and mask (by whole pixels)."""
    changes: dict = {}
    if inst.bbox is not None:
        x, y, w, h = inst.bbox
        changes["bbox"] = (x + dx, y + dy, w, h)
    if inst.keypoints:
        kp = list(inst.keypoints)
        for k in range(0, len(kp) - 2, 3):
            if kp[k + 2] > 0:
                kp[k] += dx
                kp[k + 1] += dy
        changes["keypoints"] = kp
    if inst.polygons:
        changes["polygons"] = [[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(r)] for r in inst.polygons]
    if inst.mask is not None:
        changes["mask"] = shifted_mask(inst.mask, int(round(dx)), int(round(dy)))
        changes["area"] = mask_area(changes["mask"])
    return inst.copy(**changes)


def shifted_mask(rle: dict, dx: int, dy: int) -> dict:
    """The mask moved by whole pixels; what leaves the frame is cut off."""
    m = decode_mask(rle)
    h, w = m.shape
    out = np.zeros_like(m)
    src_y, dst_y = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    src_x, dst_x = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    if abs(dx) < w and abs(dy) < h:
        out[dst_y, dst_x] = m[src_y, src_x]
    return encode_mask(out)


def painted(inst: Instance, stroke: np.ndarray, erase: bool) -> Instance | None:
    """``inst`` with a brush (or eraser) stroke applied to its mask; None if nothing changed.

    Polygons are folded into the mask first: a brush edit replaces them.
    """
    h, w = stroke.shape
    base = np.zeros((h, w), dtype=bool)
    if inst.mask is not None:
        base |= decode_mask(inst.mask)
    if inst.polygons:
        base |= decode_mask(polygons_to_rle(inst.polygons, h, w))
    result = base & ~stroke if erase else base | stroke
    if np.array_equal(result, base) and not inst.polygons:
        return None
    if not result.any():
        return inst.copy(mask=None, polygons=None, area=None)
    rle = encode_mask(result)
    box = mask_bbox(rle)
    if inst.bbox is not None and inst.mask is None and not inst.polygons:
        # A plain box that gets a mask keeps covering what it covered.
        x0, y0 = min(box[0], inst.bbox[0]), min(box[1], inst.bbox[1])
        x1 = max(box[0] + box[2], inst.bbox[0] + inst.bbox[2])
        y1 = max(box[1] + box[3], inst.bbox[1] + inst.bbox[3])
        box = (x0, y0, x1 - x0, y1 - y0)
    return inst.copy(mask=rle, polygons=None, bbox=box, area=mask_area(rle))
