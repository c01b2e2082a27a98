"""The COCO person keypoint schema, as in person_keypoints_*.json."""
from __future__ import annotations

PERSON_KEYPOINTS: list[str] = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
]

# 1-based, exactly as COCO's files list it.
COCO_PERSON_SKELETON: list[list[int]] = [
    [16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7],
    [6, 8], [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7],
]

# 0-based, the form engine.model.Category keeps.
PERSON_SKELETON: list[tuple[int, int]] = [(a - 1, b - 1) for a, b in COCO_PERSON_SKELETON]

# Left/right partners (0-based), for horizontal-flip augmentation.
PERSON_FLIP_PAIRS: list[tuple[int, int]] = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)]

KP = {name: i for i, name in enumerate(PERSON_KEYPOINTS)}
