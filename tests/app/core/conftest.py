"""Fixtures for the CORE GUI tests: offscreen Qt, real SQLite projects with real PNGs."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import app.pyside_compat  # noqa: E402,F401 — before any Qt call
from engine.model import Asset, Category, Instance, ReviewState, Source  # noqa: E402
from engine.sample.skeleton import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON  # noqa: E402
from engine.store import ProjectStore  # noqa: E402

WIDTH, HEIGHT = 320, 200
BACKGROUND = (40, 40, 40)


def write_png(path: Path, width: int = WIDTH, height: int = HEIGHT) -> None:
    pixels = np.full((height, width, 3), BACKGROUND, np.uint8)
    pixels[10:30, 10:30] = (200, 200, 200)  # something that is not background
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


@pytest.fixture
def project(tmp_path):
    """(store, ids): a project with a person (COCO skeleton) and a ball category and two PNG assets."""
    store = ProjectStore.create(tmp_path / "core.kinetag")
    person = store.add_category(Category("person", keypoints=list(PERSON_KEYPOINTS),
                                         skeleton=list(PERSON_SKELETON), flip_pairs=list(PERSON_FLIP_PAIRS)))
    ball = store.add_category(Category("ball"))
    assets = []
    for k in range(2):
        write_png(tmp_path / "images" / f"img_{k}.png")
        assets.append(store.add_asset(Asset(f"images/img_{k}.png", WIDTH, HEIGHT)))
    yield store, {"person": person.id, "ball": ball.id, "assets": [a.id for a in assets]}
    store.close()


@pytest.fixture
def doc(project, qapp):
    from app.document import ProjectDocument
    store, ids = project
    document = ProjectDocument(store, author="tester")
    document.open_asset(ids["assets"][0])
    yield document
    document.close()


def prediction(asset_id: int, category_id: int, bbox, score: float, **extra) -> Instance:
    return Instance(asset_id, category_id, bbox=tuple(float(v) for v in bbox), score=score,
                    source=Source.MODEL, review_state=ReviewState.PREDICTED, model_version_id=None, **extra)


def person_keypoints(x0: float, y0: float, visibility: int = 2) -> list[float]:
    kp = []
    for k in range(17):
        kp += [x0 + (k % 4) * 6.0, y0 + (k // 4) * 8.0, visibility]
    return kp
