"""Instance and caption rows -> COCO annotation JSON text, a batch at a time.

The hot loop of an export. JSON columns arrive as their stored text (see
``exporter._instance_select``) and go out as they are; only keypoints are
parsed (to count the labelled ones) and masks (for their area).
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii

from engine.coco.areas import polygon_areas, rle_areas
from engine.coco.export_images import ImagePlan
from engine.geometry import mask_bbox, polygons_to_rle
from engine.model import Source

_MODEL = str(Source.MODEL)
_JSON_COLUMNS = (4, 5, 6, 7, 12)  # bbox, mask, polygons, keypoints, attributes


class AnnotationWriter:
    """Writes the elements of the ``annotations`` list (the caller writes the brackets)."""

    def __init__(self, fh, plan: ImagePlan, keypoint_counts: dict[int, int]):
        self.fh = fh
        self.plan = plan
        self.keypoint_counts = keypoint_counts
        self.count = 0
        self.skipped = 0
        self.ids: set[int] = set()
        self.tracks: dict[int, tuple[int, int]] = {}  # track id -> (video id, category id)
        self._first = True

    def _write(self, items: list[str]) -> None:
        if items:
            self.fh.write(("" if self._first else ",\n") + ",\n".join(items))
            self._first = False

    def instances(self, rows) -> None:
        """Rows of ``exporter._instance_select()``."""
        if rows and not all(rows[0][k] is None or type(rows[0][k]) is str for k in _JSON_COLUMNS):
            rows = [_as_text(r) for r in rows]
        areas = self._areas(rows)
        image_of, video_of, counts = self.plan.image_of, self.plan.video_of, self.keypoint_counts
        out = []
        for r, area in zip(rows, areas):
            aid, asset, frame, cat, bbox, mask, polygons, keypoints, score, track, crowd, source, attributes = r
            image = image_of.get((asset, frame))
            if image is None:
                self.skipped += 1
                continue
            if bbox is None:
                bbox = self._derived_box(asset, mask, polygons, keypoints)
            if area is None:
                _x, _y, w, h = json.loads(bbox)
                area = float(w) * float(h)
            text = '{"id": %d, "image_id": %d, "category_id": %d, "bbox": %s, "area": %r, "iscrowd": %d' % (
                aid, image, cat, bbox, area, 1 if crowd else 0)
            if polygons is not None:
                text += ', "segmentation": ' + polygons
            elif mask is not None:
                text += ', "segmentation": ' + mask
            k = counts.get(cat)
            if k:
                if keypoints is not None:
                    labelled = sum(1 for v in json.loads(keypoints)[2::3] if v > 0)
                    text += ', "keypoints": %s, "num_keypoints": %d' % (keypoints, labelled)
                else:  # COCOeval reads keypoints of every annotation of a keypoint category
                    text += ', "keypoints": %s, "num_keypoints": 0' % ("[" + ", ".join(["0"] * (3 * k)) + "]")
            video = video_of.get(asset)
            if video is not None:
                text += ', "video_id": %d' % video
            if track is not None:
                text += ', "track_id": %d' % track
                if video is not None and track not in self.tracks:
                    self.tracks[track] = (video, cat)
            if source == _MODEL and score is not None:
                text += ', "score": %r' % float(score)
            if attributes and attributes != "{}":
                text += ', "attributes": ' + attributes
            out.append(text + "}")
            self.ids.add(aid)
        self._write(out)
        self.count += len(out)

    def captions(self, batches, renumber: bool) -> tuple[int, int]:
        """-> (written, renumbered). ``renumber``: ids that an instance in this file
        already has move above every id in use."""
        rows = [r for batch in batches for r in batch]
        top = max(max(self.ids, default=0), max((r[0] for r in rows), default=0))
        out, renumbered = [], 0
        for cid, asset, frame, text in rows:
            image = self.plan.image_of.get((asset, frame))
            if image is None:
                self.skipped += 1
                continue
            if renumber and cid in self.ids:
                top += 1
                cid, renumbered = top, renumbered + 1
            out.append('{"id": %d, "image_id": %d, "caption": %s}' % (cid, image, encode_basestring_ascii(text)))
        self._write(out)
        return len(out), renumbered

    def _areas(self, rows) -> list[float | None]:
        """Mask areas, batched per image size; None where there is no mask."""
        areas: list[float | None] = [None] * len(rows)
        mask_rows, rles = [], []
        polygon_rows: dict[tuple[int, int], tuple[list[int], list]] = {}
        for k, r in enumerate(rows):
            if r[6] is not None:
                ks, polys = polygon_rows.setdefault(self.plan.size_of.get(r[1], (0, 0)), ([], []))
                ks.append(k)
                polys.append(json.loads(r[6]))
            elif r[5] is not None:
                mask_rows.append(k)
                rles.append(json.loads(r[5]))
        for k, area in zip(mask_rows, rle_areas(rles)):
            areas[k] = area
        for (h, w), (ks, polys) in polygon_rows.items():
            for k, area in zip(ks, polygon_areas(polys, h, w)):
                areas[k] = area
        return areas

    def _derived_box(self, asset: int, mask, polygons, keypoints) -> str:
        h, w = self.plan.size_of.get(asset, (0, 0))
        box = (0.0, 0.0, 0.0, 0.0)
        if polygons is not None:
            box = mask_bbox(polygons_to_rle(json.loads(polygons), h, w))
        elif mask is not None:
            box = mask_bbox(json.loads(mask))
        elif keypoints is not None:
            values = json.loads(keypoints)
            pts = [(x, y) for x, y, v in zip(values[0::3], values[1::3], values[2::3]) if v > 0]
            if pts:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                box = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        return "[%r, %r, %r, %r]" % tuple(float(v) for v in box)


def _as_text(row) -> tuple:
    return tuple(v if k not in _JSON_COLUMNS or v is None or type(v) is str else json.dumps(v)
                 for k, v in enumerate(row))
