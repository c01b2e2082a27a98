"""What an instance looks like, precomputed once per change, Qt-light.

Plain floats and lists, so the batched layers can pour a tile's worth of
instances into numpy arrays in one go and the live items can build their own
paths from the same numbers. Coordinates are image pixels (= scene units).
"""
from __future__ import annotations

from engine.model import Category, Instance

MARGIN = 2.0  # scene units around the bounds, for pen width at 1:1 zoom


class InstanceGeometry:
    __slots__ = ("rect", "bounds", "segments", "points", "occluded", "rings", "mask", "label")

    def __init__(self, inst: Instance, category: Category | None):
        self.rect = tuple(float(v) for v in inst.bbox) if inst.bbox is not None else None
        self.mask = inst.mask
        self.rings = [list(map(float, r)) for r in (inst.polygons or []) if len(r) >= 6]
        # points / occluded: side -> flat [x, y, ...]; side 0 = centre, 1 = left, 2 = right
        self.points: tuple[list, list, list] = ([], [], [])
        self.occluded: tuple[list, list, list] = ([], [], [])
        self.segments: list[float] = []
        kp = inst.keypoints or []
        if kp:
            sides = _sides(category, len(kp) // 3)
            for k in range(len(kp) // 3):
                v = kp[3 * k + 2]
                if v > 0:
                    target = self.points if v >= 2 else self.occluded
                    target[sides[k]].extend((float(kp[3 * k]), float(kp[3 * k + 1])))
            for a, b in (category.skeleton if category else []):
                if a < len(kp) // 3 and b < len(kp) // 3 and kp[3 * a + 2] > 0 and kp[3 * b + 2] > 0:
                    self.segments.extend((kp[3 * a], kp[3 * a + 1], kp[3 * b], kp[3 * b + 1]))
        self.bounds = self._bounds(inst)
        name = category.name if category else f"category {inst.category_id}"
        self.label = name if inst.score is None else f"{name} {inst.score:.2f}"

    def _bounds(self, inst: Instance) -> tuple[float, float, float, float]:
        xs, ys = [], []
        if self.rect is not None:
            x, y, w, h = self.rect
            xs += [x, x + w]
            ys += [y, y + h]
        for flat in (*self.points, *self.occluded, *self.rings):
            if flat:
                xs += [min(flat[0::2]), max(flat[0::2])]
                ys += [min(flat[1::2]), max(flat[1::2])]
        if self.mask is not None and self.rect is None:
            from engine.geometry import mask_bbox
            x, y, w, h = mask_bbox(self.mask)
            xs += [x, x + w]
            ys += [y, y + h]
        if not xs:
            return (0.0, 0.0, 0.0, 0.0)
        return (min(xs) - MARGIN, min(ys) - MARGIN, max(xs) + MARGIN, max(ys) + MARGIN)

    @property
    def anchor(self) -> tuple[float, float]:
        """Where the label goes: the box's top-left, else the bounds'."""
        if self.rect is not None:
            return self.rect[0], self.rect[1]
        return self.bounds[0] + MARGIN, self.bounds[1] + MARGIN

    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bounds
        return (x0 + x1) / 2, (y0 + y1) / 2


_SIDE_CACHE: dict[tuple, list[int]] = {}


def _sides(category: Category | None, n: int) -> list[int]:
    """0 centre, 1 left, 2 right per keypoint; left is the first of each flip pair."""
    pairs = tuple(tuple(p) for p in (category.flip_pairs if category else ()))
    key = (pairs, n)
    sides = _SIDE_CACHE.get(key)
    if sides is None:
        sides = [0] * n
        for a, b in pairs:
            if a < n:
                sides[a] = 1
            if b < n:
                sides[b] = 2
        _SIDE_CACHE[key] = sides
    return sides
