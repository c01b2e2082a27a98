"""Decode the next batches while the model works on the current one.

One producer thread reads still images (``read_image``) and video frames (one
``VideoReader`` per video, frames in increasing order so decoding is
sequential), turns them into tensors and queues whole batches; the queue is
bounded so memory stays at a few batches. Image decoders (PIL, PyAV) and numpy
release the GIL, so this runs truly alongside inference.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from engine.priority import lower_thread_priority
from engine.media import MediaError, VideoReader, read_image

THREAD_NAME = "kinetag-prefetch"
_MAX_CONSECUTIVE_FRAME_ERRORS = 3  # then the rest of the video is given up as unreadable


@dataclass(frozen=True)
class Source:
    """A still image (``frames`` None, read as frame 0) or frames of a video."""
    asset_id: int
    path: Path
    frames: range | None = None

    @property
    def count(self) -> int:
        return 1 if self.frames is None else len(self.frames)


@dataclass
class Loaded:
    asset_id: int
    frame_index: int
    tensor: torch.Tensor
    size: tuple[int, int]  # original (h, w)


@dataclass
class Batch:
    items: list[Loaded] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: int = 0  # work units (images / frames) that could not be read

    @property
    def count(self) -> int:
        return len(self.items) + self.failed


@dataclass
class _Unreadable:
    message: str
    count: int = 1


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


_END = object()


class Prefetcher:
    """Iterate over ``Batch``es of at most ``batch_size`` images; close() stops the thread."""

    def __init__(self, sources: list[Source], prepare: Callable[[np.ndarray], torch.Tensor],
                 batch_size: int, depth: int = 2, background: bool = False):
        """``background``: run at a lower CPU priority (see engine/priority.py),
        for when the model itself keeps every core busy."""
        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {batch_size}")
        self._sources = sources
        self._prepare = prepare
        self._batch_size = batch_size
        self._background = background
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[Batch]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:  # unblock a producer waiting on a full queue
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def __enter__(self) -> "Prefetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- producer thread -------------------------------------------------------
    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        if self._background:
            lower_thread_priority()
        try:
            batch = Batch()
            for source in self._sources:
                with contextlib.closing(self._read(source)) as reads:
                    for result in reads:
                        if self._stop.is_set():
                            return
                        if isinstance(result, Loaded):
                            batch.items.append(result)
                        else:
                            batch.errors.append(result.message)
                            batch.failed += result.count
                        if batch.count >= self._batch_size:
                            if not self._put(batch):
                                return
                            batch = Batch()
            if batch.count and not self._put(batch):
                return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(_Failure(exc))
        finally:
            self._put(_END)

    def _load(self, source: Source, index: int, image: np.ndarray) -> Loaded:
        return Loaded(source.asset_id, index, self._prepare(image), (int(image.shape[0]), int(image.shape[1])))

    def _read(self, source: Source) -> Iterator[Loaded | _Unreadable]:
        if source.frames is None:
            try:
                yield self._load(source, 0, read_image(source.path))
            except (MediaError, ValueError) as exc:
                yield _Unreadable(str(exc))
            return
        yield from self._read_video(source)

    def _read_video(self, source: Source) -> Iterator[Loaded | _Unreadable]:
        frames = source.frames
        if not frames:
            return
        try:
            # Beside a model that keeps every core busy, more decoder threads only cost more CPU.
            reader = VideoReader(source.path, threads=1 if self._background else 0)
        except MediaError as exc:
            yield _Unreadable(f"{exc} (frames {frames.start}..{frames[-1]} skipped)", len(frames))
            return
        with reader:
            consecutive = 0
            for n, index in enumerate(frames):
                try:
                    if index >= reader.num_frames:
                        raise MediaError(source.path, f"frame {index} is past the end ({reader.num_frames} frames)")
                    image = reader.read(index)
                except (MediaError, ValueError) as exc:
                    consecutive += 1
                    message = str(exc) if f"frame {index}" in str(exc) else f"{exc} (frame {index})"
                    yield _Unreadable(message)
                    if consecutive >= _MAX_CONSECUTIVE_FRAME_ERRORS and n + 1 < len(frames):
                        rest = frames[n + 1:]
                        yield _Unreadable(f"{source.path}: frames {rest.start}..{rest[-1]} skipped after "
                                          f"{consecutive} unreadable frames in a row", len(rest))
                        return
                    continue
                consecutive = 0
                yield self._load(source, index, image)
