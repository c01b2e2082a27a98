"""Rasterise a scene into RGB pixels plus a per-pixel object-id buffer.

Every object is first rasterised to its own binary mask, and the RGB image is
painted through those masks. Colour pixels, id buffer and annotation masks
therefore agree exactly; there is no anti-aliasing to blur an object's edge.
Polygons go through pycocotools' own rasteriser so that a polygon written to
the COCO file decodes to exactly the pixels that were painted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from pycocotools import mask as mask_utils

from engine.sample.figures import Figure
from engine.sample.scene import COLORS, Background, Scene, SceneObject, Shape
from engine.sample.skeleton import KP

_LIMBS = [
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
]
_TORSO = ["left_shoulder", "right_shoulder", "right_hip", "left_hip"]


@dataclass
class Raster:
    rgb: np.ndarray  # (H, W, 3) uint8
    ids: np.ndarray  # (H, W) int32; 0 is background, k is scene.objects[k - 1]
    full_masks: list[np.ndarray]  # per object, before occlusion (clipped to the image)

    def visible(self, index: int) -> np.ndarray:
        """Pixels of scene.objects[index] that nothing drawn later covers."""
        return self.ids == index + 1


def background_pixels(background: Background, width: int, height: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height)[:, None]
    top, bottom = np.array(background.top, float), np.array(background.bottom, float)
    rows = np.rint(top + (bottom - top) * t).astype(np.uint8)
    return np.repeat(rows[:, None, :], width, axis=1)


def polygon_mask(vertices: list[tuple[float, float]], width: int, height: int) -> np.ndarray:
    flat = [float(c) for xy in vertices for c in xy]
    rle = mask_utils.merge(mask_utils.frPyObjects([flat], height, width))
    return mask_utils.decode(rle).astype(bool)


def _circle_mask(shape: Shape, width: int, height: int) -> np.ndarray:
    yy, xx = np.ogrid[0:height, 0:width]
    cx, cy = shape.center
    return (xx - cx) ** 2 + (yy - cy) ** 2 <= shape.radius ** 2


def _figure_mask(figure: Figure, width: int, height: int) -> np.ndarray:
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    pts = {name: tuple(int(v) for v in figure.keypoints[i]) for name, i in KP.items()}
    draw.polygon([pts[name] for name in _TORSO], fill=255)
    neck_base = tuple((np.array(pts["left_shoulder"]) + pts["right_shoulder"]) // 2)
    draw.line([figure.head_center, neck_base], fill=255, width=figure.limb_width)
    for a, b in _LIMBS:
        draw.line([pts[a], pts[b]], fill=255, width=figure.limb_width)
    joint = figure.limb_width / 2
    for x, y in pts.values():
        draw.ellipse([x - joint, y - joint, x + joint, y + joint], fill=255)
    hx, hy = figure.head_center
    r = figure.head_radius
    draw.ellipse([hx - r, hy - r, hx + r, hy + r], fill=255)
    mask = np.asarray(canvas) > 0
    # A keypoint's own pixel always belongs to its figure, whatever the rounding
    # of the shapes drawn around it, so "visible" is a plain pixel lookup.
    kx, ky = figure.keypoints[:, 0], figure.keypoints[:, 1]
    inside = (kx >= 0) & (kx < width) & (ky >= 0) & (ky < height)
    mask[ky[inside], kx[inside]] = True
    return mask


def object_mask(obj: SceneObject, width: int, height: int) -> np.ndarray:
    """The object's pixels as if nothing covered it, clipped to the image."""
    if isinstance(obj, Figure):
        return _figure_mask(obj, width, height)
    if obj.category == "circle":
        return _circle_mask(obj, width, height)
    return polygon_mask(obj.vertices(), width, height)


def render(scene: Scene) -> Raster:
    w, h = scene.width, scene.height
    rgb = background_pixels(scene.background, w, h)
    ids = np.zeros((h, w), np.int32)
    full = []
    for k, obj in enumerate(scene.objects, start=1):
        mask = object_mask(obj, w, h)
        rgb[mask] = COLORS[obj.color]
        ids[mask] = k
        full.append(mask)
    return Raster(rgb=rgb, ids=ids, full_masks=full)
