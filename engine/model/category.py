from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Category:
    """A label class. Keypoint categories also carry their schema.

    ``skeleton`` and ``flip_pairs`` hold 0-based keypoint indices (COCO files use
    1-based skeletons; the COCO I/O converts at the border).
    """
    name: str
    id: int | None = None
    supercategory: str = ""
    color: str = ""  # "#rrggbb"; empty means "pick one from the palette"
    keypoints: list[str] = field(default_factory=list)
    skeleton: list[tuple[int, int]] = field(default_factory=list)
    flip_pairs: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_keypoints(self) -> bool:
        return bool(self.keypoints)

    @property
    def num_keypoints(self) -> int:
        return len(self.keypoints)
