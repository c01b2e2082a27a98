"""``kinetag predict``: run a model over a project's images and videos."""
from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.args import parse_ids
from engine.cli.main import UserError
from engine.cli.progress import run_with_bar
from engine.jobs import CancelToken
from engine.store import ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("predict", help="run a model over a project's images and video frames",
                              description="Predict boxes, masks or keypoints with a torchvision model and store "
                                          "them as unreviewed predictions (a re-run replaces only those).")
    p.add_argument("project", type=Path, help="project file (.kinetag)")
    p.add_argument("--model", required=True, help="model name (see `kinetag models`)")
    p.add_argument("--weights", default="default",
                   help="'default' (torchvision's published weights, downloaded once), 'random' (untrained, "
                        "for trying the pipeline), or a weights file (Kinetag checkpoint or state_dict)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    p.add_argument("--batch", type=int, default=4, help="images per batch (default: 4)")
    p.add_argument("--score-threshold", type=float, default=None, help="keep predictions scoring at least this")
    p.add_argument("--assets", default=None, help="asset ids, e.g. 1,2,5-8 (default: all)")
    p.add_argument("--categories", default=None, help="only these model classes, comma-separated names")
    p.add_argument("--min-size", type=int, default=None, help="resize the shorter image side to this for the model")
    p.add_argument("--amp", action="store_true", help="fp16 autocast on CUDA")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: torch and torchvision take seconds to load, other commands shouldn't wait for them.
    from engine.inference import InferenceError, PredictConfig, predict_job

    if args.batch < 1:
        raise UserError("--batch must be at least 1")
    kwargs = {"min_size": args.min_size} if args.min_size else {}
    weights = None if args.weights == "random" else args.weights
    config = PredictConfig(
        model=args.model, weights=weights, device=args.device, batch_size=args.batch,
        score_threshold=args.score_threshold, amp=args.amp, model_kwargs=kwargs,
        category_names=[n.strip() for n in args.categories.split(",") if n.strip()] if args.categories else None,
    )
    asset_ids = parse_ids(args.assets, "--assets") if args.assets else None
    store = ProjectStore.open(args.project)
    try:
        token = CancelToken()
        summary = run_with_bar(predict_job(token, store, config, asset_ids=asset_ids), token,
                               f"predict {args.model}")
    except InferenceError as exc:
        raise UserError(str(exc)) from exc
    finally:
        store.close()
    print(f"{summary.instances} predictions on {summary.images} images and {summary.frames} video frames "
          f"in {summary.seconds:.1f} s (model version {summary.model_version_id})")
    if summary.errors:
        print(f"{summary.skipped} images/frames skipped:")
        for error in summary.errors:
            print(f"  {error}")
    return 1 if summary.errors else 0
