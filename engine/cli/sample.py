"""``kinetag sample PROJECT``: a ready-to-try project from the synthetic sample generator.

The media and the ground-truth COCO files go to ``<project stem>_media/`` beside
the project. By default only the images, the video, the categories and the
captions come in, so that the instances are there to predict and correct;
``--with-annotations`` imports the ground truth too.
"""
from __future__ import annotations

from pathlib import Path

from engine.cli.main import UserError
from engine.coco import CocoFormatError, import_coco
from engine.model import Category
from engine.store import ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sample", help="create a sample project with synthetic images (and a video)")
    p.add_argument("project", type=Path, help="the project file to create")
    p.add_argument("--images", type=int, default=12, metavar="N", help="number of still images (default 12)")
    p.add_argument("--video", action="store_true", help="also a short video of walking figures, with tracks")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--with-annotations", action="store_true",
                   help="also import the ground-truth instances (they are verified then)")
    p.set_defaults(func=run)


def media_folder(project: Path) -> Path:
    return project.with_name(project.stem + "_media")


def run(args) -> int:
    from engine.sample import PERSON_FLIP_PAIRS, generate_sample

    if args.images < 0:
        raise UserError(f"--images {args.images}: must be 0 or more")
    if args.project.exists():
        raise UserError(f"{args.project}: already exists")
    media = media_folder(args.project)
    if media.exists() and any(media.iterdir()):
        raise UserError(f"{media}: already exists and is not empty")
    result = generate_sample(media, n_images=args.images, seed=args.seed, video=args.video)
    store = ProjectStore.create(args.project)
    try:
        for rec in result.coco["categories"]:
            names = list(rec.get("keypoints", []))
            store.add_category(Category(
                rec["name"], id=rec["id"], supercategory=rec.get("supercategory", ""), keypoints=names,
                skeleton=[(a - 1, b - 1) for a, b in rec.get("skeleton", [])],
                flip_pairs=list(PERSON_FLIP_PAIRS) if names else []), author="sample")
        try:
            truth = import_coco(store, result.ground_truth, author="sample",
                                with_annotations=args.with_annotations)
            captions = import_coco(store, result.captions, author="sample", mark_verified=False)
        except CocoFormatError as exc:  # the generator and the importer disagree: a bug, not user input
            raise UserError(f"sample import failed: {exc}") from None
        counts = store.counts()
    finally:
        store.close()
    print(f"media and ground truth in {media}/ ({result.ground_truth.name}, {result.captions.name})")
    print(f"created {args.project}: {truth.images_added} images, {truth.videos_added} videos, "
          f"{counts['instances']} instances, {captions.captions} captions")
    return 0
