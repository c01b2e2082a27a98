from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from engine.model.serialize import from_json, to_json
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
        """A JSON-ready snapshot, used by the corrections log."""
        return to_json(self)

    @classmethod
    def from_json(cls, data: dict) -> "Caption":
        return from_json(cls, data)
