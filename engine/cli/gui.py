"""``kinetag gui [PROJECT]``: open the labelling window.

The engine must not import the Qt application (an import-linter contract keeps
``engine`` free of PySide6 and ``app``), so the window is loaded by name at run
time with importlib: the dependency exists only when this command runs, and
``kinetag`` keeps working on machines without a display or without Qt.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from engine.cli.main import UserError


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("gui", help="open the labelling window")
    p.add_argument("project", nargs="?", type=Path, help="a project file to open")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.project is not None and not args.project.is_file():
        raise UserError(f"{args.project}: no such project file")
    try:
        application = importlib.import_module("app.application")
    except ImportError as exc:
        raise UserError(f"the window needs PySide6 and the app package ({exc})") from exc
    argv = ["kinetag gui"] + ([str(args.project)] if args.project is not None else [])
    if getattr(args, "verbose", False):
        argv.append("--verbose")
    return int(application.run(argv) or 0)
