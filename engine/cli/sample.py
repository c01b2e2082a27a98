"""``kinetag sample PROJECT``: a ready-to-try project from the synthetic sample generator.

The media and the ground-truth COCO files go to ``<project stem>_media/`` beside
the project. By default only the images, the video, the categories and the
captions come in, so that the instances are there to predict and correct;
``--with-annotations`` imports the ground truth too.
"""
from __future__ import annotations

from pathlib import Path

from engine.cli.main import UserError
from engine.coco import CocoFormatError
from engine.jobs import CancelToken, run_job
from engine.sample.project import fill_sample_project_job, media_folder
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


def run(args) -> int:
    if args.images < 0:
        raise UserError(f"--images {args.images}: must be 0 or more")
    if args.project.exists():
        raise UserError(f"{args.project}: already exists")
    media = media_folder(args.project)
    if media.exists() and any(media.iterdir()):
        raise UserError(f"{media}: already exists and is not empty")
    store = ProjectStore.create(args.project)
    try:
        try:
            result, truth, captions = run_job(fill_sample_project_job(
                CancelToken(), store, media, n_images=args.images, seed=args.seed, video=args.video,
                with_annotations=args.with_annotations))
        except CocoFormatError as exc:  # the generator and the importer disagree: a bug, not user input
            raise UserError(f"sample import failed: {exc}") from None
        counts = store.counts()
    finally:
        store.close()
    print(f"media and ground truth in {media}/ ({result.ground_truth.name}, {result.captions.name})")
    print(f"created {args.project}: {truth.images_added} images, {truth.videos_added} videos, "
          f"{counts['instances']} instances, {captions.captions} captions")
    return 0
