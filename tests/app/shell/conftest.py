"""Shared fixtures for the window tests: offscreen Qt, throw-away settings, real projects with real PNGs."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from engine.model import Asset, Category  # noqa: E402
from engine.sample import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON  # noqa: E402
from engine.store import ProjectStore  # noqa: E402
import app  # noqa: E402,F401  (app/__init__ applies app.pyside_compat before any Qt call)


@pytest.fixture
def settings(tmp_path):
    from app.settings import Settings
    return Settings(tmp_path / "settings.ini")


def write_png(path: Path, width: int, height: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pixels = np.full((height, width, 3), 40, np.uint8)
    for _ in range(3):
        x, y = rng.integers(0, width - 30), rng.integers(0, height - 30)
        pixels[y:y + 30, x:x + 30] = rng.integers(80, 255, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def make_project(folder: Path, n_images: int = 3, size=(160, 120)) -> Path:
    """A project file next to ``images/`` with real PNGs, a person category with the COCO skeleton and a ball."""
    path = folder / "test.kinetag"
    store = ProjectStore.create(path)
    try:
        store.add_category(Category("person", keypoints=list(PERSON_KEYPOINTS), skeleton=list(PERSON_SKELETON),
                                    flip_pairs=list(PERSON_FLIP_PAIRS)))
        store.add_category(Category("ball"))
        assets = []
        for i in range(n_images):
            image = folder / "images" / f"img_{i:03d}.png"
            write_png(image, *size, seed=i)
            assets.append(Asset(path=store.relative_path(image), width=size[0], height=size[1]))
        store.add_assets(assets)
    finally:
        store.close()
    return path


@pytest.fixture
def project_path(tmp_path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def png_writer():
    """``write_png(path, width, height, seed)`` for tests that need their own images."""
    return write_png


@pytest.fixture
def project_factory():
    """``make_project(folder, n_images=3, size=(160, 120)) -> project path``."""
    return make_project
