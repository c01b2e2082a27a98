"""Mapping between table rows and ``engine.model`` dataclasses."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timezone
from functools import lru_cache

import orjson

from engine.model import (
    Asset, AssetKind, AssetState, Caption, Category, Correction, Frame, Instance,
    ModelVersion, ReviewState, Source, Track, TrainingRun,
)


def now() -> datetime:
    return datetime.now(timezone.utc)


def _pairs(value) -> list[tuple[int, int]]:
    return [tuple(p) for p in (value or [])]


def category_from_row(r) -> Category:
    return Category(
        id=r.id, name=r.name, supercategory=r.supercategory, color=r.color,
        keypoints=list(r.keypoints or []), skeleton=_pairs(r.skeleton), flip_pairs=_pairs(r.flip_pairs),
    )


def category_to_row(c: Category) -> dict:
    return {
        "id": c.id, "name": c.name, "supercategory": c.supercategory or "", "color": c.color or "",
        "keypoints": list(c.keypoints), "skeleton": [list(p) for p in c.skeleton],
        "flip_pairs": [list(p) for p in c.flip_pairs],
    }


def asset_from_row(r) -> Asset:
    return Asset(
        id=r.id, kind=AssetKind(r.kind), path=r.path, width=r.width, height=r.height, fps=r.fps,
        num_frames=r.num_frames, coco_id=r.coco_id, state=AssetState(r.state), split=r.split,
        attributes=r.attributes or {},
    )


def asset_to_row(a: Asset) -> dict:
    row = {
        "kind": str(a.kind), "path": a.path, "width": int(a.width), "height": int(a.height),
        "fps": a.fps, "num_frames": int(a.num_frames), "coco_id": a.coco_id, "state": str(a.state),
        "split": a.split, "attributes": a.attributes or {},
    }
    if a.id is not None:
        row["id"] = a.id
    return row


def frame_from_row(r) -> Frame:
    return Frame(id=r.id, asset_id=r.asset_id, frame_index=r.frame_index, coco_id=r.coco_id, file_name=r.file_name)


def instance_from_row(r) -> Instance:
    return Instance(
        id=r.id, asset_id=r.asset_id, frame_index=r.frame_index, category_id=r.category_id,
        bbox=tuple(r.bbox) if r.bbox is not None else None, mask=r.mask, polygons=r.polygons,
        keypoints=r.keypoints, keypoint_scores=r.keypoint_scores, score=r.score, track_id=r.track_id,
        iscrowd=bool(r.iscrowd), area=r.area, attributes=r.attributes or {}, source=Source(r.source),
        model_version_id=r.model_version_id, review_state=ReviewState(r.review_state), author=r.author,
        created_at=r.created_at, updated_at=r.updated_at,
    )


# -- the frame query's fast path on SQLite: plain DB-API rows, no SQLAlchemy result processing ----------
_JSON_COLUMNS = ("bbox", "mask", "polygons", "keypoints", "keypoint_scores", "attributes")
# The six JSON columns arrive as one JSON array: one parse per row instead of six.
INSTANCE_SELECT = ", ".join((
    "id", "asset_id", "frame_index", "category_id",
    "'[' || " + " || ',' || ".join(f"coalesce({c}, 'null')" for c in _JSON_COLUMNS) + " || ']'",
    "score", "track_id", "iscrowd", "area", "source", "model_version_id", "review_state", "author",
    "created_at", "updated_at",
))
_SOURCES = {str(s): s for s in Source}
_REVIEW_STATES = {str(s): s for s in ReviewState}


@lru_cache(maxsize=4096)
def _sqlite_time(text) -> datetime | None:
    """SQLAlchemy's SQLite DateTime text (naive UTC, 'YYYY-MM-DD HH:MM:SS.ffffff') -> aware UTC.

    Cached: a model's predictions share their batch's stamp, and parsing plus
    setting the zone costs more than the rest of a row (datetimes are immutable)."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


