"""JSON snapshots of annotation dataclasses, for the corrections log and undo."""
from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from enum import Enum

from engine.model.types import ReviewState, Source


def to_json(record) -> dict:
    out = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def from_json(cls, data: dict, tuple_fields: tuple[str, ...] = ()):
    data = dict(data)
    for key in ("created_at", "updated_at"):
        if data.get(key):
            data[key] = datetime.fromisoformat(data[key])
    for key in tuple_fields:
        if data.get(key) is not None:
            data[key] = tuple(data[key])
    data["source"] = Source(data.get("source", "human"))
    data["review_state"] = ReviewState(data.get("review_state", "manual"))
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})
