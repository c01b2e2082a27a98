"""COCO export: one file with images, videos, categories and annotations (and captions).

Annotations are written straight from table rows: the JSON columns are read as
their stored text and spliced into the output, so a 200k-instance export does
not parse and re-encode every polygon. Areas are recomputed from the geometry
(pycocotools, as COCOeval does), boxes and keypoints are the stored ones.
The file is written beside the target and renamed into place at the end, so a
failed or cancelled export leaves no half-written file.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Text, func, select, type_coerce

from engine.coco.export_images import plan_images
from engine.coco.export_rows import AnnotationWriter
from engine.jobs import CancelToken, Progress, run_job
from engine.model import VERIFIED_STATES, ReviewState
from engine.store import schema as t

BATCH = 20000


@dataclass
class ExportReport:
    path: Path
    images: int = 0
    videos: int = 0
    instances: int = 0
    captions: int = 0
    captions_path: Path | None = None
    renumbered_captions: int = 0  # caption ids that collided with instance ids in the same file

    def summary(self) -> str:
        where = f" (captions in {self.captions_path.name})" if self.captions_path else ""
        return (f"{self.path.name}: {self.images} images, {self.videos} videos, {self.instances} instances, "
                f"{self.captions} captions{where}")


def _states(only_verified: bool) -> list[str]:
    keep = VERIFIED_STATES if only_verified else set(ReviewState) - {ReviewState.REJECTED}
    return sorted(str(s) for s in keep)


def _filtered(table, q, states, category_ids, asset_ids):
    q = q.where(table.c.review_state.in_(states))
    if category_ids is not None and table is t.instances:
        q = q.where(table.c.category_id.in_(list(category_ids)))
    if asset_ids is not None:
        q = q.where(table.c.asset_id.in_(list(asset_ids)))
    return q


def _text(value) -> str | None:
    """A JSON column's stored text (PostgreSQL drivers hand back parsed values instead)."""
    return value if value is None or isinstance(value, str) else json.dumps(value)


def default_captions_path(out_path) -> Path:
    """Where captions go beside ``out_path`` (COCO keeps them in a file of their own:
    pycocotools' COCO() cannot index captions mixed in with instances)."""
    out_path = Path(out_path)
    return out_path.with_name(out_path.stem + "_captions" + (out_path.suffix or ".json"))


def export_coco_job(token: CancelToken, store, out_path, *, only_verified: bool = False, category_ids=None,
                    asset_ids=None, captions_out=None, include_captions: bool = True, captions_if_any: bool = False):
    """Job generator -> ExportReport. Rejected instances are never exported;
    ``only_verified`` keeps accepted, corrected and manual ones, and lists only
    verified assets plus those that carry an exported annotation. ``captions_out``:
    captions go to this file of their own (not written when none are exported and
    ``captions_if_any``); else in ``out_path`` with the instances."""
    out_path = Path(out_path)
    captions_path = Path(captions_out) if captions_out is not None and include_captions else None
    report = ExportReport(out_path, captions_path=captions_path)
    states = _states(only_verified)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with store._read() as c:  # one read transaction: a consistent snapshot
        info = {"description": store.name or "Kinetag export", "version": "1.0", "contributor": "Kinetag",
                "date_created": stamp}
        categories = [cat for cat in store.categories() if category_ids is None or cat.id in set(category_ids)]
        keypoint_counts = {cat.id: len(cat.keypoints) for cat in categories if cat.keypoints}
        annotated = _annotated(c, states, category_ids, asset_ids, include_captions)
        plan = plan_images(c, asset_ids, {a for a, _f in annotated} if only_verified else None, annotated)
        report.images, report.videos = len(plan.images), len(plan.videos)
        images_json = ",\n".join(json.dumps(i) for i in plan.images)
        n_instances = c.execute(_filtered(t.instances, select(func.count()), states, category_ids, asset_ids)).scalar()

        tmp = out_path.with_name(out_path.name + ".part")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write('{"info": %s,\n"licenses": [],\n' % json.dumps(info))
                if plan.videos:
                    fh.write('"videos": [\n%s\n],\n' % ",\n".join(json.dumps(v) for v in plan.videos))
                fh.write('"images": [\n%s\n],\n' % images_json)
                fh.write('"categories": [\n%s\n],\n' % ",\n".join(json.dumps(_category(cat)) for cat in categories))
                fh.write('"annotations": [\n')
                writer = AnnotationWriter(fh, plan, keypoint_counts)
                q = _filtered(t.instances, _instance_select(c.dialect.name == "sqlite"), states, category_ids,
                              asset_ids)
                for batch in c.execute(q.order_by(t.instances.c.id)).partitions(BATCH):
                    token.raise_if_cancelled()
                    writer.instances(batch)
                    yield Progress(writer.count, n_instances, f"wrote {writer.count} instances")
                report.instances = writer.count
                if include_captions and captions_path is None:
                    report.captions, report.renumbered_captions = writer.captions(
                        _captions(c, states, asset_ids), renumber=True)
                fh.write("\n]")
                if writer.tracks:
                    fh.write(',\n"tracks": [\n%s\n]' % ",\n".join(
                        json.dumps({"id": tid, "category_id": cat, "video_id": vid})
                        for tid, (vid, cat) in sorted(writer.tracks.items())))
                fh.write("\n}\n")
            if include_captions and captions_path is not None:
                report.captions = _write_captions_file(captions_path, info, images_json, plan,
                                                       _captions(c, states, asset_ids), captions_if_any)
                if not report.captions and captions_if_any:
                    report.captions_path = None
            os.replace(tmp, out_path)
        finally:
            if tmp.exists():
                tmp.unlink()
    yield Progress(1, 1, report.summary())
    return report


