"""Shared set-up for the inference tests: real PNG files in a real project, small random models."""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image

import torch

from engine.inference import LoadedModel, PredictConfig, get_spec, load_model
from engine.model import Asset
from engine.store import ProjectStore

# A fast detector: random init, tiny input, few proposals, score threshold 0 so a
# random model still outputs (deterministic, seeded) boxes.
DETECTOR = "fasterrcnn_mobilenet_v3_large_320_fpn"
DETECTOR_KWARGS = {
    "min_size": 96, "max_size": 128, "box_score_thresh": 0.0, "box_detections_per_img": 3,
    "rpn_pre_nms_top_n_test": 30, "rpn_post_nms_top_n_test": 10,
}


def detector_config(**changes) -> PredictConfig:
    base = dict(model=DETECTOR, weights=None, seed=0, device="cpu", batch_size=2, score_threshold=0.0,
                model_kwargs=dict(DETECTOR_KWARGS))
    base.update(changes)
    return PredictConfig(**base)


@functools.lru_cache(maxsize=1)
def small_detector() -> LoadedModel:
    """The model ``detector_config()`` loads (same seed), built once per session: tests that are not
    about loading pass it to predict_job as ``model=``. Never mutate it."""
    torch.manual_seed(0)
    return load_model(get_spec(DETECTOR), None, model_kwargs=DETECTOR_KWARGS)


def random_image(seed: int, h: int = 72, w: int = 96) -> np.ndarray:
    """Smooth blobs rather than pure noise, so models see some structure."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
    big = np.asarray(Image.fromarray(small).resize((w, h), Image.BILINEAR))
    return np.ascontiguousarray(big)


def write_png(path: Path, image: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


def add_images(store: ProjectStore, n: int, h: int = 72, w: int = 96, first_seed: int = 0) -> list[Asset]:
    assets = []
    for k in range(n):
        path = write_png(store.root / "images" / f"img_{first_seed + k:03d}.png", random_image(first_seed + k, h, w))
        assets.append(Asset(path=store.relative_path(path), width=w, height=h))
    return store.add_assets(assets)
