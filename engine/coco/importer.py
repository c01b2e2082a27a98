"""COCO import: a dataset file (instances, person keypoints, captions, TAO-style
video frames) or a results file, into a project, all or nothing.

Every record is checked before it is written, and everything is written in one
transaction: images and videos are checked (files exist, sizes agree) before
it opens, annotations are inserted batch by batch as they pass their checks
while the rest of the file is read, and the checks that need the whole file
(categories listed after the annotations) run before it commits. A bad
record, a missing image or a cancel rolls it all back: the project is left
exactly as it was.

Note for job drivers: the job yields Progress while its transaction is open,
so the driving thread must not use the store for anything else until the job
ends (the GUI runs jobs in a worker thread, the CLI only draws a bar).
"""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from engine.coco.assets import plan_media, project_images, set_asset_states, write_assets, write_tracks
from engine.coco.categories import check_categories, write_categories
from engine.coco.errors import CocoFormatError
from engine.coco.reader import CocoData, read_coco
from engine.coco.writer import ImportWriter, lean_cache
from engine.jobs import CancelToken, Progress, run_job
from engine.model import ModelVersion, ReviewState
from engine.store import schema as t
from engine.store.events import StoreEvent

RESULTS_ARCHITECTURE = "coco-results"


@dataclass
class ImportReport:
    path: Path
    is_results: bool = False
    images_added: int = 0
    images_reused: int = 0
    videos_added: int = 0
    videos_reused: int = 0
    frames_added: int = 0
    categories_added: int = 0
    instances: int = 0
    captions: int = 0
    tracks: int = 0
    renumbered_instances: int = 0  # ids already used in the project (or < 1) got new ones
    renumbered_captions: int = 0
    model_version_id: int | None = None
    files_checked: bool = True
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.instances} instances", f"{self.captions} captions",
                 f"{self.images_added} new images ({self.images_reused} already in the project)"]
        if self.videos_added or self.videos_reused:
            parts.append(f"{self.videos_added} new videos, {self.frames_added} frames")
        if self.categories_added:
            parts.append(f"{self.categories_added} new categories")
        if self.model_version_id is not None:
            parts.append(f"as predictions of model version {self.model_version_id}")
        return f"{self.path.name}: " + ", ".join(parts)


def import_coco_job(token: CancelToken, store, coco_path, images_root=None, author: str = "", *,
                    check_files: bool = True, with_annotations: bool = True, mark_verified: bool = True):
    """Job generator -> ImportReport.

    ``images_root``: the folder image ``file_name``s are relative to (default: the
    COCO file's folder). ``check_files=False`` skips the per-image existence check
    (and the symlink resolution that goes with it) for very large datasets.
    ``with_annotations=False`` brings in only categories, images and videos.
    ``mark_verified=False`` leaves the state of assets that receive ground truth alone.
    """
    path = Path(coco_path)
    if not path.is_file():
        raise CocoFormatError(path, "", "", "no such file")
    base = Path(images_root) if images_root is not None else path.parent
    origin = f"import:{path.name}"  # for the corrections log, whoever the author
    author = author or origin
    with store._read() as c:
        categories = {r.id: r for r in c.execute(select(t.categories))}
        sizes, project_locations = project_images(c)
    counts = {cid: len(r.keypoints or []) for cid, r in categories.items()}
    report = ImportReport(path, files_checked=check_files)

    def begin(data: CocoData):
        """Checks the media, then opens the transaction and writes what annotations refer to."""
        check_categories(data, categories)
        plan = None if data.is_results else plan_media(store, data, base, check_files)
        token.raise_if_cancelled()
        tx = stack.enter_context(store.transaction())
        stack.enter_context(lean_cache(tx.connection))
        report.categories_added += write_categories(store, tx, data, categories, author)
        categories.update((cat.id, cat) for cat in data.categories)
        if data.is_results:
            return tx, project_locations, _results_version(store, tx, data, author)
        locations, assets = write_assets(tx, data, plan)
        report.images_added, report.images_reused = assets.added, assets.reused
        report.videos_added, report.videos_reused = assets.videos_added, assets.videos_reused
        report.frames_added = assets.frames_added
        report.warnings += assets.warnings
        if assets.added or assets.videos_added:
            store._log(tx, "asset", None, "bulk_create", None,
                       {"count": assets.added + assets.videos_added, "origin": origin}, author)
        return tx, locations, None

    with ExitStack() as stack:
        writer = ImportWriter(store, begin, author=author, origin=origin)
        data: CocoData = yield from read_coco(token, path, counts, sizes, with_annotations, sink=writer)
        report.is_results = data.is_results
        if writer.tx is not None:  # categories listed after the annotations that streamed in
            check_categories(data, categories)
            report.categories_added += write_categories(store, writer.tx, data, categories, author,
                                                        writer.placeholders)
        written = writer.finish(data)
        token.raise_if_cancelled()
        c = writer.tx.connection
        report.model_version_id = writer.version_id
        report.tracks, warnings = write_tracks(c, data, writer.locations, written.tracks)
        report.warnings += warnings
        if data.is_results or mark_verified:
            set_asset_states(c, written.assets, ground_truth=not data.is_results)
        if data.is_results:
            c.execute(t.model_versions.update().where(t.model_versions.c.id == writer.version_id)
                      .values(categories=sorted(written.categories)))
        store._notify(writer.tx, StoreEvent("project", "reset"))
    report.instances, report.captions = written.instances, written.captions
    report.renumbered_instances = written.renumbered_instances
    report.renumbered_captions = written.renumbered_captions
    if report.renumbered_instances or report.renumbered_captions:
        report.warnings.append(f"{report.renumbered_instances} annotation and {report.renumbered_captions} "
                               "caption ids were already used in the project and got new ids")
    yield Progress(1, 1, report.summary())
    return report


def import_coco(store, coco_path, images_root=None, author: str = "", token: CancelToken | None = None,
                **options) -> ImportReport:
    """``import_coco_job`` run to the end on this thread."""
    return run_job(import_coco_job(token or CancelToken(), store, coco_path, images_root, author, **options))


def _results_version(store, tx, data: CocoData, author: str) -> int:
    """The file's model version; a re-import of the same file replaces its unreviewed predictions."""
    name = data.path.name
    version = store.find_model_version(name, RESULTS_ARCHITECTURE)
    if version is None:  # its categories are filled in at the end, when they are all known
        version = store.add_model_version(ModelVersion(name, RESULTS_ARCHITECTURE, attributes={"file": str(data.path)}))
        return version.id
    c = tx.connection
    for table, entity in ((t.instances, "instance"), (t.captions, "caption")):
        stale = (table.c.model_version_id == version.id) & (table.c.review_state == str(ReviewState.PREDICTED))
        ids = list(c.execute(select(table.c.id).where(stale)).scalars())
        if ids:
            c.execute(table.delete().where(stale))
            store._log(tx, entity, None, "bulk_delete", {"ids": ids, "origin": f"model_version:{version.id}"},
                       None, author)
    return version.id
