"""The ``kinetag`` console script. Each sub-command lives in its own module under
``engine.cli`` and exposes ``add_parser(subparsers)`` that registers it with a
``func(args) -> int`` default."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from engine.store.errors import StoreError

COMMANDS = ["new", "import_coco", "export_coco", "info", "sample", "predict", "models", "gui"]


class UserError(Exception):
    """An error the user can fix; printed without a traceback, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kinetag", description="Label images and video with help from models.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"engine.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"engine.cli.{name}":
                continue  # a command not built yet in this checkout
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except (UserError, StoreError) as exc:
        print(f"kinetag {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kinetag {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
