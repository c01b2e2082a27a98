"""The current frame's instances as arrays, for batched drawing and hit-testing.

A frame may hold a thousand instances: per-instance Python objects (let alone
QGraphicsItems) would cost more than the whole switch budget. Rows follow the
document's instance order; numpy arrays hold what the layers draw (boxes,
keypoints) and what hit-tests read (bounds); small Python lists hold the rest
(polygons, masks, labels). One edit rewrites one row.
"""
from __future__ import annotations

import numpy as np

from app.canvas import colors
from app.canvas.geometry import MARGIN, _sides
from engine.model import Category, Instance

TILE = 512  # image pixels: ~12 tiles and ~85 instances per tile at 1,000 per 1080p frame


class FrameModel:
    def __init__(self, categories: dict[int, Category], color_by: str, shown):
        self.categories = categories
        self.color_by = color_by
        self._shown_fn = shown
        self.insts: list[Instance] = []
        self.row_of: dict[int, int] = {}
        self.kdim = 0
        self._alloc(0)

    def _alloc(self, n: int) -> None:
        self.bbox = np.full((n, 4), np.nan)
        self.bounds = np.zeros((n, 4))
        self.kp = np.zeros((n, self.kdim, 3))
        self.rgba = np.zeros(n, dtype=np.uint32)
        self.style = np.zeros(n, dtype=np.int8)
        self.cat = np.zeros(n, dtype=np.int64)
        self.tile = np.zeros(n, dtype=np.int64)
        self.shown = np.ones(n, dtype=bool)
        self.live = np.zeros(n, dtype=bool)
        self.selected = np.zeros(n, dtype=bool)
        self.labels: list[str] = [""] * n

    # -- building -------------------------------------------------------------------
    def reset(self, instances: list[Instance]) -> None:
        self.insts = list(instances)
        self.row_of = {inst.id: r for r, inst in enumerate(self.insts)}
        self.kdim = max((len(i.keypoints) // 3 for i in self.insts if i.keypoints), default=0)
        self._alloc(len(self.insts))
        boxes = [i.bbox if i.bbox is not None else (np.nan,) * 4 for i in self.insts]
        if boxes:
            self.bbox[:] = np.asarray(boxes, dtype=np.float64)
        full = [r for r, i in enumerate(self.insts) if i.keypoints and len(i.keypoints) == 3 * self.kdim]
        if full:  # the usual case: every skeleton has all the category's points, one array op
            self.kp[full] = np.asarray([self.insts[r].keypoints for r in full], dtype=np.float64).reshape(
                len(full), self.kdim, 3)
        colours: dict = {}
        for r, inst in enumerate(self.insts):
            if inst.keypoints and len(inst.keypoints) != 3 * self.kdim:
                k = len(inst.keypoints) // 3
                self.kp[r, :k] = np.asarray(inst.keypoints[:3 * k], dtype=np.float64).reshape(k, 3)
            self._row_meta(r, inst, colours)
        self._bounds(np.arange(len(self.insts)))

    def _row_meta(self, r: int, inst: Instance, colours: dict | None = None) -> None:
        """``colours``: a cache for a whole-frame pass (a QColor per row is most of its cost)."""
        cat = self.categories.get(inst.category_id)
        if colours is None:
            self.rgba[r] = colors.color_for(inst, cat, self.color_by).rgba()
        else:
            key = colors.color_key(inst, self.color_by)
            rgba = colours.get(key)
            if rgba is None:
                rgba = colours[key] = colors.color_for(inst, cat, self.color_by).rgba()
            self.rgba[r] = rgba
        self.style[r] = colors.line_style(inst)
        self.cat[r] = inst.category_id
        self.shown[r] = self._shown_fn(inst)
        name = cat.name if cat else f"category {inst.category_id}"
        self.labels[r] = name if inst.score is None else f"{name} {inst.score:.2f}"

    def _bounds(self, rows: np.ndarray) -> None:
        """Bounds of box and placed keypoints (vectorised); polygons and bare masks per row."""
        if rows.size == 0:
            return
        inf = np.inf
        b = self.bbox[rows]
        x0 = np.where(np.isnan(b[:, 0]), inf, b[:, 0])
        y0 = np.where(np.isnan(b[:, 1]), inf, b[:, 1])
        x1 = np.where(np.isnan(b[:, 0]), -inf, b[:, 0] + b[:, 2])
        y1 = np.where(np.isnan(b[:, 1]), -inf, b[:, 1] + b[:, 3])
        if self.kdim:
            kp = self.kp[rows]
            placed = kp[:, :, 2] > 0
            x0 = np.minimum(x0, np.where(placed, kp[:, :, 0], inf).min(axis=1))
            y0 = np.minimum(y0, np.where(placed, kp[:, :, 1], inf).min(axis=1))
            x1 = np.maximum(x1, np.where(placed, kp[:, :, 0], -inf).max(axis=1))
            y1 = np.maximum(y1, np.where(placed, kp[:, :, 1], -inf).max(axis=1))
        for n, r in enumerate(rows):
            inst = self.insts[r]
            extra = _extra_bounds(inst) if inst.polygons or (inst.mask is not None and inst.bbox is None) else None
            if extra is not None:
                x0[n], y0[n] = min(x0[n], extra[0]), min(y0[n], extra[1])
                x1[n], y1[n] = max(x1[n], extra[2]), max(y1[n], extra[3])
        empty = ~np.isfinite(x0)
        x0[empty] = y0[empty] = x1[empty] = y1[empty] = 0.0
        self.bounds[rows] = np.stack([x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN], axis=1)
        cx = (self.bounds[rows, 0] + self.bounds[rows, 2]) / 2
        cy = (self.bounds[rows, 1] + self.bounds[rows, 3]) / 2
        self.tile[rows] = (np.floor(cy / TILE).astype(np.int64) << 20) + np.floor(cx / TILE).astype(np.int64)

    # -- edits (each returns the tiles it touched) ---------------------------------------
    def update(self, inst: Instance) -> set[int]:
        r = self.row_of[inst.id]
        old_tile = int(self.tile[r])
        self.insts[r] = inst
        self.bbox[r] = inst.bbox if inst.bbox is not None else (np.nan,) * 4
        self._set_kp(r, inst)
        self._row_meta(r, inst)
        self._bounds(np.array([r]))
        return {old_tile, int(self.tile[r])}

    def _set_kp(self, r: int, inst: Instance) -> None:
        k = len(inst.keypoints) // 3 if inst.keypoints else 0
        if k > self.kdim:
            grown = np.zeros((len(self.insts), k, 3))
            grown[:, :self.kdim] = self.kp
            self.kp, self.kdim = grown, k
        self.kp[r] = 0.0
        if k:
            self.kp[r, :k] = np.asarray(inst.keypoints[:3 * k], dtype=np.float64).reshape(k, 3)

    def add(self, instances: list[Instance]) -> set[int]:
        live_ids = {self.insts[r].id for r in np.flatnonzero(self.live)}
        sel_ids = {self.insts[r].id for r in np.flatnonzero(self.selected)}
        self.reset(self.insts + list(instances))
        self.set_flags(sel_ids, live_ids)
        return {int(self.tile[self.row_of[i.id]]) for i in instances}

    def remove(self, ids) -> set[int]:
        gone = {i for i in ids if i in self.row_of}
        if not gone:
            return set()
        touched = {int(self.tile[self.row_of[i]]) for i in gone}
        live_ids = {self.insts[r].id for r in np.flatnonzero(self.live)} - gone
        sel_ids = {self.insts[r].id for r in np.flatnonzero(self.selected)} - gone
        self.reset([i for i in self.insts if i.id not in gone])
        self.set_flags(sel_ids, live_ids)
        return touched

    def set_flags(self, selected: set[int], live: set[int]) -> set[int]:
        """Selection and liveness; returns the tiles whose drawing changed."""
        sel = np.zeros(len(self.insts), dtype=bool)
        lv = np.zeros(len(self.insts), dtype=bool)
        for iid in selected:
            r = self.row_of.get(iid)
            if r is not None:
                sel[r] = True
                lv[r] = iid in live
        changed = (sel != self.selected) | (lv != self.live)
        self.selected, self.live = sel, lv
        return {int(t) for t in self.tile[changed]}

    def refresh_meta(self) -> None:
        """Colours, styles, filters and labels again (colour mode, categories, thresholds)."""
        colours: dict = {}
        for r, inst in enumerate(self.insts):
            self._row_meta(r, inst, colours)

    def refresh_shown(self) -> set[int]:
        new = np.fromiter((self._shown_fn(i) for i in self.insts), dtype=bool, count=len(self.insts))
        changed = new != self.shown
        self.shown = new
        return {int(t) for t in self.tile[changed]}

    # -- queries ---------------------------------------------------------------------
    def sides(self, category_id: int) -> np.ndarray:
        return np.asarray(_sides(self.categories.get(category_id), self.kdim), dtype=np.int8)

    def rows_at(self, x: float, y: float) -> np.ndarray:
        b = self.bounds
        return np.flatnonzero(self.shown & (b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))

    def count_in(self, x0: float, y0: float, x1: float, y1: float) -> int:
        b = self.bounds
        return int(np.count_nonzero(self.shown & (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)))

    def rows_in(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        b = self.bounds
        return np.flatnonzero(self.shown & (b[:, 0] + MARGIN >= x0) & (b[:, 1] + MARGIN >= y0)
                              & (b[:, 2] - MARGIN <= x1) & (b[:, 3] - MARGIN <= y1))


def _extra_bounds(inst: Instance):
    xs, ys = [], []
    for ring in inst.polygons or []:
        if ring:
            xs += [min(ring[0::2]), max(ring[0::2])]
            ys += [min(ring[1::2]), max(ring[1::2])]
    if inst.mask is not None and inst.bbox is None:
        from engine.geometry import mask_bbox
        x, y, w, h = mask_bbox(inst.mask)
        if w > 0 and h > 0:
            xs += [x, x + w]
            ys += [y, y + h]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None
