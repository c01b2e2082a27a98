from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.model.serialize import from_json, to_json
from engine.model.types import ReviewState, Source


@dataclass
class Instance:
    """One object on an image or a video frame.

    Formats (the same as COCO's, at the asset's full resolution):
    - ``bbox``: (x, y, w, h) floats, top-left origin;
    - ``mask``: COCO RLE ``{"size": [h, w], "counts": str}`` with compressed counts;
    - ``polygons``: list of flat [x1, y1, x2, y2, ...] rings (kept when an import or
      the polygon tool made them; a brush edit replaces them with ``mask``);
    - ``keypoints``: flat [x1, y1, v1, ...], v in {0 absent, 1 occluded, 2 visible};
      ``keypoint_scores`` one float per point for model output;
    - ``track_id``: identity across the frames of a video.
    """
    asset_id: int
    category_id: int
    frame_index: int = 0
    bbox: tuple[float, float, float, float] | None = None
    mask: dict | None = None
    polygons: list[list[float]] | None = None
    keypoints: list[float] | None = None
    keypoint_scores: list[float] | None = None
    score: float | None = None
    track_id: int | None = None
    iscrowd: bool = False
    area: float | None = None
    attributes: dict = field(default_factory=dict)
    source: Source = Source.HUMAN
    model_version_id: int | None = None
    review_state: ReviewState = ReviewState.MANUAL
    author: str = ""
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def num_keypoints(self) -> int:
        """COCO's num_keypoints: points with v > 0."""
        if not self.keypoints:
            return 0
        return sum(1 for v in self.keypoints[2::3] if v > 0)

    def copy(self, **changes) -> "Instance":
        return replace(self, **changes)

    def to_json(self) -> dict:
        """A JSON-ready snapshot, used by the corrections log."""
        return to_json(self)

    @classmethod
    def from_json(cls, data: dict) -> "Instance":
        return from_json(cls, data, ("bbox",))
