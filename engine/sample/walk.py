"""The sample video: figures walking across each other, plus a shape or two drifting by.

Two walkers start at opposite sides at slightly different depths and pass
each other mid-clip, the nearer one occluding the farther one: the case that
makes tracking non-trivial. A third, farther and slower walker appears half
the time. Objects keep their drawing order (far to near), so the track id of
object k is simply k + 1 in every frame.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.sample.figures import make_figure, walking_pose
from engine.sample.scene import FIGURE_COLORS, SHAPE_COLORS, Scene, SceneObject, Shape, random_background


@dataclass(frozen=True)
class Walker:
    color: str
    height: float
    start: tuple[float, float]  # hip centre at the first frame
    end: tuple[float, float]  # hip centre at the last frame
    phase: float

    def at(self, u: float) -> SceneObject:
        x = self.start[0] + (self.end[0] - self.start[0]) * u
        y = self.start[1] + (self.end[1] - self.start[1]) * u
        direction = 1 if self.end[0] >= self.start[0] else -1
        # One walk cycle per ~0.9 body heights travelled keeps the feet from sliding much.
        travelled = abs(x - self.start[0])
        phase = self.phase + 2 * math.pi * travelled / (0.9 * self.height)
        bob = 0.02 * self.height * abs(math.sin(phase))
        return make_figure((x, y - bob), self.height, walking_pose(phase, direction), self.color,
                           width_ratio=0.75)


@dataclass(frozen=True)
class Mover:
    shape: Shape
    end: tuple[float, float]
    spin: float  # radians over the clip

    def at(self, u: float) -> SceneObject:
        (x0, y0), (x1, y1) = self.shape.center, self.end
        return Shape(self.shape.category, self.shape.color, (x0 + (x1 - x0) * u, y0 + (y1 - y0) * u),
                     self.shape.radius, self.shape.angle + self.spin * u)


def _walkers(rng: np.random.Generator, w: int, h: int) -> list[Walker]:
    colors = [str(c) for c in rng.permutation(list(FIGURE_COLORS))]

    def jitter(scale: float) -> float:
        return float(rng.uniform(-scale, scale))

    crossing = [
        Walker(colors[0], (0.55 + jitter(0.04)) * h, ((0.12 + jitter(0.03)) * w, 0.62 * h),
               ((0.88 + jitter(0.03)) * w, (0.62 + jitter(0.02)) * h), float(rng.uniform(0, 2 * math.pi))),
        Walker(colors[1], (0.62 + jitter(0.04)) * h, ((0.88 + jitter(0.03)) * w, 0.68 * h),
               ((0.12 + jitter(0.03)) * w, (0.68 + jitter(0.02)) * h), float(rng.uniform(0, 2 * math.pi))),
    ]
    if rng.random() < 0.5:
        return crossing
    far = Walker(colors[2], 0.42 * h, (0.35 * w, 0.50 * h), (0.62 * w, 0.50 * h),
                 float(rng.uniform(0, 2 * math.pi)))
    return [far] + crossing


def _mover(rng: np.random.Generator, w: int, h: int, y_range: tuple[float, float]) -> Mover:
    radius = float(rng.uniform(0.06, 0.1) * min(w, h))
    left_to_right = rng.random() < 0.5
    x0, x1 = (radius, w - radius) if left_to_right else (w - radius, radius)
    shape = Shape(
        category=("circle", "square", "triangle")[int(rng.integers(3))],
        color=list(SHAPE_COLORS)[int(rng.integers(len(SHAPE_COLORS)))],
        center=(x0, float(rng.uniform(*y_range) * h)),
        radius=radius,
        angle=float(rng.uniform(0, 2 * math.pi)),
    )
    return Mover(shape, (x1, float(rng.uniform(*y_range) * h)), spin=float(rng.uniform(-2, 2) * math.pi))


def walk_scenes(rng: np.random.Generator, width: int, height: int, n_frames: int) -> list[Scene]:
    """One scene per frame; object k is the same actor (track k + 1) in all of them."""
    background = random_background(rng)
    actors = [_mover(rng, width, height, (0.12, 0.3))] + _walkers(rng, width, height)
    if rng.random() < 0.6:
        actors.append(_mover(rng, width, height, (0.55, 0.85)))  # in front: occludes the walkers
    scenes = []
    for t in range(n_frames):
        u = t / (n_frames - 1) if n_frames > 1 else 0.0
        scenes.append(Scene(width, height, background, tuple(a.at(u) for a in actors)))
    return scenes
