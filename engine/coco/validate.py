"""Checks for COCO categories, images and videos (annotations: ``engine.coco.annotations``).

Each check raises ``CocoFormatError`` naming the file, the record
(``images[3] id=4``) and the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.coco.errors import CocoFormatError, record_name

NUMBERS = (int, float)


MAX_ID = (1 << 63) - 1  # SQLite's INTEGER


def is_int(value) -> bool:
    """An integer a database column can hold."""
    return type(value) is int and -MAX_ID <= value <= MAX_ID


def _size(value) -> int | None:
    """A positive pixel count, accepting 640.0 as 640."""
    if type(value) in NUMBERS and value > 0 and value == int(value):
        return int(value)
    return None


@dataclass
class CategoryRec:
    id: int
    name: str
    supercategory: str
    keypoints: list[str]
    skeleton: list[tuple[int, int]]  # 0-based


@dataclass
class ImageRec:
    id: int
    file_name: str
    width: int
    height: int
    video_id: int | None
    frame_index: int
    index: int


@dataclass
class VideoRec:
    id: int
    file_name: str
    name: str
    width: int | None
    height: int | None
    fps: float | None
    num_frames: int | None
    index: int


class RecordChecker:
    """Checks the categories, images and videos of one file."""

    def __init__(self, file: str | Path):
        self.file = str(file)

    def error(self, table: str, index: int | None, record, field: str, problem: str) -> CocoFormatError:
        return CocoFormatError(self.file, record_name(table, index, record), field, problem)

    # -- categories, images, videos ----------------------------------------
    def category(self, rec, i: int) -> CategoryRec:
        t = "categories"
        if type(rec) is not dict:
            raise self.error(t, i, rec, "", "not a JSON object")
        cid = rec.get("id")
        if not is_int(cid):
            raise self.error(t, i, rec, "id", "missing" if cid is None else f"{cid!r} is not an integer")
        name = rec.get("name")
        if type(name) is not str or not name:
            raise self.error(t, i, rec, "name", "missing or not a non-empty string")
        names = rec.get("keypoints") or []
        if type(names) is not list or not all(type(n) is str for n in names):
            raise self.error(t, i, rec, "keypoints", "must be a list of keypoint names")
        skeleton = []
        for edge in rec.get("skeleton") or []:
            if (type(edge) is not list or len(edge) != 2 or not all(is_int(v) for v in edge)
                    or not all(1 <= v <= len(names) for v in edge)):
                raise self.error(t, i, rec, "skeleton", f"edge {edge!r} is not a pair of 1-based keypoint "
                                 f"numbers in 1..{len(names)}")
            skeleton.append((edge[0] - 1, edge[1] - 1))
        return CategoryRec(cid, name, str(rec.get("supercategory") or ""), list(names), skeleton)

    def image(self, rec, i: int) -> ImageRec:
        t = "images"
        if type(rec) is not dict:
            raise self.error(t, i, rec, "", "not a JSON object")
        iid = rec.get("id")
        if not is_int(iid):
            raise self.error(t, i, rec, "id", "missing" if iid is None else f"{iid!r} is not an integer")
        name = rec.get("file_name")
        if type(name) is not str or not name:
            raise self.error(t, i, rec, "file_name", "missing or not a non-empty string")
        width, height = _size(rec.get("width")), _size(rec.get("height"))
        if width is None or height is None:
            field = "width" if width is None else "height"
            raise self.error(t, i, rec, field, f"{rec.get(field)!r} is not a positive whole number of pixels")
        video_id, frame_index = rec.get("video_id"), 0
        if video_id is not None:
            frame_index = rec.get("frame_index", rec.get("frame_id"))
            if not is_int(video_id):
                raise self.error(t, i, rec, "video_id", f"{video_id!r} is not an integer")
            if not is_int(frame_index) or frame_index < 0:
                raise self.error(t, i, rec, "frame_index", "a video frame needs a 0-based integer frame_index")
        return ImageRec(iid, name, width, height, video_id, frame_index, i)

    def video(self, rec, i: int) -> VideoRec:
        t = "videos"
        if type(rec) is not dict:
            raise self.error(t, i, rec, "", "not a JSON object")
        vid = rec.get("id")
        if not is_int(vid):
            raise self.error(t, i, rec, "id", "missing" if vid is None else f"{vid!r} is not an integer")
        name = rec.get("file_name") or rec.get("name")
        if type(name) is not str:
            raise self.error(t, i, rec, "file_name", "missing: Kinetag needs the video file's name")
        fps = rec.get("fps")
        if fps is not None and not (type(fps) in NUMBERS and fps > 0):
            raise self.error(t, i, rec, "fps", f"{fps!r} is not a positive number")
        length = rec.get("length", rec.get("num_frames"))
        if length is not None and not (is_int(length) and length > 0):
            raise self.error(t, i, rec, "length", f"{length!r} is not a positive integer")
        return VideoRec(vid, name, str(rec.get("name") or Path(name).stem), _size(rec.get("width")),
                        _size(rec.get("height")), float(fps) if fps else None, length, i)
