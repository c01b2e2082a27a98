"""What a sample picture contains: background, shapes and figures, in drawing order."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.sample.figures import Figure, make_figure, random_pose

RGB = tuple[int, int, int]

# Every object colour has a channel below 170 and every background channel is
# at least 180, so no background pixel can ever take an object's colour: the
# tests rely on that to check masks against the pixels.
SHAPE_COLORS: dict[str, RGB] = {
    "red": (220, 40, 40),
    "green": (40, 160, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 200, 30),
    "orange": (245, 130, 20),
    "purple": (140, 60, 190),
}
FIGURE_COLORS: dict[str, RGB] = {
    "navy": (30, 40, 100),
    "maroon": (120, 30, 45),
    "charcoal": (55, 55, 60),
    "brown": (110, 70, 40),
    "teal": (20, 110, 110),
}
COLORS: dict[str, RGB] = {**SHAPE_COLORS, **FIGURE_COLORS}
SHAPE_KINDS = ("circle", "square", "triangle")
BACKGROUND_MIN = 180


@dataclass(frozen=True)
class Shape:
    category: str  # one of SHAPE_KINDS
    color: str
    center: tuple[float, float]
    radius: float  # circumradius, pixels
    angle: float = 0.0

    def vertices(self) -> list[tuple[float, float]] | None:
        """Corners of a square or triangle, rounded to 0.01 px so that JSON holds them exactly."""
        corners = {"square": 4, "triangle": 3}.get(self.category)
        if corners is None:
            return None
        cx, cy = self.center
        out = []
        for k in range(corners):
            a = self.angle + 2 * math.pi * k / corners
            out.append((round(cx + self.radius * math.cos(a), 2), round(cy + self.radius * math.sin(a), 2)))
        return out


@dataclass(frozen=True)
class Background:
    top: RGB
    bottom: RGB

    @property
    def kind(self) -> str:
        return "plain" if self.top == self.bottom else "gradient"


SceneObject = Shape | Figure


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    background: Background
    objects: tuple[SceneObject, ...]  # later objects occlude earlier ones


def random_background(rng: np.random.Generator) -> Background:
    top = tuple(int(v) for v in rng.integers(BACKGROUND_MIN, 246, size=3))
    if rng.random() < 0.4:
        return Background(top, top)
    bottom = tuple(int(v) for v in rng.integers(BACKGROUND_MIN, 246, size=3))
    return Background(top, bottom)


def random_shape(rng: np.random.Generator, width: int, height: int) -> Shape:
    short = min(width, height)
    radius = float(rng.uniform(0.07, 0.15) * short)
    return Shape(
        category=SHAPE_KINDS[int(rng.integers(len(SHAPE_KINDS)))],
        color=list(SHAPE_COLORS)[int(rng.integers(len(SHAPE_COLORS)))],
        center=(float(rng.uniform(radius, width - radius)), float(rng.uniform(radius, height - radius))),
        radius=radius,
        angle=float(rng.uniform(0, 2 * math.pi)),
    )


def random_figure(rng: np.random.Generator, width: int, height: int) -> Figure:
    size = float(rng.uniform(0.4, 0.75) * height)
    # Feet may fall below the bottom edge so that some keypoints are outside (v=0).
    feet = float(rng.uniform(0.6, 1.12) * height)
    hip = (float(rng.uniform(0.08, 0.92) * width), feet - 0.48 * size)
    color = list(FIGURE_COLORS)[int(rng.integers(len(FIGURE_COLORS)))]
    return make_figure(hip, size, random_pose(rng), color)


def random_scene(rng: np.random.Generator, width: int, height: int) -> Scene:
    """1-4 shapes and 0-3 figures in random drawing order."""
    objects: list[SceneObject] = [random_shape(rng, width, height) for _ in range(int(rng.integers(1, 5)))]
    objects += [random_figure(rng, width, height) for _ in range(int(rng.integers(0, 4)))]
    order = rng.permutation(len(objects))
    return Scene(width, height, random_background(rng), tuple(objects[i] for i in order))
