from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from engine.model.types import ReviewState, Source


@dataclass
class Caption:
    """A sentence describing an image or a video frame; several per image are allowed."""
    asset_id: int
    text: str
    frame_index: int = 0
    source: Source = Source.HUMAN
    model_version_id: int | None = None
    review_state: ReviewState = ReviewState.MANUAL
    author: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def copy(self, **changes) -> "Caption":
        return replace(self, **changes)

    def to_json(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif hasattr(value, "value") and not isinstance(value, (int, float)):
                value = value.value
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Caption":
        data = dict(data)
        for key in ("created_at", "updated_at"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        data["source"] = Source(data.get("source", "human"))
        data["review_state"] = ReviewState(data.get("review_state", "manual"))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
