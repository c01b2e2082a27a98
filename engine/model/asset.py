from __future__ import annotations

from dataclasses import dataclass, field

from engine.model.types import AssetKind, AssetState


@dataclass
class Asset:
    """An image or a video in a project.

    ``path`` is relative to the project file's folder (absolute only when the
    media lives on another drive). A still image has one frame, index 0; a video's
    annotations are addressed by ``frame_index`` in ``[0, num_frames)``.
    ``coco_id`` is the image id (for images) or the video id (for videos) an
    import brought in, kept so that an export gives the same ids back.
    """
    path: str
    width: int
    height: int
    kind: AssetKind = AssetKind.IMAGE
    id: int | None = None
    fps: float | None = None
    num_frames: int = 1
    coco_id: int | None = None
    state: AssetState = AssetState.UNLABELED
    split: str | None = None  # "train" / "val" / "test" for active learning and COCOeval
    attributes: dict = field(default_factory=dict)

    @property
    def is_video(self) -> bool:
        return self.kind == AssetKind.VIDEO


@dataclass
class Frame:
    """A video frame that has an identity of its own in COCO (TAO / YouTube-VIS).

    Only frames that came in through an import (or went out through an export)
    have a row; every other frame is addressed by (asset_id, frame_index) alone.
    """
    asset_id: int
    frame_index: int
    coco_id: int | None = None
    file_name: str | None = None
    id: int | None = None
