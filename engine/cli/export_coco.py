"""``kinetag export PROJECT OUT``: the project's annotations as one COCO file."""
from __future__ import annotations

from pathlib import Path

from engine.cli.args import parse_ids
from engine.cli.main import UserError
from engine.cli.progress import run_with_bar
from engine.coco import default_captions_path, export_coco_job
from engine.jobs import CancelToken
from engine.store import ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="export annotations as a COCO file",
                              description="Export images, categories, instances and captions as COCO JSON. "
                                          "Rejected predictions are never exported.")
    p.add_argument("project", type=Path, help="the project file")
    p.add_argument("out", type=Path, help="the COCO JSON file to write")
    p.add_argument("--only-verified", action="store_true",
                   help="only human-verified annotations (accepted, corrected, drawn or imported)")
    captions = p.add_mutually_exclusive_group()
    captions.add_argument("--captions-out", type=Path, metavar="FILE",
                          help="the COCO captions file to write (default: OUT's name with _captions, when "
                               "any captions are exported)")
    captions.add_argument("--captions-inline", action="store_true",
                          help="captions in OUT with the instances (pycocotools' COCO() cannot load that)")
    p.add_argument("--no-captions", dest="include_captions", action="store_false", help="leave captions out")
    p.add_argument("--categories", metavar="IDS", help="only these category ids, e.g. 1,3")
    p.set_defaults(func=run)


def run(args) -> int:
    categories = parse_ids(args.categories, "--categories") if args.categories else None
    if not args.out.parent.is_dir():
        raise UserError(f"{args.out.parent}: no such folder")
    store = ProjectStore.open(args.project)
    try:
        default = args.captions_out is None and not args.captions_inline
        captions_out = default_captions_path(args.out) if default else args.captions_out
        token = CancelToken()
        job = export_coco_job(token, store, args.out, only_verified=args.only_verified, category_ids=categories,
                              captions_out=captions_out, include_captions=args.include_captions,
                              captions_if_any=default)
        report = run_with_bar(job, token, f"export {args.out.name}")
    finally:
        store.close()
    print(f"exported {report.summary()}")
    return 0
