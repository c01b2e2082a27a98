"""Filling a project with the sample: categories, assets, captions, optionally the ground truth.

One job for ``kinetag sample`` and the GUI's "Try the sample project".
"""
from __future__ import annotations

from pathlib import Path

from engine.coco import import_coco_job
from engine.jobs import CancelToken, Progress
from engine.model import Category
from engine.sample.generate import SampleResult, generate_sample
from engine.sample.skeleton import PERSON_FLIP_PAIRS
from engine.store import ProjectStore


def media_folder(project: Path) -> Path:
    """Where a sample project's images, video and ground truth go: ``<stem>_media`` beside it."""
    return Path(project).with_name(Path(project).stem + "_media")


def fill_sample_project_job(token: CancelToken, store: ProjectStore, media: Path, *, n_images: int = 12,
                            seed: int = 0, video: bool = False, with_annotations: bool = False,
                            size: tuple[int, int] = (320, 240)):
    """Generate the sample into ``media`` and bring it into ``store``.

    Returns ``(SampleResult, ground-truth ImportReport, captions ImportReport)``.
    Without ``with_annotations`` only the assets and captions come in: the
    instances are for the user to predict and correct, the ground truth stays
    beside them as COCO for measuring.
    """
    yield Progress(0, 4, "Drawing the sample images" + (" and video" if video else ""))
    result: SampleResult = generate_sample(media, n_images=n_images, seed=seed, video=video, size=size)
    token.raise_if_cancelled()
    yield Progress(1, 4, "Adding categories")
    with store.transaction():
        for rec in result.coco["categories"]:
            names = list(rec.get("keypoints", []))
            store.add_category(Category(
                rec["name"], id=rec["id"], supercategory=rec.get("supercategory", ""), keypoints=names,
                skeleton=[(a - 1, b - 1) for a, b in rec.get("skeleton", [])],
                flip_pairs=list(PERSON_FLIP_PAIRS) if names else []), author="sample")
    yield Progress(2, 4, "Importing the sample's images" + (" and ground truth" if with_annotations else ""))
    truth = yield from _steps_of(import_coco_job(token, store, result.ground_truth, author="sample",
                                                 with_annotations=with_annotations))
    yield Progress(3, 4, "Importing captions")
    captions = yield from _steps_of(import_coco_job(token, store, result.captions, author="sample",
                                                    mark_verified=False))
    yield Progress(4, 4, "Sample project ready")
    return result, truth, captions


def _steps_of(job):
    """Run a sub-job without letting its own done/total replace the outer job's steps."""
    while True:
        try:
            step = next(job)
        except StopIteration as stop:
            return stop.value
        yield Progress(0, None, step.message, errors=step.errors)
