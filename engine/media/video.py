"""Video frames by index, and H.264 writing, through PyAV.

Frames are addressed by a 0-based index derived from presentation timestamps:
``index = round((pts - first_pts) * time_base * fps)``. That is exact for
constant-frame-rate files, which is what Kinetag writes and what labelling
tools (TAO, YouTube-VIS, CVAT) assume. Display rotation metadata is ignored:
frames come back as stored.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from engine.media.errors import MediaError

# Decoding forward beats seeking while the gap is shorter than a GOP (a seek
# lands on the keyframe before the target and decodes forward from there anyway).
_MIN_FORWARD_DECODE = 16


class VideoReader:
    """Random and sequential access to the frames of one video stream.

    Not thread-safe: give each thread its own reader.
    """

    def __init__(self, path: str | Path, threads: int = 0):
        """``threads``: decoder threads, 0 for FFmpeg's choice (one per core, frame and slice
        threading); 1 for a caller whose other threads already keep every core busy."""
        self.path = Path(path)
        self._threads = int(threads)
        self.seek_count = 0  # how often read() had to seek; for tests and benchmarks
        if not self.path.is_file():
            raise MediaError(self.path, "file not found")
        try:
            self._container = av.open(str(self.path))
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise MediaError(self.path, f"not a readable video ({exc})") from exc
        try:
            self._open_stream()
        except BaseException:
            self._container.close()
            raise

    def _open_stream(self) -> None:
        if not self._container.streams.video:
            raise MediaError(self.path, "no video stream")
        self._stream = self._container.streams.video[0]
        if self._threads != 1:
            self._stream.thread_type = "AUTO"
        self._stream.codec_context.thread_count = max(0, self._threads)
        rate = self._stream.average_rate or self._stream.guessed_rate or self._stream.base_rate
        if not rate:
            raise MediaError(self.path, "unknown frame rate")
        self._rate = Fraction(rate)
        self._time_base = Fraction(self._stream.time_base)
        self._max_gop = _MIN_FORWARD_DECODE
        self._last_key_index: int | None = None
        # Decoding frame 0 up front pins the pts origin (edit lists and B-frame
        # delays make it non-zero in many files) and rejects undecodable files early.
        self._decoder = self._container.decode(self._stream)
        first = self._next_frame()
        if first is None:
            raise MediaError(self.path, "video stream has no decodable frame")
        self._first_pts = first.pts if first.pts is not None else 0
        if first.key_frame:
            self._last_key_index = 0
        self._current: tuple[int, av.VideoFrame] | None = (0, first)
        self._num_frames = self._stream.frames or self._count_packets()

    def _count_packets(self) -> int:
        # Matroska/WebM and raw streams don't store a frame count.
        try:
            with av.open(str(self.path)) as container:
                return sum(1 for packet in container.demux(video=0) if packet.size > 0)
        except (av.FFmpegError, OSError) as exc:
            raise MediaError(self.path, f"cannot count frames ({exc})") from exc

    # -- properties --------------------------------------------------------

    @property
    def fps(self) -> float:
        return float(self._rate)

    @property
    def num_frames(self) -> int:
        return self._num_frames

    @property
    def width(self) -> int:
        return int(self._stream.codec_context.width)

    @property
    def height(self) -> int:
        return int(self._stream.codec_context.height)

    def __len__(self) -> int:
        return self._num_frames

    # -- index <-> pts ------------------------------------------------------

    def _index_of(self, frame: av.VideoFrame, previous: int | None) -> int:
        if frame.pts is None:
            return 0 if previous is None else previous + 1
        return round((frame.pts - self._first_pts) * self._time_base * self._rate)

    def _pts_of(self, index: float) -> int:
        return int(self._first_pts + Fraction(index) / self._rate / self._time_base)

    # -- decoding -----------------------------------------------------------

    def _next_frame(self) -> av.VideoFrame | None:
        try:
            return next(self._decoder, None)
        except av.FFmpegError as exc:
            raise MediaError(self.path, f"cannot decode frame ({exc})") from exc

    def _seek(self, index: int) -> None:
        """Position the decoder so that its next frame has an index <= ``index``."""
        self.seek_count += 1
        # Half a frame early, so that rounding in the pts never skips the keyframe
        # of the target itself; then step further back if the demuxer overshoots.
        for back in (0.5, 0.5 + self._max_gop, None):
            target = self._first_pts if back is None else self._pts_of(max(index - back, 0))
            try:
                self._container.seek(target, stream=self._stream, backward=True, any_frame=False)
            except av.FFmpegError as exc:
                raise MediaError(self.path, f"cannot seek ({exc})") from exc
            self._decoder = self._container.decode(self._stream)
            self._current = None
            first = self._next_frame()
            if first is None:
                continue
            if back is None or self._index_of(first, None) <= index:
                self._decoder = itertools.chain([first], self._decoder)
                return

    def _decode_to(self, index: int) -> av.VideoFrame | None:
        """Decode forward to the first frame whose index is >= ``index``; None at the end."""
        previous = self._current[0] if self._current else None
        while True:
            frame = self._next_frame()
            if frame is None:
                return None
            current = self._index_of(frame, previous)
            if frame.key_frame:
                if self._last_key_index is not None and current > self._last_key_index:
                    self._max_gop = max(self._max_gop, current - self._last_key_index)
                self._last_key_index = current
            self._current = (current, frame)
            previous = current
            if current >= index:
                return frame

    def _frame_at(self, index: int) -> av.VideoFrame | None:
        if self._current is not None:
            current = self._current[0]
            if current == index:
                return self._current[1]
            if current < index <= current + self._max_gop:
                return self._decode_to(index)
        self._seek(index)
        return self._decode_to(index)

    def _check_index(self, index: int) -> int:
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"{self.path}: frame index must be an int, not {type(index).__name__}")
        if not 0 <= index < self._num_frames:
            raise IndexError(f"{self.path}: frame index {index} out of range [0, {self._num_frames})")
        return int(index)

    def read(self, index: int) -> np.ndarray:
        """Frame ``index`` as an (H, W, 3) uint8 RGB array."""
        index = self._check_index(index)
        frame = self._frame_at(index)
        if frame is None:
            raise MediaError(self.path, f"frame {index} could not be decoded (stream ends early)")
        return frame.to_ndarray(format="rgb24")

    def iter_frames(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(index, frame)`` for ``start <= index < stop``, decoding sequentially.

        Interleaved ``read()`` calls are allowed: each step re-positions if needed.
        """
        stop = self._num_frames if stop is None else min(stop, self._num_frames)
        for index in range(max(start, 0), stop):
            frame = self._frame_at(index)
            if frame is None:  # the container over-stated its frame count
                return
            yield index, frame.to_ndarray(format="rgb24")

    # -- lifetime -----------------------------------------------------------

    def close(self) -> None:
        self._decoder = iter(())
        self._current = None
        self._container.close()

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VideoReader({str(self.path)!r}, {self.width}x{self.height}, {self.fps:g} fps, {self.num_frames} frames)"


