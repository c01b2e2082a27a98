"""File menu commands that bring more media or a COCO file into the open project, as jobs.

The progress dialog is window-modal: while an import holds its write
transaction, no edit can wait on it from the GUI thread.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.dialogs.job_progress import run_with_progress
from app.dialogs.messages import show_info
from app.dialogs.start import COCO_FILTER, VIDEO_FILTER


def add_image_folder(window) -> None:
    folder = QFileDialog.getExistingDirectory(window, "Add a folder of images", str(window.store.root))
    if folder:
        from engine.project_setup import add_images_job
        store = window.store
        _run(window, "Adding images", lambda token: add_images_job(token, store, folder),
             lambda report: report.summary() + "".join(f"\n{e}" for e in report.errors[:10]))


def add_videos(window) -> None:
    files, _ = QFileDialog.getOpenFileNames(window, "Add videos", str(window.store.root), VIDEO_FILTER)
    if files:
        from app.dialogs.project_jobs import add_videos_job
        store = window.store
        _run(window, "Adding videos", lambda token: add_videos_job(token, store, files),
             lambda count: f"{count} videos added")


def import_coco_file(window, path: str | Path | None = None, images_root: str | Path | None = None):
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import COCO", str(window.store.root), COCO_FILTER)
        if not path:
            return None
    from engine.coco import import_coco_job
    store, author = window.store, window.document.author
    return _run(window, "Importing COCO",
                lambda token: import_coco_job(token, store, path, images_root, author=f"import:{author}"),
                lambda report: report.summary() + "".join(f"\n{w}" for w in report.warnings[:10]))


def _run(window, title: str, factory, describe):
    def finished(result) -> None:
        # The new rows reach the document and the asset list through the store's events.
        show_info(window, title, describe(result))
    return run_with_progress(window, title, factory, on_finished=finished,
                             on_error=lambda message: window.report_error(title, message))
