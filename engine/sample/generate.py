"""Write a small, fully annotated sample project: images, optionally a video, COCO files.

Layout of ``out_dir``::

    images/sample_0000.png ...   still scenes
    video/sample_walk.mp4         (video=True) figures walking across each other, 12 fps
    ground_truth.json             COCO instances + person keypoints for everything above
    captions.json                 COCO captions for the still images

Video frames appear in ground_truth.json as TAO-style image entries with
``video_id`` and ``frame_index`` (0-based), and ``file_name`` is
``"<video path relative to out_dir>#<frame_index>"``, e.g.
``"video/sample_walk.mp4#12"``. The ``videos`` list (YouTube-VIS style) has
id, name, file_name, width, height, fps and length; ``tracks`` (TAO style) has
one entry per track with its category. Video annotations carry ``track_id``
and ``video_id``. Every annotation has ``attributes: {"color": name}``.

Same seed, same bytes: each image draws from its own random stream seeded by
(seed, image index), so image k does not depend on n_images either.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from engine.media import write_video
from engine.sample.captions import Mention, make_caption
from engine.sample.coco_writer import CATEGORIES, CATEGORY_IDS, annotate, write_coco
from engine.sample.render import Raster, render
from engine.sample.scene import Scene, random_scene
from engine.sample.walk import walk_scenes

VIDEO_FPS = 12
VIDEO_NAME = "sample_walk"
_MAX_LAYOUT_TRIES = 100
_MIN_VISIBLE_FRACTION = 0.4
_MIN_AREA_FRACTION = 0.002  # of the image: ~150 px at 320x240


@dataclass
class SampleResult:
    images: list[Path]
    video: Path | None
    ground_truth: Path
    captions: Path
    coco: dict = field(repr=False)


def _well_visible(raster: Raster) -> bool:
    """No object is tiny or mostly hidden, so each is worth labelling and mentioning."""
    min_area = _MIN_AREA_FRACTION * raster.ids.size
    counts = np.bincount(raster.ids.ravel(), minlength=len(raster.full_masks) + 1)
    for k, full in enumerate(raster.full_masks, start=1):
        full_area = int(full.sum())
        if full_area < min_area or counts[k] < _MIN_VISIBLE_FRACTION * full_area:
            return False
    return True


def _still_scene(rng: np.random.Generator, width: int, height: int) -> tuple[Scene, Raster]:
    for _ in range(_MAX_LAYOUT_TRIES):
        scene = random_scene(rng, width, height)
        raster = render(scene)
        if _well_visible(raster):
            break
    return scene, raster  # after many tries, a crowded layout is still a valid one


def _mentions(scene: Scene, raster: Raster) -> list[Mention]:
    out = []
    for index, obj in enumerate(scene.objects):
        ys, xs = np.nonzero(raster.visible(index))
        if len(xs):
            out.append(Mention(obj.category, obj.color, float(xs.mean()), float(ys.mean()), float(len(xs))))
    return out


def _write_png(path: Path, rgb: np.ndarray) -> None:
    # Plain PNG with no text/time chunks, so the bytes depend on the pixels only.
    Image.fromarray(rgb).save(path, format="PNG", optimize=False, compress_level=6)


def generate_sample(out_dir: Path, n_images: int = 12, seed: int = 0, video: bool = False,
                    video_frames: int = 48, size: tuple[int, int] = (320, 240)) -> SampleResult:
    out_dir = Path(out_dir)
    width, height = size
    if video and (width % 2 or height % 2):
        raise ValueError(f"video needs an even frame size, got {width}x{height}")
    if video and video_frames < 1:
        raise ValueError(f"video needs at least one frame, got {video_frames}")
    (out_dir / "images").mkdir(parents=True, exist_ok=True)

    images, image_entries, annotations, captions = [], [], [], []
    for i in range(n_images):
        rng = np.random.default_rng([seed, 0, i])
        scene, raster = _still_scene(rng, width, height)
        path = out_dir / "images" / f"sample_{i:04d}.png"
        _write_png(path, raster.rgb)
        images.append(path)
        image_id = i + 1
        image_entries.append({"id": image_id, "file_name": path.relative_to(out_dir).as_posix(),
                              "width": width, "height": height})
        annotations += annotate(scene, raster, image_id, first_id=len(annotations) + 1)
        captions.append({"id": i + 1, "image_id": image_id,
                         "caption": make_caption(_mentions(scene, raster), scene.background.kind, rng)})

    video_path, videos, tracks = None, [], []
    if video:
        video_path, frame_entries, frame_annotations, videos, tracks = _write_walk_video(
            out_dir, seed, width, height, video_frames,
            first_image_id=n_images + 1, first_ann_id=len(annotations) + 1)
        image_entries += frame_entries
        annotations += frame_annotations

    info = {"description": "Kinetag synthetic sample", "version": "1.0", "contributor": "kinetag sample",
            "seed": seed}
    coco = {"info": info, "licenses": [], "images": image_entries}
    if video:
        coco["videos"] = videos
        coco["tracks"] = tracks
    coco["categories"] = copy.deepcopy(CATEGORIES)
    coco["annotations"] = annotations
    ground_truth = out_dir / "ground_truth.json"
    write_coco(ground_truth, coco)

    captions_path = out_dir / "captions.json"
    write_coco(captions_path, {"info": info, "licenses": [], "images": image_entries[:n_images],
                               "annotations": captions})
    return SampleResult(images=images, video=video_path, ground_truth=ground_truth,
                        captions=captions_path, coco=coco)


def _write_walk_video(out_dir: Path, seed: int, width: int, height: int, n_frames: int,
                      first_image_id: int, first_ann_id: int):
    rng = np.random.default_rng([seed, 1])
    scenes = walk_scenes(rng, width, height, n_frames)
    rasters = [render(scene) for scene in scenes]
    (out_dir / "video").mkdir(exist_ok=True)
    path = out_dir / "video" / f"{VIDEO_NAME}.mp4"
    write_video(path, (r.rgb for r in rasters), fps=VIDEO_FPS, crf=18)
    relative = path.relative_to(out_dir).as_posix()

    video_id = 1
    track_ids = list(range(1, len(scenes[0].objects) + 1)) if scenes else []
    frames, annotations = [], []
    for t, (scene, raster) in enumerate(zip(scenes, rasters)):
        image_id = first_image_id + t
        frames.append({"id": image_id, "file_name": f"{relative}#{t}", "width": width, "height": height,
                       "video_id": video_id, "frame_index": t})
        annotations += annotate(scene, raster, image_id, first_ann_id + len(annotations),
                                track_ids=track_ids, video_id=video_id)
    videos = [{"id": video_id, "name": VIDEO_NAME, "file_name": relative, "width": width, "height": height,
               "fps": float(VIDEO_FPS), "length": n_frames}]
    tracks = [{"id": tid, "category_id": CATEGORY_IDS[obj.category], "video_id": video_id}
              for tid, obj in zip(track_ids, scenes[0].objects)] if scenes else []
    return path, frames, annotations, videos, tracks