def _pick_codec(codec: str | None) -> str:
    if codec is not None:
        return codec
    return "libx264" if "libx264" in av.codecs_available else "mpeg4"


def _even_rgb(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 3) RGB frame, got shape {frame.shape}")
    frame = np.ascontiguousarray(frame[:, :, :3], dtype=np.uint8)
    # yuv420p needs even sizes; replicating the last row/column keeps every
    # annotation coordinate valid, unlike cropping.
    pad_h, pad_w = frame.shape[0] % 2, frame.shape[1] % 2
    if pad_h or pad_w:
        frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    return frame


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float,
    *,
    crf: int = 20,
    preset: str = "medium",
    gop: int | None = None,
    codec: str | None = None,
) -> int:
    """Encode RGB uint8 frames into a video file; returns the number of frames.

    H.264 (libx264, yuv420p) when the installed PyAV has it, MPEG-4 part 2
    otherwise. The container follows the suffix (``.mp4`` normally). ``crf`` is
    x264's quality scale (0 lossless .. 51 worst; ~18 is visually lossless) and
    is mapped to a quantiser for the MPEG-4 fallback. ``gop`` is the keyframe
    interval, default 2 s: short enough for quick seeking when labelling.
    Odd frame sizes are padded to even by repeating the last row/column.
    """
    path = Path(path)
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    codec = _pick_codec(codec)
    count = 0
    with av.open(str(path), mode="w") as container:
        stream = None
        for frame in frames:
            rgb = _even_rgb(frame)
            if stream is None:
                stream = _add_stream(container, codec, rate, rgb.shape[1], rgb.shape[0], crf, preset, gop)
            elif (rgb.shape[1], rgb.shape[0]) != (stream.width, stream.height):
                raise ValueError(
                    f"{path}: frame {count} is {rgb.shape[1]}x{rgb.shape[0]}, "
                    f"expected {stream.width}x{stream.height}")
            video_frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            video_frame.pts = count
            video_frame.time_base = 1 / rate
            container.mux(stream.encode(video_frame))
            count += 1
        if stream is None:
            raise ValueError(f"{path}: no frames to write")
        container.mux(stream.encode(None))
    return count


def _add_stream(container, codec: str, rate: Fraction, width: int, height: int,
                crf: int, preset: str, gop: int | None):
    stream = container.add_stream(codec, rate=rate)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.codec_context.gop_size = gop or max(1, round(2 * rate))
    if codec in ("libx264", "h264"):
        stream.options = {"crf": str(crf), "preset": preset}
    else:
        # MPEG-4 part 2 has no CRF; a fixed quantiser (2 best .. 31 worst) is the closest.
        quantiser = min(31, max(2, round(crf / 6)))
        stream.codec_context.qscale = quantiser
        stream.options = {"qmin": str(quantiser), "qmax": str(quantiser)}
    return stream
