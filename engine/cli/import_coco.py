"""``kinetag import PROJECT FILE``: a COCO dataset, captions or results file, all or nothing."""
from __future__ import annotations

from pathlib import Path

from engine.cli.main import UserError
from engine.cli.progress import run_with_bar
from engine.coco import CocoFormatError, import_coco_job
from engine.jobs import CancelToken
from engine.store import ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "import", help="import a COCO file (instances, keypoints, captions, video frames or results)",
        description="Import a COCO file into a project. Nothing is written unless the whole file is valid.")
    p.add_argument("project", type=Path, help="the project file")
    p.add_argument("coco", type=Path, help="the COCO JSON file")
    p.add_argument("--images-root", type=Path, metavar="DIR",
                   help="folder the images' file_name are relative to (default: the COCO file's folder)")
    p.add_argument("--author", default="", help="who to record as the author (default: import:<file name>)")
    p.add_argument("--no-check-files", dest="check_files", action="store_false",
                   help="don't check that every image file exists (large datasets on slow disks)")
    p.add_argument("--no-annotations", dest="with_annotations", action="store_false",
                   help="bring in categories, images and videos only")
    p.set_defaults(func=run)


def run(args) -> int:
    store = ProjectStore.open(args.project)
    try:
        token = CancelToken()
        job = import_coco_job(token, store, args.coco, args.images_root, args.author,
                              check_files=args.check_files, with_annotations=args.with_annotations)
        try:
            report = run_with_bar(job, token, f"import {args.coco.name}")
        except CocoFormatError as exc:
            raise UserError(f"{exc}\nnothing was imported") from None
    finally:
        store.close()
    for warning in report.warnings:
        print(f"warning: {warning}")
    if not report.files_checked:
        print("note: image files were not checked")
    print(f"imported {report.summary()}")
    return 0
