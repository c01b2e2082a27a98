"""Frames as QImages: decoded off the GUI thread, a few kept in memory.

One decoding thread does all media reads (VideoReader is not thread-safe, and
one thread is plenty on two cores). ``request()`` starts a decode and returns
at once, so the document can query the store while the PNG decompresses
(Pillow releases the GIL); ``image()`` waits for it. Video assets keep their
reader open between frames, so stepping through a clip decodes forward
instead of seeking.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import numpy as np
from PySide6.QtGui import QImage

from engine.media import MediaError, VideoReader, read_image
from engine.model import Asset
from engine.priority import HELPER_NICE, lower_thread_priority
from engine.store import ProjectStore

THREAD_NAME = "kinetag-media"


def to_qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 -> an RGB32 QImage that owns its pixels (the fast format to paint)."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    view = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888)
    return view.convertToFormat(QImage.Format.Format_RGB32)


class ImageSource:
    def __init__(self, store: ProjectStore, max_frames: int = 6, max_readers: int = 2):
        self._store = store
        # Below the GUI thread's priority: on a switch the GUI thread builds the scene meanwhile,
        # and that is what the user waits for (engine/priority.py).
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME,
                                        initializer=partial(lower_thread_priority, HELPER_NICE))
        self._lock = threading.Lock()
        self._frames: OrderedDict[tuple, Future] = OrderedDict()
        self._readers: OrderedDict[int, VideoReader] = OrderedDict()  # touched on the pool thread only
        self._max_frames = max_frames
        self._max_readers = max_readers

    def request(self, asset: Asset, frame_index: int = 0) -> Future:
        key = (asset.id, asset.path, frame_index if asset.is_video else 0)
        with self._lock:
            fut = self._frames.get(key)
            if fut is not None and not (fut.done() and fut.exception() is not None):
                self._frames.move_to_end(key)
                return fut
            fut = self._pool.submit(self._decode, asset, key[2])
            self._frames[key] = fut
            while len(self._frames) > self._max_frames:
                self._frames.popitem(last=False)
        return fut

    def image(self, asset: Asset, frame_index: int = 0) -> QImage:
        """The frame; raises MediaError (message starts with the file's path)."""
        return self.request(asset, frame_index).result()

    def forget(self) -> None:
        with self._lock:
            self._frames.clear()

    def close(self) -> None:
        self.forget()
        self._pool.submit(self._close_readers)
        self._pool.shutdown(wait=True)

    # -- pool thread ----------------------------------------------------------------
    def _decode(self, asset: Asset, frame_index: int) -> QImage:
        path = self._store.resolve(asset)
        if not asset.is_video:
            return to_qimage(read_image(path))
        reader = self._readers.pop(asset.id, None)
        if reader is None or reader.path != path:
            reader = VideoReader(path)
        self._readers[asset.id] = reader
        while len(self._readers) > self._max_readers:
            _, old = self._readers.popitem(last=False)
            old.close()
        if not 0 <= frame_index < reader.num_frames:
            raise MediaError(path, f"frame {frame_index} is outside 0..{reader.num_frames - 1}")
        return to_qimage(reader.read(frame_index))

    def _close_readers(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
