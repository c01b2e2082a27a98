"""Start-up: the QApplication, the start dialog or the project given on the command line, one window per project.

Heavy imports (the window, torch through the model panel) happen inside the
functions, so ``import app.application`` stays cheap for ``kinetag gui``.
"""
from __future__ import annotations

import gc
import importlib
import sys


def freeze_long_lived_objects() -> None:
    """Exempt everything alive now (imported modules, torch's operator tables) from the cyclic GC.

    torch + torchvision leave ~400k tracked objects behind; a full collection walks
    them all with the GIL held, ~300 ms on a 2-core machine, and while a model runs
    in a worker the GUI thread waits for that GIL: a visible freeze. Frozen objects
    are skipped by every later collection; new garbage is still collected. Called
    after start-up and again once the model registry (torch) is imported.
    """
    gc.freeze()  # no collect() first: that would be the very pause this avoids


def _qt_app(argv: list[str]):
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("Kinetag")
    app.setOrganizationName("Kinetag")
    return app


class Launcher:
    """Opens projects (in a job), shows one main window at a time, and the start dialog when none is open."""

    def __init__(self, settings=None) -> None:
        from app.settings import Settings
        self.settings = settings or Settings()
        self.window = None
        self.start_dialog = None

    def start(self, project: str | None = None) -> None:
        if project:
            self.open_project(project)
        else:
            self.show_start()

    def show_start(self) -> None:
        from app.dialogs.start import StartDialog
        self.start_dialog = StartDialog(self.settings)
        self.start_dialog.requested.connect(self.handle_request)
        self.start_dialog.show()

    def handle_request(self, request) -> None:
        from app.dialogs import project_jobs as jobs
        factories = {
            "open": (f"Opening {request.project.name}", lambda t: jobs.open_project_job(t, request.project)),
            "images": ("Creating the project", lambda t: jobs.new_from_images_job(t, request.project,
                                                                                request.sources[0])),
            "videos": ("Creating the project", lambda t: jobs.new_from_videos_job(t, request.project,
                                                                                request.sources)),
            "coco": ("Importing the COCO file", lambda t: jobs.new_from_coco_job(
                t, request.project, request.sources[0], request.images_root)),
            "sample": ("Making the sample project", lambda t: jobs.sample_project_job(t, request.project)),
        }
        title, factory = factories[request.kind]
        self._run(title, factory, request.project)

    def open_project(self, path) -> None:
        from pathlib import Path
        from app.dialogs import project_jobs as jobs
        path = Path(path)
        self._run(f"Opening {path.name}", lambda t: jobs.open_project_job(t, path), path)

    def _run(self, title: str, factory, project) -> None:
        from app.dialogs.job_progress import run_with_progress
        parent = self.window or self.start_dialog
        self.worker = run_with_progress(parent, title, factory,
                                        on_finished=lambda store: self.show_window(store, project),
                                        on_error=lambda message: self._failed(project, message))

    def _failed(self, project, message: str) -> None:
        from app.dialogs.messages import show_error
        if self.window is None and (self.start_dialog is None or not self.start_dialog.isVisible()):
            self.show_start()
        show_error(self.window or self.start_dialog, "Kinetag", message)

    def show_window(self, store, project) -> None:
        from app.main_window import MainWindow
        path = getattr(store, "path", None) or project
        self.settings.add_recent_project(path)
        self.settings.sync()
        old, self.window = self.window, MainWindow(store, self.settings)
        self.window.openRequested.connect(self.open_project)
        self.window.show()
        if old is not None:
            old.close()
        if self.start_dialog is not None:
            self.start_dialog.close()
            self.start_dialog = None


def run(argv: list[str] | None = None) -> int:
    """``python main.py [PROJECT]`` and ``kinetag gui [PROJECT]``."""
    import argparse
    import logging
    argv = list(sys.argv if argv is None else argv)
    parser = argparse.ArgumentParser(prog="kinetag gui", description="The Kinetag labelling window.")
    parser.add_argument("project", nargs="?", help="a project file to open")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    args = parser.parse_args(argv[1:])
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    app = _qt_app(argv[:1])
    importlib.import_module("app.main_window")  # the window's modules, before the freeze
    freeze_long_lived_objects()
    launcher = Launcher()
    launcher.start(args.project)
    return app.exec()
