"""All the masks of a frame as one image, kept in step with the frame's edits.

A crowded frame has a thousand masks; an image and a draw call apiece cost
more than the frame's pixels. Instead two frame-sized rasters are kept:

- ``owner``: for each pixel, the slot of the instance whose mask is on top
  there (0: none). Painted in one go from all the RLEs (rle_raster.raster_masks:
  whole-array numpy, in a worker process on a switch: raster_pool.py), and again
  only inside the box of an instance that changed. Until the first
  edit it is kept as column-major runs (rle_raster.Runs), a tenth of the size,
  which are coloured without expanding the slots first.
- ``pixels``: ``lut[owner]``, premultiplied ARGB32 with colour and opacity;
  colour, category or opacity changes only rebuild the small lookup table and
  redo this one gather.

Where masks overlap, the later instance covers the earlier one rather than
blending with it, so a pixel shows one instance's colour. Instances drawn by
their own item (selected, "live") and hidden ones are left out of ``owner``.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from concurrent.futures import Future

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from app.canvas.frame_model import FrameModel
from app.canvas.items.mask import MASKS, with_alpha
from engine.geometry.rle_raster import Runs, raster_masks

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), image pixels


def premultiplied(rgba: np.ndarray) -> np.ndarray:
    """0xAARRGGBB (straight alpha, QColor.rgba) -> ARGB32_Premultiplied pixel values."""
    rgba = np.asarray(rgba, dtype=np.uint32)
    a = (rgba >> 24) & 0xFF
    r = ((rgba >> 16) & 0xFF) * a // 255
    g = ((rgba >> 8) & 0xFF) * a // 255
    b = (rgba & 0xFF) * a // 255
    return ((a << 24) | (r << 16) | (g << 8) | b).astype(np.uint32)


def _drawn(fm: FrameModel) -> np.ndarray:
    has_mask = np.fromiter((i.mask is not None for i in fm.insts), dtype=bool, count=len(fm.insts))
    return has_mask & fm.shown & ~fm.live


class FrameMasks:
    """The mask raster of one frame (``width`` x ``height``) for one FrameModel's instances."""

    def __init__(self, width: int, height: int):
        self.width, self.height = max(1, int(width)), max(1, int(height))
        self._slot_ids: list[int | None] = [None]  # slot -> instance id; slot 0 is "no mask"
        self._slot_of: dict[int, int] = {}
        self._box_of: dict[int, Box] = {}  # instance id -> its mask's box, for drawn instances
        self._owner: np.ndarray | None = None
        self._runs: Runs | None = None  # the owner raster before it is needed as an array (edits)
        self._pixels: np.ndarray | None = None
        self._image: QImage | None = None
        self._lut = np.zeros(1, dtype=np.uint32)  # slot -> pixel value
        self._pending: Future | None = None
        self._view_key = None  # (opacity, colours) the pixels were made for

    # -- building ---------------------------------------------------------------
    def _inputs(self, instances: list, drawn) -> tuple[list[dict], np.ndarray]:
        ids = [inst.id for inst, d in zip(instances, drawn) if d]
        self._slot_ids = [None, *ids]
        self._slot_of = {iid: k + 1 for k, iid in enumerate(ids)}
        self._owner = self._runs = self._pixels = self._image = None
        self._view_key = None
        return [inst.mask for inst, d in zip(instances, drawn) if d], np.arange(1, len(ids) + 1, dtype=np.uint32)

    def _install(self, painted: tuple) -> None:
        slots, boxes = painted
        self._owner, self._runs = (None, slots) if isinstance(slots, Runs) else (slots, None)
        boxes = boxes.tolist() if isinstance(boxes, np.ndarray) else boxes  # plain ints, in one call
        self._box_of = {iid: tuple(box) for iid, box in zip(self._slot_ids[1:], boxes) if box[2] > box[0]}

    def paint_all(self, fm: FrameModel) -> None:
        """Raster every drawn mask of ``fm`` now (on any thread that owns ``fm`` meanwhile)."""
        self._pending = None  # a raster still on its way is of older instances: drop it
        rles, slots = self._inputs(fm.insts, _drawn(fm))
        self._install(raster_masks(rles, slots, self.height, self.width) if rles else (None, []))

    def paint_later(self, instances: list, shown, pool) -> None:
        """Raster in ``pool`` (a raster_pool.RasterPool) the masks of ``instances`` for which
        ``shown(instance)`` (none live: a frame just switched to). What to paint is read here, so the caller may
        go on; ``colour_later`` may follow at once, and the first ``image()`` or edit waits."""
        drawn = [inst.mask is not None and shown(inst) for inst in instances]
        rles, slots = self._inputs(instances, drawn)
        if not rles:  # nothing to raster: no frame-sized array until a mask appears
            self._install((None, []))
            return
        self._pending = pool.raster(rles, slots, self.height, self.width)

    def colour_later(self, fm: FrameModel, opacity: float, pool) -> None:
        """Colour the raster on ``pool``'s thread after ``paint_later`` (which it waits for
        there); the lookup table is made here, from ``fm`` as it is now."""
        if self._pending is None:
            return
        painted, lut, key = self._pending, self._lookup(fm, opacity), (opacity, fm.rgba.tobytes())

        def colour():
            slots, boxes = painted.result()
            return slots, boxes, lut, _coloured(slots, lut)

        self._pending = pool.submit(colour)
        self._view_key = key

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            done = pending.result()
            self._install(done[:2])
            if len(done) == 4:
                self._lut, self._pixels = done[2], done[3]
                self._image = self._wrap(self._pixels)

    def _wrap(self, pixels: np.ndarray) -> QImage:
        return QImage(pixels.data, self.width, self.height, self.width * 4, QImage.Format.Format_ARGB32_Premultiplied)

    # -- drawing ----------------------------------------------------------------
    def pending(self) -> bool:
        """Is a raster still being made (``image()`` would wait for it)?"""
        return self._pending is not None and not self._pending.done()

    def image(self, fm: FrameModel, opacity: float) -> QImage | None:
        """The coloured raster for ``fm``'s current colours at ``opacity`` (None: no masks)."""
        self._wait()
        if (self._owner is None and self._runs is None) or not self._box_of:
            return None
        key = (opacity, fm.rgba.tobytes())
        if self._pixels is None or self._view_key != key:
            self._lut = self._lookup(fm, opacity)
            self._pixels = _coloured(self._runs if self._owner is None else self._owner, self._lut)
            self._image = self._wrap(self._pixels)
            self._view_key = key
        return self._image

    def shrink(self) -> None:
        """Drop the coloured pixels (a frame-sized copy) of a frame no longer shown; image()
        makes them again from the slot raster, one lookup, if the frame is shown again."""
        if self._pending is None:
            self._pixels = self._image = None

    def _lookup(self, fm: FrameModel, opacity: float) -> np.ndarray:
        """Slot -> premultiplied pixel: the row's colour with ``opacity`` as its alpha (0 for
        slot 0 and for instances no longer in ``fm``)."""
        rows = np.fromiter((fm.row_of.get(iid, -1) if iid is not None else -1 for iid in self._slot_ids),
                           dtype=np.int64, count=len(self._slot_ids))
        lut = np.zeros(rows.size, dtype=np.uint32)
        known = rows >= 0
        alpha = np.uint32(with_alpha(0, opacity))
        lut[known] = (fm.rgba[rows[known]].astype(np.uint32) & np.uint32(0x00FFFFFF)) | alpha
        return premultiplied(lut)

    # -- edits --------------------------------------------------------------------
    def box(self, instance_id: int) -> Box | None:
        return self._box_of.get(instance_id)

    def refresh(self, fm: FrameModel, ids, opacity: float) -> list[QRectF]:
        """After the instances ``ids`` changed (geometry, colour, visibility, liveness, or gone):
        raster their old and new mask boxes again. Returns the image rectangles that changed."""
        self._wait()
        drawn = _drawn(fm)
        if self._owner is None and self._runs is not None:
            self._owner, self._runs = self._runs.expand(), None  # edits work on the array
        if self._owner is None:
            if not any(drawn[fm.row_of[i]] for i in ids if i in fm.row_of):
                return []
            self._owner = np.zeros((self.height, self.width), dtype=np.uint32)  # the frame's first mask
        regions = []
        for iid in ids:
            old = self._box_of.pop(iid, None)
            if old is not None:
                regions.append(old)
            r = fm.row_of.get(iid)
            if r is None or not drawn[r]:
                continue
            crop = MASKS.crop(fm.insts[r].mask)
            new = None if crop is None else _clip(
                (crop[0], crop[1], crop[0] + crop[2].shape[1], crop[1] + crop[2].shape[0]), self.width, self.height)
            if new is not None:
                self._box_of[iid] = new
                regions.append(new)
                if iid not in self._slot_of:
                    self._slot_of[iid] = len(self._slot_ids)
                    self._slot_ids.append(iid)
        for region in regions:
            self._repaint_region(fm, drawn, region)
        if self._pixels is not None and regions:
            self._recolour(fm, opacity, ids, regions)
        return [QRectF(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in regions]

    def _recolour(self, fm: FrameModel, opacity: float, ids, regions: list[Box]) -> None:
        """Colours for the changed slots, and the pixels of the changed regions only."""
        if len(self._lut) < len(self._slot_ids):
            self._lut = np.concatenate([self._lut, np.zeros(len(self._slot_ids) - len(self._lut), np.uint32)])
        for iid in ids:
            slot, r = self._slot_of.get(iid), fm.row_of.get(iid)
            if slot is not None:
                self._lut[slot] = premultiplied(with_alpha(int(fm.rgba[r]), opacity))[()] if r is not None else 0
        for x0, y0, x1, y1 in regions:
            self._pixels[y0:y1, x0:x1] = self._lut[self._owner[y0:y1, x0:x1]]
        # The pixels are current again only if nothing but these instances changed colour since
        # they were made (rows that moved, after an add or a remove, can't tell: image() redoes all).
        old, now = self._view_key, (opacity, fm.rgba.tobytes())
        if old is not None and old[0] == opacity and len(old[1]) == len(now[1]):
            differ = np.flatnonzero(np.frombuffer(old[1], dtype=np.uint32) != fm.rgba)
            if set(differ.tolist()) <= {fm.row_of[i] for i in ids if i in fm.row_of}:
                self._view_key = now

    def _repaint_region(self, fm: FrameModel, drawn: np.ndarray, region: Box) -> None:
        x0, y0, x1, y1 = region
        owner = self._owner[y0:y1, x0:x1]
        owner[:] = 0
        for r in np.flatnonzero(drawn):  # in row order: later instances cover earlier ones
            inst = fm.insts[r]
            box = self._box_of.get(inst.id)
            if box is None or box[0] >= x1 or box[2] <= x0 or box[1] >= y1 or box[3] <= y0:
                continue
            crop = MASKS.crop(inst.mask)
            if crop is None:
                continue
            cx, cy, bits = crop
            ix0, iy0 = max(x0, box[0]), max(y0, box[1])
            ix1, iy1 = min(x1, box[2]), min(y1, box[3])
            sub = bits[iy0 - cy:iy1 - cy, ix0 - cx:ix1 - cx]
            owner[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0][sub] = self._slot_of[inst.id]


def _coloured(slots: Runs | np.ndarray, lut: np.ndarray) -> np.ndarray:
    return slots.expand(lut) if isinstance(slots, Runs) else lut[slots]


def _clip(box: Box, width: int, height: int) -> Box | None:
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None
