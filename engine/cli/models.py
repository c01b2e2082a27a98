"""``kinetag models``: the models ``kinetag predict`` can run, and whether their weights are here."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the models predict can run",
                              description="List models: name, task, number of categories, and whether the "
                                          "published weights are already on this machine.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.inference import list_models, weights_cache_path, weights_present

    specs = list_models()
    width = max(len(s.name) for s in specs)
    print(f"{'model':<{width}}  {'task':<9}  {'classes':>7}  weights")
    for spec in specs:
        here = "present" if weights_present(spec) else "not downloaded"
        print(f"{spec.name:<{width}}  {spec.task:<9}  {len(spec.categories):>7}  {here}")
    if specs:
        print(f"\nweights folder: {weights_cache_path(specs[0]).parent}")
    return 0
