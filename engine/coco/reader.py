"""Read and check a COCO file into compact rows.

Handles the three shapes a COCO file comes in: a dataset object (instances,
person keypoints, captions, or a mix; TAO-style video frames), and a results
list. Records are checked as they stream past, and each checked batch can go
to a sink (the import's open transaction) while the rest is read; what needs a
part of the file that comes later (COCO puts ``categories`` after
``annotations``) is checked at the end, before the import commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from engine.coco.errors import CocoFormatError, record_name
from engine.coco.jsonstream import Elements, JsonStream
from engine.coco.annotations import AnnotationChecker as Checker
from engine.coco.validate import CategoryRec, ImageRec, VideoRec, is_int
from engine.jobs import CancelToken, Progress

PROGRESS_EVERY = 1 << 12
BATCH = 1 << 14  # rows handed to the sink at a time


@dataclass
class CocoData:
    path: Path
    is_results: bool
    info: dict = field(default_factory=dict)
    categories: list[CategoryRec] = field(default_factory=list)
    images: dict[int, ImageRec] = field(default_factory=dict)
    videos: dict[int, VideoRec] = field(default_factory=dict)
    tracks: list[tuple[int, int, int | None]] = field(default_factory=list)  # (id, video_id, category_id)
    instances: list[tuple] = field(default_factory=list)  # AnnotationChecker.instances rows
    captions: list[tuple] = field(default_factory=list)  # (id or None, image_id, text)
    max_id: int = 0  # the largest annotation id in the file


class Sink(Protocol):
    """Where checked rows go while the rest of the file is read (see ``writer.ImportWriter``)."""

    def ready(self, data: CocoData, seen: set[str]) -> bool:
        """May checked rows be written now? (``seen``: the top-level keys read so far)"""

    def instances(self, rows: list[tuple]) -> None: ...

    def captions(self, rows: list[tuple]) -> None: ...


def read_coco(token: CancelToken, path: Path, project_keypoint_counts: dict[int, int],
              project_image_sizes: dict[int, tuple[int, int]], with_annotations: bool = True,
              sink: Sink | None = None):
    """Job generator -> CocoData. ``project_image_sizes`` (COCO image id -> size) is what
    a results file's image ids refer to. With a ``sink``, every BATCH checked rows are
    handed over as soon as it is ``ready``; the rows returned in CocoData are the rest."""
    seen: set[str] = set()
    with JsonStream(path) as stream:
        data = None
        for key, value in stream.items():
            if key is None:
                data = CocoData(path, is_results=True)
                checker = Checker(path, project_image_sizes, project_keypoint_counts, results=True)
                flush = _flusher(checker, data, seen, sink)
                yield from _annotations(token, stream, checker, value.with_text(), "results", True, flush)
                continue
            if data is None:
                data = CocoData(path, is_results=False)
                checker = Checker(path, None, None)
                flush = _flusher(checker, data, seen, sink)
                pending = None
            if key == "images":
                _images(checker, _elements(path, key, value), data)
                checker.dims = {i.id: (i.width, i.height) for i in data.images.values()}
            elif key == "categories":
                _categories(checker, _elements(path, key, value), data, project_keypoint_counts)
            elif key == "videos":
                _videos(checker, _elements(path, key, value), data)
            elif key == "tracks":
                _tracks(checker, _elements(path, key, value), data)
            elif key == "info" and isinstance(value, dict):
                data.info = value
            elif key == "annotations":
                elements = _elements(path, key, value)
                if not with_annotations:
                    continue
                if checker.dims is None:  # images after annotations: rare, costs memory
                    pending = list(elements.with_text())
                else:
                    yield from _annotations(token, stream, checker, elements.with_text(), key, False, flush)
            seen.add(key)
            yield Progress(stream.position, stream.size, f"read {key}")
    if data is None:
        raise CocoFormatError(path, "", "", "not a COCO file: empty")
    if not data.is_results:
        if checker.dims is None:
            raise CocoFormatError(path, "", "images", "missing: a COCO dataset file lists its images")
        if checker.keypoint_counts is None:
            checker.keypoint_counts = dict(project_keypoint_counts)
        if pending is not None:
            yield from _annotations(token, None, checker, pending, "annotations", False, lambda: None)
        _check_frames(checker, data)
    checker.finish()
    data.instances, data.captions = checker.instances, checker.captions
    data.max_id = max(checker.ids, default=0)
    checker.ids = set()  # done with: free it before the write
    yield Progress(1, 1, "read")
    return data


def _flusher(checker: Checker, data: CocoData, seen: set[str], sink: Sink | None):
    """Hands the rows checked so far to the sink, once the file's images (and videos) are known."""
    state = {"frames_checked": False}

    def flush() -> None:
        if sink is None or (len(checker.instances) < BATCH and len(checker.captions) < BATCH):
            return
        if not data.is_results:
            has_frames = any(i.video_id is not None for i in data.images.values())
            if "images" not in seen or (has_frames and "videos" not in seen):
                return
            if not state["frames_checked"]:
                _check_frames(checker, data)
                state["frames_checked"] = True
        if not sink.ready(data, seen):
            return
        if checker.instances:
            sink.instances(checker.instances)
            checker.instances = []
        if checker.captions:
            sink.captions(checker.captions)
            checker.captions = []
    return flush