def export_coco(store, out_path, *, only_verified: bool = False, category_ids=None, asset_ids=None,
                captions_out=None, include_captions: bool = True, captions_if_any: bool = False,
                token: CancelToken | None = None) -> ExportReport:
    """``export_coco_job`` run to the end on this thread."""
    return run_job(export_coco_job(token or CancelToken(), store, out_path, only_verified=only_verified,
                                   category_ids=category_ids, asset_ids=asset_ids, captions_out=captions_out,
                                   include_captions=include_captions, captions_if_any=captions_if_any))


def _annotated(c, states, category_ids, asset_ids, include_captions) -> set[tuple[int, int]]:
    """(asset, frame) pairs that carry an exported instance or caption."""
    pairs = set()
    for table in (t.instances, t.captions) if include_captions else (t.instances,):
        q = select(table.c.asset_id, table.c.frame_index).distinct()
        pairs.update(tuple(r) for r in c.execute(_filtered(table, q, states, category_ids, asset_ids)))
    return pairs


def _instance_select(sqlite: bool):
    i = t.instances.c

    def raw(column):
        # The stored text. SQLAlchemy's JSON type writes Python None as the JSON text
        # 'null' (not SQL NULL); the import writes SQL NULL. Both mean "none" here.
        text = type_coerce(column, Text)
        return (func.nullif(text, "null") if sqlite else text).label(column.name)

    return select(i.id, i.asset_id, i.frame_index, i.category_id, raw(i.bbox), raw(i.mask), raw(i.polygons),
                  raw(i.keypoints), i.score, i.track_id, i.iscrowd, i.source, raw(i.attributes))


def _captions(c, states, asset_ids):
    q = select(t.captions.c.id, t.captions.c.asset_id, t.captions.c.frame_index, t.captions.c.text)
    return c.execute(_filtered(t.captions, q, states, None, asset_ids).order_by(t.captions.c.id)).partitions(BATCH)


def _category(cat) -> dict:
    out = {"id": cat.id, "name": cat.name, "supercategory": cat.supercategory}
    if cat.keypoints:
        out["keypoints"] = list(cat.keypoints)
        out["skeleton"] = [[a + 1, b + 1] for a, b in cat.skeleton]
    return out


def _write_captions_file(path: Path, info: dict, images_json: str, plan, batches, if_any: bool) -> int:
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write('{"info": %s,\n"licenses": [],\n"images": [\n%s\n],\n"annotations": [\n'
                     % (json.dumps(info), images_json))
            count, _ = AnnotationWriter(fh, plan, {}).captions(batches, renumber=False)
            fh.write("\n]\n}\n")
        if count or not if_any:
            os.replace(tmp, path)
        elif path.exists():
            path.unlink()  # an earlier export's captions beside this one would name images it may not have
    finally:
        if tmp.exists():
            tmp.unlink()
    return count
