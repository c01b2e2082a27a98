"""Render the README screenshot: the real main window on the sample project with its ground truth.

    xvfb-run -a .venv/bin/python packaging/screenshot.py [--out resources/screenshot.png]

Builds the sample project in a temporary folder (images, a video, the ground-truth
instances with boxes, masks and person skeletons, and the captions), opens it in
MainWindow with throw-away settings, picks the image with the most going on,
selects its person so the keypoint handles show, and saves ``window.grab()``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import app  # noqa: E402,F401  (applies app.pyside_compat)


def wait(app, seconds: float, until=None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            return
        time.sleep(0.01)


def best_asset(store) -> int:
    """The still image with a person skeleton and the most instances."""
    def score(asset):
        instances = store.instances(asset.id)
        people = sum(1 for i in instances if i.keypoints)
        return (people > 0, len(instances))
    images = [a for a in store.assets() if not a.is_video]
    return max(images, key=score).id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshot.png")
    parser.add_argument("--size", default="1600x1000", help="window size, WxH")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(["kinetag"])
    app.setApplicationName("Kinetag")

    from engine.jobs import CancelToken, run_job
    from app.dialogs.project_jobs import sample_project_job
    from app.main_window import MainWindow
    from app.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="kinetag-screenshot-"))
    store = run_job(sample_project_job(CancelToken(), work / "sample.kinetag", n_images=12, video=True,
                                       with_annotations=True, size=(640, 480)))
    window = MainWindow(store, Settings(work / "settings.ini"))
    window.resize(width, height)
    window.show()
    wait(app, 1.0)

    asset_id = best_asset(store)
    window.open_asset(asset_id)
    window.assets.show_asset(asset_id)
    doc = window.document
    doc.view.set_color_by("instance")  # each object its own colour: masks stand out from the pixels
    doc.view.set_mask_opacity(0.55)
    person = next((i for i in doc.instances() if i.keypoints), None)
    if person is not None:
        doc.select([person.id])
    window.docks["categories"].raise_()
    window.canvas.fit()
    # Thumbnails load on a thread pool and the frame decodes off the GUI thread: give them time.
    model = window.assets.model
    wait(app, 10.0, until=lambda: all(model.index(r).data(1) is not None
                                      for r in range(min(model.rowCount(), 12))))
    wait(app, 1.0)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        print(f"could not write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({width}x{height})")
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