def _elements(path: Path, key: str, value) -> Elements:
    if not isinstance(value, Elements):
        raise CocoFormatError(path, "", key, "must be a list")
    return value


def _annotations(token, stream, checker: Checker, elements, table: str, results: bool, flush):
    """``elements``: (annotation, its JSON text) pairs."""
    instance, caption = checker.instance, checker.caption
    with_id = not results
    for i, (a, text) in enumerate(elements):
        if type(a) is dict and "caption" in a:
            caption(a, i, table, with_id)
        else:
            instance(a, i, table, with_id, text)
        if i % PROGRESS_EVERY == PROGRESS_EVERY - 1:
            token.raise_if_cancelled()
            flush()
            if stream is not None:
                yield Progress(stream.position, stream.size, f"read {i + 1} {table}")


def _images(checker: Checker, elements, data: CocoData) -> None:
    for i, rec in enumerate(elements):
        image = checker.image(rec, i)
        if image.id in data.images:
            raise checker.error("images", i, rec, "id", f"duplicate image id {image.id}")
        data.images[image.id] = image


def _categories(checker: Checker, elements, data: CocoData, project_counts: dict[int, int]) -> None:
    seen = set()
    for i, rec in enumerate(elements):
        cat = checker.category(rec, i)
        if cat.id in seen:
            raise checker.error("categories", i, rec, "id", f"duplicate category id {cat.id}")
        seen.add(cat.id)
        data.categories.append(cat)
    counts = dict(project_counts)
    counts.update((c.id, len(c.keypoints)) for c in data.categories)
    checker.keypoint_counts = counts


def _videos(checker: Checker, elements, data: CocoData) -> None:
    for i, rec in enumerate(elements):
        video = checker.video(rec, i)
        if video.id in data.videos:
            raise checker.error("videos", i, rec, "id", f"duplicate video id {video.id}")
        data.videos[video.id] = video


def _tracks(checker: Checker, elements, data: CocoData) -> None:
    for i, rec in enumerate(elements):
        if type(rec) is not dict or not is_int(rec.get("id")) or not is_int(rec.get("video_id")):
            raise checker.error("tracks", i, rec, "id", "a track needs integer id and video_id")
        cat = rec.get("category_id")
        data.tracks.append((rec["id"], rec["video_id"], cat if is_int(cat) else None))


def _check_frames(checker: Checker, data: CocoData) -> None:
    """Frame images must point at a listed video, inside it, once per frame."""
    seen: dict[tuple[int, int], int] = {}
    for image in data.images.values():
        if image.video_id is None:
            continue
        rec = {"id": image.id}
        video = data.videos.get(image.video_id)
        if video is None:
            raise checker.error("images", image.index, rec, "video_id",
                                f"unknown video id {image.video_id} (not in 'videos')")
        if video.num_frames is not None and image.frame_index >= video.num_frames:
            raise checker.error("images", image.index, rec, "frame_index",
                                f"{image.frame_index} is past the video's {video.num_frames} frames")
        if video.width and (video.width, video.height) != (image.width, image.height):
            raise checker.error("images", image.index, rec, "width",
                                f"{image.width}x{image.height} differs from its video's {video.width}x{video.height}")
        key = (image.video_id, image.frame_index)
        if key in seen:
            raise checker.error("images", image.index, rec, "frame_index",
                                f"video {image.video_id} frame {image.frame_index} is already image {seen[key]}")
        seen[key] = image.id
    for track_id, video_id, _cat in data.tracks:
        if video_id not in data.videos:
            raise CocoFormatError(checker.file, record_name("tracks", None, {"id": track_id}), "video_id",
                                  f"unknown video id {video_id}")
