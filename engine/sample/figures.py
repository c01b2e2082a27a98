"""Stick figures: COCO keypoints from a pose, standing or walking.

Figures face the camera, so the person's left side is on the image's right
(+x), as in real COCO photos. Proportions are fractions of the figure height.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.sample.skeleton import KP

_SHOULDER_HALF = 0.12
_HIP_HALF = 0.075
_TORSO = 0.30
_NECK = 0.06
_HEAD_RADIUS = 0.085
_UPPER_ARM, _FOREARM = 0.16, 0.15
_THIGH, _SHIN = 0.24, 0.24


@dataclass(frozen=True)
class Pose:
    """Limb angles in radians from straight down, positive towards +x.

    ``*_arm`` / ``*_leg`` are absolute; ``*_elbow`` / ``*_knee`` bend the lower
    limb relative to the upper one; ``lean`` tilts the torso about the hips.
    """
    left_arm: float = 0.25
    left_elbow: float = 0.0
    right_arm: float = -0.25
    right_elbow: float = 0.0
    left_leg: float = 0.08
    left_knee: float = 0.0
    right_leg: float = -0.08
    right_knee: float = 0.0
    lean: float = 0.0


@dataclass(frozen=True)
class Figure:
    """A person to draw: integer pixel keypoints (may lie outside the image)."""
    color: str
    keypoints: np.ndarray  # (17, 2) int
    head_center: tuple[int, int]
    head_radius: int
    limb_width: int
    category: str = "person"


def _down(angle: float) -> np.ndarray:
    return np.array([math.sin(angle), math.cos(angle)])


def make_figure(hip_center: tuple[float, float], height: float, pose: Pose, color: str,
                width_ratio: float = 1.0) -> Figure:
    """Place a figure of ``height`` pixels (head top to feet) with hips at ``hip_center``."""
    h = float(height)
    hips = np.asarray(hip_center, dtype=float)
    shoulders = hips + _TORSO * h * np.array([math.sin(pose.lean), -math.cos(pose.lean)])
    head_radius = _HEAD_RADIUS * h
    head = shoulders + np.array([0.0, -(_NECK * h + head_radius)])
    side = np.array([width_ratio * h, 0.0])

    pts = np.zeros((17, 2))
    pts[KP["nose"]] = head + [0.0, 0.2 * head_radius]
    pts[KP["left_eye"]] = head + [0.35 * head_radius, -0.2 * head_radius]
    pts[KP["right_eye"]] = head + [-0.35 * head_radius, -0.2 * head_radius]
    pts[KP["left_ear"]] = head + [0.75 * head_radius, 0.0]
    pts[KP["right_ear"]] = head + [-0.75 * head_radius, 0.0]
    for name, sign, arm, elbow, leg, knee in (
        ("left", 1.0, pose.left_arm, pose.left_elbow, pose.left_leg, pose.left_knee),
        ("right", -1.0, pose.right_arm, pose.right_elbow, pose.right_leg, pose.right_knee),
    ):
        shoulder = shoulders + sign * _SHOULDER_HALF * side
        hip = hips + sign * _HIP_HALF * side
        elbow_pt = shoulder + _UPPER_ARM * h * _down(arm)
        knee_pt = hip + _THIGH * h * _down(leg)
        pts[KP[f"{name}_shoulder"]] = shoulder
        pts[KP[f"{name}_elbow"]] = elbow_pt
        pts[KP[f"{name}_wrist"]] = elbow_pt + _FOREARM * h * _down(arm + elbow)
        pts[KP[f"{name}_hip"]] = hip
        pts[KP[f"{name}_knee"]] = knee_pt
        pts[KP[f"{name}_ankle"]] = knee_pt + _SHIN * h * _down(leg + knee)

    return Figure(
        color=color,
        keypoints=np.rint(pts).astype(np.int64),
        head_center=(int(round(head[0])), int(round(head[1]))),
        head_radius=max(3, int(round(head_radius))),
        limb_width=max(3, int(round(0.045 * h))),
    )


def random_pose(rng: np.random.Generator) -> Pose:
    """A standing pose with arms anywhere from hanging to raised."""
    return Pose(
        left_arm=float(rng.uniform(0.1, 2.8)),
        left_elbow=float(rng.uniform(-1.2, 1.2)),
        right_arm=-float(rng.uniform(0.1, 2.8)),
        right_elbow=float(rng.uniform(-1.2, 1.2)),
        left_leg=float(rng.uniform(0.0, 0.45)),
        left_knee=float(rng.uniform(-0.4, 0.4)),
        right_leg=-float(rng.uniform(0.0, 0.45)),
        right_knee=float(rng.uniform(-0.4, 0.4)),
        lean=float(rng.uniform(-0.15, 0.15)),
    )


def walking_pose(phase: float, direction: int) -> Pose:
    """One instant of a walk cycle (``phase`` in radians) heading towards ``direction`` (+1/-1) in x."""
    swing = 0.45 * math.sin(phase)
    # Knees bend on the trailing leg only, so the feet push off backwards.
    left_bend = 0.6 * max(0.0, math.cos(phase))
    right_bend = 0.6 * max(0.0, -math.cos(phase))
    return Pose(
        left_arm=0.12 - direction * 0.8 * swing,
        left_elbow=direction * 0.35,
        right_arm=-0.12 + direction * 0.8 * swing,
        right_elbow=direction * 0.35,
        left_leg=direction * swing,
        left_knee=-direction * left_bend,
        right_leg=-direction * swing,
        right_knee=-direction * right_bend,
        lean=direction * 0.05,
    )