# instance_from_sqlite passes Instance's fields by position (a keyword call of twenty costs
# three times as much, ~2 ms per 1,000-instance frame switch): in this order.
_POSITIONAL = ("asset_id", "category_id", "frame_index", "bbox", "mask", "polygons", "keypoints",
               "keypoint_scores", "score", "track_id", "iscrowd", "area", "attributes", "source",
               "model_version_id", "review_state", "author", "id", "created_at", "updated_at")
if tuple(f.name for f in fields(Instance)) != _POSITIONAL:
    raise ImportError("engine.model.Instance's fields changed order: update rows.instance_from_sqlite")


def instance_from_sqlite(v: tuple) -> Instance:
    """An Instance from a raw SQLite row of INSTANCE_SELECT: what instance_from_row gives for
    the same row (a test checks), at a fraction of its cost for a 1,000-instance frame."""
    bbox, mask, polygons, keypoints, keypoint_scores, attributes = orjson.loads(v[4])
    return Instance(
        v[1], v[3], v[2], tuple(bbox) if bbox is not None else None, mask, polygons, keypoints,
        keypoint_scores, v[5], v[6], bool(v[7]), v[8], attributes or {}, _SOURCES[v[9]], v[10],
        _REVIEW_STATES[v[11]], v[12], v[0], _sqlite_time(v[13]), _sqlite_time(v[14]),
    )


def instance_to_row(i: Instance, stamp: datetime) -> dict:
    row = {
        "asset_id": i.asset_id, "frame_index": int(i.frame_index), "category_id": i.category_id,
        "bbox": [float(v) for v in i.bbox] if i.bbox is not None else None,
        "mask": i.mask, "polygons": i.polygons, "keypoints": i.keypoints,
        "keypoint_scores": i.keypoint_scores,
        "score": float(i.score) if i.score is not None else None,
        "track_id": i.track_id, "iscrowd": bool(i.iscrowd),
        "area": float(i.area) if i.area is not None else None,
        "attributes": i.attributes or {}, "source": str(i.source),
        "model_version_id": i.model_version_id, "review_state": str(i.review_state),
        "author": i.author or "", "created_at": i.created_at or stamp, "updated_at": i.updated_at or stamp,
    }
    if i.id is not None:
        row["id"] = i.id
    return row


def caption_from_row(r) -> Caption:
    return Caption(
        id=r.id, asset_id=r.asset_id, frame_index=r.frame_index, text=r.text, source=Source(r.source),
        model_version_id=r.model_version_id, review_state=ReviewState(r.review_state), author=r.author,
        created_at=r.created_at, updated_at=r.updated_at,
    )


def caption_to_row(c: Caption, stamp: datetime) -> dict:
    row = {
        "asset_id": c.asset_id, "frame_index": int(c.frame_index), "text": c.text, "source": str(c.source),
        "model_version_id": c.model_version_id, "review_state": str(c.review_state),
        "author": c.author or "", "created_at": c.created_at or stamp, "updated_at": c.updated_at or stamp,
    }
    if c.id is not None:
        row["id"] = c.id
    return row


def model_version_from_row(r) -> ModelVersion:
    return ModelVersion(
        id=r.id, name=r.name, architecture=r.architecture, categories=list(r.categories or []),
        weights_path=r.weights_path, parent_id=r.parent_id, metrics=r.metrics or {},
        attributes=r.attributes or {}, created_at=r.created_at,
    )


def training_run_from_row(r) -> TrainingRun:
    return TrainingRun(
        id=r.id, parent_version_id=r.parent_version_id, output_version_id=r.output_version_id,
        status=r.status, config=r.config or {}, metrics=r.metrics or {}, log=r.log,
        started_at=r.started_at, finished_at=r.finished_at,
    )


def track_from_row(r) -> Track:
    return Track(id=r.id, asset_id=r.asset_id, category_id=r.category_id, name=r.name, attributes=r.attributes or {})


def correction_from_row(r) -> Correction:
    return Correction(
        id=r.id, entity=r.entity, entity_id=r.entity_id, asset_id=r.asset_id, action=r.action,
        before=r.before, after=r.after, author=r.author, at=r.at,
    )
