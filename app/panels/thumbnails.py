"""Asset thumbnails decoded off the GUI thread and kept in a small LRU cache.

The list asks for a thumbnail only when it paints a row, so scrolling through
100k assets decodes just the rows that were on screen. Requests that piled up
behind a fast scroll are dropped rather than decoded late.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, QRunnable, QSize, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(64, 48)
_MAX_PENDING = 96  # more than a screenful: the rest scrolled away already


def _load_thumbnail(path: Path, is_video: bool, size: QSize) -> QImage:
    if is_video:
        from engine.media import VideoReader  # PyAV import is slow; only pay it when a video shows up
        with VideoReader(path) as reader:
            img = Image.fromarray(reader.read(0))
    else:
        img = Image.open(path)
        img.draft("RGB", (size.width() * 2, size.height() * 2))  # JPEG: decode at a fraction of full size
    img = img.convert("RGB")
    img.thumbnail((size.width(), size.height()))
    data = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    h, w = data.shape[:2]
    # copy(): the QImage must own its bytes once the numpy array goes away.
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _Relay(QObject):
    # Lives on the GUI thread; runnables emit through it, so delivery is queued there.
    loaded = Signal(int, QImage)
    failed = Signal(int, str)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, asset_id: int, path: Path, is_video: bool, size: QSize) -> None:
        super().__init__()
        self._relay, self._asset_id, self._path, self._is_video, self._size = relay, asset_id, path, is_video, size

    def run(self) -> None:
        try:
            image = _load_thumbnail(self._path, self._is_video, self._size)
        except Exception as exc:  # a missing or corrupt file shows a placeholder, not a crash
            self._relay.failed.emit(self._asset_id, f"{self._path}: {exc}")
            return
        self._relay.loaded.emit(self._asset_id, image)


class ThumbnailCache(QObject):
    """``get(asset_id)`` returns the cached pixmap or None and queues a load; ``ready`` says when it came."""

    ready = Signal(int)

    def __init__(self, capacity: int = 600, size: QSize = THUMB_SIZE, parent=None) -> None:
        super().__init__(parent)
        self._capacity = capacity
        self._size = size
        self._cache: OrderedDict[int, QPixmap] = OrderedDict()
        self._failed: dict[int, str] = {}
        self._pending: set[int] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.loaded.connect(self._on_loaded)
        self._relay.failed.connect(self._on_failed)
        self._priority = 0

    def get(self, asset_id: int, path: Path, is_video: bool) -> QPixmap | None:
        pixmap = self._cache.get(asset_id)
        if pixmap is not None:
            self._cache.move_to_end(asset_id)
            return pixmap
        if asset_id in self._failed or asset_id in self._pending:
            return None
        if len(self._pending) >= _MAX_PENDING:
            self._pool.clear()  # drops the queued, not the running ones
            self._pending.clear()
        self._pending.add(asset_id)
        # Newest first: the rows on screen now matter more than those scrolled past.
        self._priority = min(self._priority + 1, 1 << 30)
        self._pool.start(_Job(self._relay, asset_id, path, is_video, self._size), self._priority)
        return None

    def error(self, asset_id: int) -> str | None:
        return self._failed.get(asset_id)

    def invalidate(self, asset_id: int) -> None:
        self._cache.pop(asset_id, None)
        self._failed.pop(asset_id, None)

    def __len__(self) -> int:
        return len(self._cache)

    def shutdown(self, timeout_ms: int = 3000) -> None:
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)

    def _on_loaded(self, asset_id: int, image: QImage) -> None:
        self._pending.discard(asset_id)
        self._cache[asset_id] = QPixmap.fromImage(image)  # QPixmap only on the GUI thread
        self._cache.move_to_end(asset_id)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        self.ready.emit(asset_id)

    def _on_failed(self, asset_id: int, message: str) -> None:
        self._pending.discard(asset_id)
        self._failed[asset_id] = message
        log.info("thumbnail: %s", message)
        self.ready.emit(asset_id)
