"""Spatial tiles of the frame's instances, each drawn as a few batched paths.

Drawing a thousand instances one QGraphicsItem each costs ~15 us of view
overhead per item before a pixel is touched. The layers instead draw, per tile
and per style (colour, line style, selected), all boxes as one path, all
skeleton edges as one path and the keypoints as numpy point lists (masks are
one image for the whole frame: frame_masks.py). An edit
dirties its tile (two if the instance moved), so it rebuilds ~1/40 of the
frame; a small repaint visits only the tiles it touches.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import numpy as np
from PySide6.QtCore import QRectF

from app.canvas.frame_model import FrameModel
from app.canvas.paths import circles_path, rects_path, rings_path, segments_path


class StyleGroup:
    __slots__ = ("key", "boxes", "rings", "edges", "points", "occluded", "occluded_pts", "_circles")

    def __init__(self, key):
        self.key = key
        self.boxes = self.rings = self.edges = None
        self.points: list = [None, None, None]    # per side (centre, left, right): (xs, ys)
        self.occluded: list = [None, None, None]  # per side: (n, 2) centres
        self.occluded_pts: list = [None, None, None]  # per side: (xs, ys), for overview dots
        self._circles: tuple = (None, None)

    def occluded_paths(self, radius: float) -> list:
        key = round(radius, 4)
        if self._circles[0] != key:
            self._circles = (key, [circles_path(c, radius) if c is not None else None for c in self.occluded])
        return self._circles[1]


class Tile:
    __slots__ = ("key", "dirty", "groups", "labels", "rect")

    def __init__(self, key: int):
        self.key = key
        self.dirty = True
        self.groups: list[StyleGroup] = []
        self.labels: list[tuple[float, float, str, int]] = []
        self.rect = QRectF()

    def build(self, fm: FrameModel, rows: np.ndarray) -> None:
        rows = rows[fm.shown[rows] & ~fm.live[rows]]
        self.groups, self.labels = [], []
        self.dirty = False
        if rows.size == 0:
            self.rect = QRectF()
            return
        b = fm.bounds[rows]
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        self.rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        keys = np.stack([fm.rgba[rows].astype(np.int64), fm.style[rows], fm.selected[rows]], axis=1)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        for g, key in enumerate(uniq):
            self.groups.append(_group(fm, rows[inverse == g], (int(key[0]), int(key[1]), bool(key[2]))))
        # Plain Python values in one pass each: per-row numpy indexing costs more than the rest of a build.
        rgba = fm.rgba[rows].tolist()
        bx = fm.bbox[rows]
        no_box = np.isnan(bx[:, 0])
        ax = np.where(no_box, fm.bounds[rows, 0], bx[:, 0]).tolist()
        ay = np.where(no_box, fm.bounds[rows, 1], bx[:, 1]).tolist()
        labels = fm.labels
        self.labels = [(ax[k], ay[k], labels[r], rgba[k]) for k, r in enumerate(rows.tolist())]


def _group(fm: FrameModel, rows: np.ndarray, key) -> StyleGroup:
    g = StyleGroup(key)
    boxes = fm.bbox[rows]
    boxes = boxes[~np.isnan(boxes[:, 0])]
    if boxes.size:
        g.boxes = rects_path(boxes)
    rings = [ring for r in rows for ring in (fm.insts[r].polygons or []) if len(ring) >= 6]
    if rings:
        g.rings = rings_path(rings)
    if fm.kdim:
        _keypoints(fm, rows, g)
    return g


def _keypoints(fm: FrameModel, rows: np.ndarray, g: StyleGroup) -> None:
    kp_rows = rows[(fm.kp[rows, :, 2] > 0).any(axis=1)]
    if kp_rows.size == 0:
        return
    segs, pts = [], ([], [], [])
    occ = ([], [], [])
    for cid in np.unique(fm.cat[kp_rows]):
        sub = kp_rows[fm.cat[kp_rows] == cid]
        kp = fm.kp[sub]
        cat = fm.categories.get(int(cid))
        edges = np.asarray([e for e in (cat.skeleton if cat else []) if max(e) < fm.kdim], dtype=np.int64)
        if edges.size:
            a, b = kp[:, edges[:, 0]], kp[:, edges[:, 1]]
            ok = (a[..., 2] > 0) & (b[..., 2] > 0)
            segs.append(np.concatenate([a[..., :2], b[..., :2]], axis=-1)[ok])
        sides = fm.sides(int(cid))
        vis = kp[:, :, 2]
        for side in range(3):
            on_side = sides == side
            pts[side].append(kp[:, on_side][vis[:, on_side] >= 2][:, :2])
            occ[side].append(kp[:, on_side][(vis[:, on_side] > 0) & (vis[:, on_side] < 2)][:, :2])
    if segs:
        all_segs = np.concatenate(segs)
        if len(all_segs):
            g.edges = segments_path(all_segs)
    for side in range(3):
        p = np.concatenate(pts[side]) if pts[side] else np.zeros((0, 2))
        if len(p):
            g.points[side] = (np.ascontiguousarray(p[:, 0]), np.ascontiguousarray(p[:, 1]))
        o = np.concatenate(occ[side]) if occ[side] else np.zeros((0, 2))
        if len(o):
            g.occluded[side] = o
            g.occluded_pts[side] = (np.ascontiguousarray(o[:, 0]), np.ascontiguousarray(o[:, 1]))


class TileIndex:
    """Tiles keyed by FrameModel.tile codes; rebuilt lazily when drawn."""

    def __init__(self):
        self.tiles: dict[int, Tile] = {}
        self._rows: dict[int, np.ndarray] = {}
        self._fm: FrameModel | None = None

    def reset(self, fm: FrameModel) -> None:
        self._fm = fm
        self.tiles = {}
        self.regroup()

    def regroup(self) -> None:
        """Recompute which rows are in which tile (after rows were added or removed)."""
        fm = self._fm
        order = np.argsort(fm.tile, kind="stable")
        codes = fm.tile[order]
        cuts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if codes.size else np.zeros(0, int)
        self._rows = {int(codes[c]): order[c:e] for c, e in zip(cuts, np.r_[cuts[1:], codes.size])}
        old = self.tiles
        self.tiles = {k: old.get(k) or Tile(k) for k in self._rows}
        for t in self.tiles.values():
            t.dirty = True

    def mark(self, keys) -> None:
        moved = False
        for k in keys:
            t = self.tiles.get(k)
            if t is None:
                moved = True
            else:
                t.dirty = True
        if moved or any(k not in self._rows for k in keys):
            self.regroup()
        else:
            # A row may have changed tile: recompute membership for the touched tiles only.
            fm = self._fm
            for k in keys:
                self._rows[k] = np.flatnonzero(fm.tile == k)

    def mark_all(self) -> None:
        for t in self.tiles.values():
            t.dirty = True

    def build_tile(self, t: Tile) -> None:
        if t.dirty:
            t.build(self._fm, self._rows.get(t.key, np.zeros(0, dtype=np.int64)))

    def visible(self, exposed: QRectF) -> list[Tile]:
        out = []
        for k, t in self.tiles.items():
            if t.dirty:
                t.build(self._fm, self._rows.get(k, np.zeros(0, dtype=np.int64)))
            if not t.rect.isEmpty() and t.rect.intersects(exposed):
                out.append(t)
        return out
