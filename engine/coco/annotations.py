"""Checks for COCO annotations, and their conversion to the compact rows the importer writes.

This runs once per annotation of files with 100k+ of them, so the common case
is a straight line of dict lookups and comparisons, and geometry becomes JSON
text without a ``json.dumps``: ``repr`` of a list of ints and floats is already
JSON, and deleting digits, signs, dots, commas and brackets from that text
proves it held only numbers (strings, booleans, nulls, NaN and infinities all
leave letters or quotes behind).
The precise message for a bad record is worked out only once one is found.
Nothing is decoded into masks.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii

from engine.coco.validate import MAX_ID, NUMBERS, RecordChecker, is_int
from engine.geometry import mask_area, mask_bbox, normalize_rle, polygons_to_rle

VISIBILITIES = frozenset({0, 1, 2})
NO_ATTRIBUTES = "{}"
_NUMERIC_CHARS = b"0123456789.,eE+- \t\n\r[]"


def _not_numeric(text: str) -> bytes:
    """What is left of a list's JSON after taking out what numbers, lists and blanks are
    written with: empty exactly when the list held only finite numbers (NaN, Infinity,
    strings, true, null all leave letters or quotes). One fast C pass, unlike a regex."""
    return text.encode().translate(None, _NUMERIC_CHARS)


def _source_list(text: str, key: str, closing: str, lists: int, numbers: int) -> str | None:
    """The JSON of the list of numbers (or of ``lists`` lists of them) under ``key``, copied
    from the annotation's text: cheaper than writing the numbers out again. Only when it
    is certain (the key written once, the counts of lists and numbers match); else None."""
    k = text.find(key)
    if k < 0 or text.find(key, k + len(key)) >= 0:
        return None
    start = text.find("[", k + len(key))
    stop = text.find(closing, start)
    if start < 0 or stop < 0:
        return None
    raw = text[start:stop + len(closing)]
    if (_not_numeric(raw) or raw.count("[") != lists + (lists > 1 or closing == "]]")
            or raw.count(",") != numbers - 1):
        return None
    return raw


class AnnotationChecker(RecordChecker):
    """``dims`` maps an image id to (width, height); ``keypoint_counts`` maps a
    category id to its number of keypoints. Either may be None while the part of
    the file that defines them has not been read yet: the category checks are
    then collected (one entry per distinct category and keypoint count, not per
    annotation) and run by ``finish()``. ``results`` reads a detector's results
    file, whose keypoint triplets may hold a score where a visibility would be.
    """

    def __init__(self, file, dims: dict | None, keypoint_counts: dict | None, results: bool = False):
        super().__init__(file)
        self.dims = dims
        self.keypoint_counts = keypoint_counts
        self.results = results
        self.ids: set[int] = set()
        # (id, image_id, category_id, bbox, mask, polygons, keypoints, keypoint_scores, score,
        #  track_id, iscrowd, area, attributes), JSON columns as text: see ``instance``
        self.instances: list[tuple] = []
        self.captions: list[tuple[int | None, int, str]] = []
        self._deferred: dict[tuple[int, int], tuple[str, int, object]] = {}

    # -- shared pieces -----------------------------------------------------
    def _id(self, a, i: int, table: str) -> int:
        """The annotation's id, checked: an integer not seen before in this file."""
        aid = a.get("id")
        if not is_int(aid) or aid in self.ids:
            if not is_int(aid):
                raise self.error(table, i, a, "id", "missing" if aid is None else
                                 f"{aid!r} is not an integer that fits in 64 bits")
            raise self.error(table, i, a, "id", f"duplicate annotation id {aid}")
        self.ids.add(aid)
        return aid

    def _bad_image(self, a, i: int, table: str):
        img = a.get("image_id")
        problem = ("missing" if img is None else f"{img!r} is not an integer" if not is_int(img)
                   else f"unknown image id {img}")
        return self.error(table, i, a, "image_id", problem)

    def caption(self, a, i: int, table: str = "annotations", with_id: bool = True) -> None:
        """Check one caption and add (id, image_id, text) to ``self.captions``."""
        if type(a) is not dict:
            raise self.error(table, i, a, "", "not a JSON object")
        aid = self._id(a, i, table) if with_id else None
        if a.get("image_id") not in self.dims:
            raise self._bad_image(a, i, table)
        text = a.get("caption")
        if type(text) is not str:
            raise self.error(table, i, a, "caption", f"{text!r} is not a string")
        self.captions.append((aid, a["image_id"], text))

    # -- instances ---------------------------------------------------------
    def instance(self, a, i: int, table: str = "annotations", with_id: bool = True, text: str | None = None) -> None:
        """Check one instance annotation and add it to ``self.instances``. ``text``: the
        annotation's JSON as in the file, where its lists can be copied from."""
        if type(a) is not dict:
            raise self.error(table, i, a, "", "not a JSON object")
        get = a.get
        if "segmentations" in a or "bboxes" in a:
            raise self.error(table, i, a, "segmentations", "YouTube-VIS per-video annotations are not "
                             "supported; use one annotation per frame image (TAO style) with track_id")
        aid = None
        if with_id:
            aid = get("id")
            if type(aid) is not int or aid in self.ids or aid > MAX_ID:
                self._id(a, i, table)  # raises the right error
            self.ids.add(aid)
        size = self.dims.get(get("image_id"))
        if size is None:
            raise self._bad_image(a, i, table)
        width, height = size

        keypoints = get("keypoints") or None
        cat = get("category_id")
        counts = self.keypoint_counts
        if counts is None:  # categories come later in the file: check each (category, length) once
            if type(cat) is not int or (cat, len(keypoints) if type(keypoints) is list else -1) not in self._deferred:
                self._category_slow(a, i, table, cat, keypoints)
        else:
            k = counts.get(cat)
            if k is None or (keypoints is not None and (type(keypoints) is not list or len(keypoints) != 3 * k)):
                self._category_slow(a, i, table, cat, keypoints)

        mask = polygons = None
        seg = get("segmentation")
        if seg:
            if type(seg) is list:
                numbers = 0
                for ring in seg:
                    if type(ring) is not list or len(ring) < 6 or len(ring) & 1:
                        raise self._bad_polygons(a, i, table, seg)
                    numbers += len(ring)
                polygons = text and _source_list(text, '"segmentation"', "]]", len(seg), numbers)
                if not polygons:
                    polygons = repr(seg)
                    if _not_numeric(polygons) or polygons.count("[") != len(seg) + 1:
                        raise self._bad_polygons(a, i, table, seg)
            elif type(seg) is dict:
                mask = self._rle(seg, a, i, table, width, height)
            else:
                raise self.error(table, i, a, "segmentation", "must be a list of polygons or an RLE object")

        box = get("bbox")
        if box is None:
            box = _derived_box(mask, polygons, keypoints, width, height)
            if box is None:
                raise self.error(table, i, a, "bbox", "missing (and no segmentation or keypoints to derive it from)")
        try:
            x, y, w, h = box
            sized = w >= 0 and h >= 0
            inside = x >= -1 and y >= -1 and x + w <= width + 1 and y + h <= height + 1
            bbox = text and _source_list(text, '"bbox"', "]", 1, 4)
            if not bbox:
                bbox = "[%r, %r, %r, %r]" % (float(x), float(y), float(w), float(h))
        except (TypeError, ValueError):
            raise self.error(table, i, a, "bbox", f"{box!r} is not [x, y, width, height]") from None
        if not sized:
            raise self.error(table, i, a, "bbox", f"{box!r}: width and height must be >= 0")
        if not inside:
            raise self.error(table, i, a, "bbox", f"{box!r} is outside the {width}x{height} image "
                             "(by more than 1 px)")

        kp = kp_scores = None
        if keypoints is not None:
            kp = text and _source_list(text, '"keypoints"', "]", 1, len(keypoints))
            if not kp:
                kp = repr(keypoints)
            if _not_numeric(kp) or kp.count("[") != 1 or len(keypoints) % 3:
                raise self.error(table, i, a, "keypoints", "must be a flat list of numbers in threes "
                                 "[x1, y1, v1, x2, y2, v2, ...]")
            if not set(keypoints[2::3]) <= VISIBILITIES:
                if not self.results:
                    bad = next(v for v in keypoints[2::3] if v not in VISIBILITIES)
                    raise self.error(table, i, a, "keypoints", f"visibility {bad!r} is not 0, 1 or 2")
                # Detectors write each point's score where ground truth has its visibility.
                kp_scores = repr([float(v) for v in keypoints[2::3]])
                kp = repr([v if n % 3 != 2 else 2 for n, v in enumerate(keypoints)])

        crowd = get("iscrowd", 0)
        if crowd not in (0, 1):
            raise self.error(table, i, a, "iscrowd", f"{crowd!r} is not 0 or 1")
        area = get("area")
        if area is None:
            area = _derived_area(mask, polygons, w, h, width, height)
        elif type(area) not in NUMBERS or not area >= 0:
            raise self.error(table, i, a, "area", f"{area!r} is not a number >= 0")
        track = get("track_id")
        if track is not None and not is_int(track):
            raise self.error(table, i, a, "track_id", f"{track!r} is not an integer")
        score = get("score")
        if score is not None and not (type(score) in NUMBERS and math.isfinite(score)):
            raise self.error(table, i, a, "score", f"{score!r} is not a number")
        attributes = get("attributes")
        if not attributes:
            attributes = NO_ATTRIBUTES
        elif type(attributes) is dict:
            attributes = json.dumps(attributes)
        else:
            raise self.error(table, i, a, "attributes", "must be a JSON object")
        self.instances.append((aid, a["image_id"], cat, bbox, mask, polygons, kp, kp_scores, score, track,
                               crowd == 1, float(area), attributes))

    def _category_slow(self, a, i: int, table: str, cat, keypoints) -> None:
        if not is_int(cat):
            raise self.error(table, i, a, "category_id", "missing" if cat is None else f"{cat!r} is not an integer")
        if keypoints is not None and type(keypoints) is not list:
            raise self.error(table, i, a, "keypoints", "must be a flat list [x1, y1, v1, x2, y2, v2, ...]")
        n_values = -1 if keypoints is None else len(keypoints)
        if self.keypoint_counts is None:
            self._deferred.setdefault((cat, n_values), (table, i, a.get("id")))
        else:
            self._check_category(table, i, a, cat, n_values)

    def _check_category(self, table: str, i: int, a, cat: int, n_values: int) -> None:
        k = self.keypoint_counts.get(cat)
        if k is None:
            raise self.error(table, i, a, "category_id", f"unknown category id {cat}")
        if n_values >= 0 and n_values != 3 * k:
            problem = (f"category {cat} has no keypoints, got {n_values} values" if k == 0 else
                       f"category {cat} has {k} keypoints, so 3 * {k} = {3 * k} values are expected, "
                       f"got {n_values}")
            raise self.error(table, i, a, "keypoints", problem)

    def finish(self) -> None:
        """The category checks that had to wait for the categories."""
        if self.keypoint_counts is None:
            self.keypoint_counts = {}
        for (cat, n_values), (table, i, aid) in self._deferred.items():
            self._check_category(table, i, {"id": aid}, cat, n_values)
        self._deferred.clear()

    def _bad_polygons(self, a, i: int, table: str, seg):
        for ring in seg:
            if type(ring) is not list or len(ring) < 6 or len(ring) % 2:
                got = f"{len(ring)} numbers" if type(ring) is list else repr(ring)[:40]
                return self.error(table, i, a, "segmentation", "a polygon needs an even number of coordinates "
                                  f"and at least 3 points, got {got}")
        return self.error(table, i, a, "segmentation", "polygon coordinates must be finite numbers")

    def _rle(self, seg: dict, a, i: int, table: str, width: int, height: int) -> str:
        size, counts = seg.get("size"), seg.get("counts")
        if size != [height, width]:
            raise self.error(table, i, a, "segmentation", f"RLE size {size!r} is not the image's "
                             f"[height, width] = [{height}, {width}]")
        if type(counts) is str:
            return '{"size": [%d, %d], "counts": %s}' % (height, width, encode_basestring_ascii(counts))
        if type(counts) is list and all(type(c) is int and c >= 0 for c in counts):
            if sum(counts) != width * height:
                raise self.error(table, i, a, "segmentation", f"RLE counts add up to {sum(counts)}, "
                                 f"not height * width = {width * height}")
            return json.dumps(normalize_rle({"size": size, "counts": counts}))
        raise self.error(table, i, a, "segmentation", "RLE counts must be a string or a list of integers")


def _derived_box(mask, polygons, keypoints, width: int, height: int):
    """A box for an annotation that has none: around its mask, else its labelled keypoints."""
    if mask is not None:
        return list(mask_bbox(json.loads(mask)))
    if polygons is not None:
        return list(mask_bbox(polygons_to_rle(json.loads(polygons), height, width)))
    if type(keypoints) is list and keypoints:
        pts = [(x, y) for x, y, v in zip(keypoints[0::3], keypoints[1::3], keypoints[2::3])
               if type(x) in NUMBERS and type(y) in NUMBERS and type(v) in NUMBERS and v > 0]
        if pts:
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    return None


def _derived_area(mask, polygons, w, h, width: int, height: int) -> float:
    if mask is not None:
        return mask_area(json.loads(mask))
    if polygons is not None:
        return mask_area(polygons_to_rle(json.loads(polygons), height, width))
    return float(w) * float(h)
