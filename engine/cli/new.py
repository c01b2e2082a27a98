"""``kinetag new PROJECT [--images DIR ...] [--video FILE ...]``: create a project and add media."""
from __future__ import annotations

from pathlib import Path

from engine.cli.main import UserError
from engine.cli.progress import run_with_bar
from engine.jobs import CancelToken
from engine.media import MediaError
from engine.project_setup import add_images_job, add_video
from engine.store import SUFFIX, ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("new", help="create a project, optionally with images and videos",
                              description="Create a Kinetag project file and add media to it.")
    p.add_argument("project", type=Path, help=f"the project file to create (*{SUFFIX})")
    p.add_argument("--name", help="the project's name (default: the file's name)")
    p.add_argument("--images", type=Path, action="append", default=[], metavar="DIR",
                   help="add the images of this folder and its subfolders (repeatable)")
    p.add_argument("--video", type=Path, action="append", default=[], metavar="FILE",
                   help="add this video (repeatable)")
    p.set_defaults(func=run)


def run(args) -> int:
    for folder in args.images:
        if not folder.is_dir():
            raise UserError(f"{folder}: no such folder")
    for video in args.video:
        if not video.is_file():
            raise UserError(f"{video}: no such video file")
    store = ProjectStore.create(args.project, name=args.name)
    try:
        for folder in args.images:
            token = CancelToken()
            report = run_with_bar(add_images_job(token, store, folder), token, f"images from {folder}")
            for error in report.errors:
                print(f"skipped {error}")
            print(f"{folder}: {report.summary()}")
        for video in args.video:
            try:
                asset = add_video(store, video)
            except MediaError as exc:
                raise UserError(str(exc)) from None
            print(f"{video}: {asset.num_frames} frames at {asset.fps:g} fps, {asset.width}x{asset.height}")
        print(f"created {args.project} ({store.asset_count()} assets)")
    finally:
        store.close()
    return 0
