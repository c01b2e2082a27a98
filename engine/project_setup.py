"""Bringing media into a project: a folder of images, or a video file.

Only headers are read (``engine.media.image_size``), so adding a folder of
thousands of photos takes seconds. Files already in the project (same path)
are skipped, unreadable ones are reported and skipped: one broken JPEG does
not stop the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.jobs import CancelToken, Progress, run_job
from engine.media import MediaError, VideoReader, image_size
from engine.model import Asset, AssetKind

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
BATCH = 500


@dataclass
class AddReport:
    added: int = 0
    already_there: int = 0
    errors: list[str] = field(default_factory=list)  # "<file>: <why>" for each skipped file

    def summary(self) -> str:
        text = f"{self.added} added, {self.already_there} already in the project"
        return text + (f", {len(self.errors)} unreadable" if self.errors else "")


def scan_images(folder: str | Path, recursive: bool = True) -> list[Path]:
    """The image files under ``folder`` by suffix (case-insensitive), sorted by path."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MediaError(folder, "not a folder")
    pattern = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(p for p in pattern if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def add_images_job(token: CancelToken, store, folder: str | Path, recursive: bool = True):
    """Job generator -> AddReport; each batch of assets is written in its own transaction."""
    files = scan_images(folder, recursive)
    report = AddReport()
    known = {a.path for a in store.assets()}
    for start in range(0, len(files), BATCH):
        token.raise_if_cancelled()
        batch, errors = [], []
        for path in files[start:start + BATCH]:
            rel = store.relative_path(path)
            if rel in known:
                report.already_there += 1
                continue
            try:
                width, height = image_size(path)
            except MediaError as exc:
                errors.append(str(exc))
                continue
            known.add(rel)
            batch.append(Asset(rel, width, height, kind=AssetKind.IMAGE))
        store.add_assets(batch)
        report.added += len(batch)
        report.errors += errors
        yield Progress(min(start + BATCH, len(files)), len(files), f"added {report.added} images", errors=errors)
    return report


def add_images(store, folder: str | Path, recursive: bool = True, token: CancelToken | None = None) -> AddReport:
    return run_job(add_images_job(token or CancelToken(), store, folder, recursive))


def add_video(store, path: str | Path) -> Asset:
    """One video asset with its frame rate, frame count and size; the same file twice is one asset.

    Raises MediaError for a file that is not a readable video."""
    path = Path(path)
    rel = store.relative_path(path)
    existing = store.asset_by_path(rel)
    if existing is not None:
        return existing
    with VideoReader(path) as reader:
        asset = Asset(rel, reader.width, reader.height, kind=AssetKind.VIDEO, fps=reader.fps,
                      num_frames=reader.num_frames)
    return store.add_asset(asset)
