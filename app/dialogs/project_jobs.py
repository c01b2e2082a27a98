"""Opening and creating projects as jobs (run in a JobWorker by the start dialog and the window).

Each returns the open ProjectStore. A creation that fails or is cancelled
removes the project file it started, so no half-made project is left behind
(the media it read or generated stays where it is).
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from engine.jobs import CancelToken, Progress
from engine.store import ProjectStore, StoreError


def open_project_job(token: CancelToken, path: str | Path):
    path = Path(path)
    yield Progress(0, 1, f"Opening {path.name}")
    store = ProjectStore.open(path)  # migrations, if any, run here: off the GUI thread
    yield Progress(1, 1, f"Opened {path.name}")
    return store


def _new_store(project: Path) -> ProjectStore:
    if project.exists():
        raise StoreError(f"{project}: already exists; open it instead, or choose another name")
    return ProjectStore.create(project)


def _discard(store: ProjectStore, project: Path) -> None:
    store.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(project) + suffix).unlink()


def _creating(project: Path, fill):
    """Run the generator ``fill(store)`` on a new project; discard the project if it fails."""
    store = _new_store(project)
    try:
        yield from fill(store)
    except BaseException:
        _discard(store, project)
        raise
    return store


def new_from_images_job(token: CancelToken, project: str | Path, folder: str | Path):
    from engine.project_setup import add_images_job

    def fill(store):
        report = yield from add_images_job(token, store, folder)
        if report.added == 0:
            raise StoreError(f"{folder}: no readable images found" +
                             (f" ({len(report.errors)} unreadable: {report.errors[0]})" if report.errors else ""))
        yield Progress(1, 1, report.summary())
    return (yield from _creating(Path(project), fill))


def add_videos_job(token: CancelToken, store, videos: list[str | Path]):
    """One asset per video file (an unreadable one stops here, with its name in the error)."""
    from engine.project_setup import add_video
    for n, video in enumerate(videos):
        token.raise_if_cancelled()
        yield Progress(n, len(videos), f"Reading {Path(video).name}")
        add_video(store, video)
    yield Progress(len(videos), len(videos), f"{len(videos)} videos added")
    return len(videos)


def new_from_videos_job(token: CancelToken, project: str | Path, videos: list[str | Path]):
    return (yield from _creating(Path(project), lambda store: add_videos_job(token, store, videos)))


def new_from_coco_job(token: CancelToken, project: str | Path, coco: str | Path, images_root=None):
    from engine.coco import import_coco_job

    def fill(store):
        report = yield from import_coco_job(token, store, coco, images_root)
        yield Progress(1, 1, report.summary())
    return (yield from _creating(Path(project), fill))


def sample_project_job(token: CancelToken, project: str | Path, n_images: int = 12, video: bool = True,
                       seed: int = 0, with_annotations: bool = False, size: tuple[int, int] = (320, 240)):
    """What ``kinetag sample`` does (media beside the project in ``<stem>_media``), with progress.

    An existing sample project is opened instead of being made again.
    """
    from engine.sample.project import fill_sample_project_job, media_folder

    project = Path(project)
    if project.is_file():
        return (yield from open_project_job(token, project))

    def fill(store):
        yield from fill_sample_project_job(token, store, media_folder(project), n_images=n_images, seed=seed,
                                           video=video, with_annotations=with_annotations, size=size)
    return (yield from _creating(project, fill))
