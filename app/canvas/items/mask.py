"""Mask images: an RLE becomes a bbox-sized, coloured QImage once, then is reused.

Two caches: crops (bool arrays, keyed by the RLE counts) and images (ARGB32
premultiplied with colour and opacity baked in, keyed by counts + colour),
so a paint is a plain blend, and an opacity or colour change rebuilds images
from the crops without decoding again. Crops for a whole frame are decoded
in one batch (rle_raster.crops_many), on the GUI thread while painting or
on a prefetch thread beforehand: the lock guards the dictionaries only, never
a decode, so a paint never waits for a prefetch.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import threading
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from engine.geometry.rle_raster import crops_many

MaskImage = tuple[int, int, QImage]  # x0, y0 (image pixels), image


def _key(rle: dict) -> tuple:
    counts = rle["counts"]
    return (counts if isinstance(counts, str) else repr(counts), int(rle["size"][0]), int(rle["size"][1]))


def with_alpha(rgba: int, opacity: float) -> int:
    return (int(rgba) & 0x00FFFFFF) | (int(round(255 * min(1.0, max(0.0, opacity)))) << 24)


class MaskCache:
    def __init__(self, max_pixels: int = 48_000_000):
        self._crops: OrderedDict[tuple, tuple | None] = OrderedDict()
        self._images: OrderedDict[tuple, MaskImage | None] = OrderedDict()
        self._crop_px = self._image_px = 0
        self._max = max_pixels
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._crops.clear()
            self._images.clear()
            self._crop_px = self._image_px = 0

    def prepare(self, rles: list[dict]) -> None:
        """Decode, in one batch, the crops of these masks that are not cached yet (any thread)."""
        missing: dict[tuple, dict] = {}
        with self._lock:
            for rle in rles:
                k = _key(rle)
                if k not in self._crops and k not in missing:
                    missing[k] = rle
        if missing:
            crops = crops_many(list(missing.values()))
            with self._lock:
                for k, crop in zip(missing, crops):
                    self._put_crop(k, crop)

    def _put_crop(self, key, crop) -> None:
        self._crops[key] = crop
        if crop is not None:
            self._crop_px += crop[2].size
        while self._crop_px > self._max and len(self._crops) > 1:
            _, old = self._crops.popitem(last=False)
            if old is not None:
                self._crop_px -= old[2].size

    def crop(self, rle: dict):
        k = _key(rle)
        with self._lock:
            if k in self._crops:
                self._crops.move_to_end(k)
                return self._crops[k]
        self.prepare([rle])
        with self._lock:
            return self._crops.get(k)

    def get(self, rle: dict, rgba: int) -> MaskImage | None:
        """The mask's image; ``rgba``'s alpha is the opacity it is drawn with."""
        key = (_key(rle), rgba)
        with self._lock:
            hit = self._images.get(key, False)
            if hit is not False:
                self._images.move_to_end(key)
                return hit
        crop = self.crop(rle)
        made = None if crop is None else (crop[0], crop[1], _image(crop[2], rgba))
        with self._lock:
            self._images[key] = made
            if made is not None:
                self._image_px += made[2].width() * made[2].height()
                while self._image_px > self._max and len(self._images) > 1:
                    _, old = self._images.popitem(last=False)
                    if old is not None:
                        self._image_px -= old[2].width() * old[2].height()
        return made


def _image(bits: np.ndarray, rgba: int) -> QImage:
    data = bits.view(np.uint8)
    h, w = data.shape
    indexed = QImage(data.data, w, h, data.strides[0], QImage.Format.Format_Indexed8)
    indexed.setColorTable([0, rgba])
    # convertToFormat copies, so the numpy buffer may go.
    return indexed.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


MASKS = MaskCache()


class MaskItem(QGraphicsItem):
    """The mask of a live (selected) instance; the batched layer draws the rest."""

    def __init__(self, parent: QGraphicsItem):
        super().__init__(parent)
        self._image: MaskImage | None = None
        self._rect = QRectF()

    def set_mask(self, rle: dict | None, rgba: int) -> None:
        self.prepareGeometryChange()
        self._image = MASKS.get(rle, rgba) if rle else None
        if self._image is None:
            self._rect = QRectF()
        else:
            x0, y0, img = self._image
            self._rect = QRectF(x0, y0, img.width(), img.height())
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._image is not None:
            x0, y0, img = self._image
            painter.drawImage(x0, y0, img)
