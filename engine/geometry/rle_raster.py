"""COCO compressed RLE -> the mask's bounding-box crop, without a full-frame decode.

pycocotools.decode always allocates the whole frame (2 MB at 1080p); a frame
with a thousand instances would spend a second there. The compressed string is
decoded here with numpy (same LEB128-like format as pycocotools' rleFrString),
and only the columns the mask spans are materialised. Tests check the result
against pycocotools pixel for pixel.
"""
from __future__ import annotations

import numpy as np


def rle_counts(counts: str | bytes) -> np.ndarray:
    """Decode pycocotools' compressed counts string into run lengths (int64)."""
    raw = np.frombuffer(counts.encode("ascii") if isinstance(counts, str) else counts, dtype=np.uint8)
    if raw.size == 0:
        return np.zeros(0, dtype=np.int64)
    c = raw.astype(np.int64) - 48
    last = (c & 0x20) == 0  # a char without the continuation bit ends a number
    ends = np.flatnonzero(last)
    starts = np.concatenate(([0], ends[:-1] + 1))
    # Position of each char inside its number: 5 data bits per char, little-endian.
    group = np.repeat(np.arange(ends.size), ends - starts + 1)
    pos = np.arange(c.size) - starts[group]
    values = np.add.reduceat((c & 0x1F) << (5 * pos), starts)
    # The last char's 0x10 bit is the sign: sign-extend from 5 * (chars) bits.
    nchars = ends - starts + 1
    negative = (c[ends] & 0x10) != 0
    values = np.where(negative, values - (np.int64(1) << (5 * nchars)), values)
    # Counts after the third are stored as differences to the count two before.
    if values.size > 3:
        tail = values[3:]
        odd = tail[0::2]  # indices 3, 5, 7, ... relative to index 1
        even = tail[1::2]  # indices 4, 6, 8, ... relative to index 2
        values[3::2] = np.cumsum(odd) + values[1]
        values[4::2] = np.cumsum(even) + values[2]
    return values


def rle_crop(rle: dict) -> tuple[int, int, np.ndarray] | None:
    """(x0, y0, bool array h' x w') covering every foreground pixel, or None if empty."""
    height = int(rle["size"][0])
    counts = rle["counts"]
    runs = np.asarray(counts, dtype=np.int64) if isinstance(counts, list) else rle_counts(counts)
    if runs.size < 2:
        return None
    bounds = np.cumsum(runs)
    # Runs alternate background, foreground, ... in column-major order.
    fg_start = bounds[0::2][: runs[1::2].size]
    fg_len = runs[1::2]
    keep = fg_len > 0
    fg_start, fg_len = fg_start[keep], fg_len[keep]
    if fg_start.size == 0:
        return None
    fg_end = fg_start + fg_len  # exclusive
    col0 = int(fg_start[0] // height)
    col1 = int((fg_end[-1] - 1) // height)
    ncols = col1 - col0 + 1
    first_col, last_col = fg_start // height, (fg_end - 1) // height
    crossing = first_col != last_col  # a run that wraps into the next column covers whole rows
    y0 = 0 if crossing.any() else int((fg_start % height).min())
    y1 = height - 1 if crossing.any() else int(((fg_end - 1) % height).max())
    crop_h = y1 - y0 + 1
    if not crossing.any():
        # Work in crop space directly: each run stays in its column.
        s = (first_col - col0) * crop_h + (fg_start % height - y0)
        e = s + fg_len
        span = ncols * crop_h
    else:
        s = fg_start - col0 * height
        e = fg_end - col0 * height
        span = ncols * height
    flat = _spans_to_bits(s, e, span)
    if crossing.any():
        crop = flat.reshape(ncols, height)[:, y0:y1 + 1].T
    else:
        crop = flat.reshape(ncols, crop_h).T
    return col0, y0, np.ascontiguousarray(crop)


def _spans_to_bits(starts: np.ndarray, ends: np.ndarray, total: int) -> np.ndarray:
    """A bool array of ``total`` that is True in the sorted, disjoint spans [starts, ends):
    alternating gap and span lengths, expanded by one np.repeat."""
    lengths = np.empty(2 * starts.size + 1, dtype=np.int64)
    lengths[0] = starts[0]
    lengths[1:-1:2] = ends - starts
    lengths[2:-1:2] = starts[1:] - ends[:-1]
    lengths[-1] = total - ends[-1]
    on = np.zeros(lengths.size, dtype=bool)
    on[1::2] = True
    return np.repeat(on, lengths)


def crops_many(rles: list[dict]) -> list[tuple[int, int, np.ndarray] | None]:
    """``rle_crop`` for many masks in a handful of numpy passes (a frame's worth at once).

    Per-mask numpy calls cost ~100 us in fixed overhead; a thousand masks decoded
    together cost about what ten decoded one by one do. Masks of another frame
    size than the first, or with uncompressed counts, go through ``rle_crop``.
    """
    out: list = [None] * len(rles)
    batch = []
    height = None
    for k, rle in enumerate(rles):
        counts = rle["counts"]
        h = int(rle["size"][0])
        if height is None:
            height = h
        if isinstance(counts, list) or h != height:
            out[k] = rle_crop(rle)
        else:
            batch.append((k, counts if isinstance(counts, str) else counts.decode("ascii")))
    if not batch:
        return out
    for k, crop in zip((k for k, _ in batch), _crops_same_height([s for _, s in batch], height)):
        out[k] = crop
    return out


def _segmented_cumsum(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sums that restart where ``segment`` (sorted) changes."""
    cs = np.cumsum(values)
    first = np.flatnonzero(np.r_[True, segment[1:] != segment[:-1]])
    before = np.r_[0, cs][first]
    return cs - np.repeat(before, np.diff(np.r_[first, values.size]))


def _pieces(strings: list[str], height: int):
    """Every foreground run of every mask, split at column ends: arrays (column, y0, y1 inclusive,
    mask index), ordered by mask. None when no mask has a foreground pixel."""
    n_masks = len(strings)
    raw = np.frombuffer("".join(strings).encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=n_masks)
    if raw.size == 0:
        return None
    # 1. Every number of every string (numbers never straddle strings).
    ends = np.flatnonzero((raw & 0x20) == 0)
    starts = np.r_[0, ends[:-1] + 1]
    nchars = ends - starts + 1
    pos = np.arange(raw.size) - np.repeat(starts, nchars)
    vals = np.add.reduceat((raw & 0x1F) << (5 * pos), starts)
    vals = np.where((raw[ends] & 0x10) != 0, vals - (np.int64(1) << (5 * nchars)), vals)
    seg = np.searchsorted(np.cumsum(lengths), ends, side="right")  # number -> mask
    seg_first = np.searchsorted(seg, np.arange(n_masks))
    j = np.arange(vals.size) - seg_first[seg]
    # 2. Undo the delta coding: counts 3, 5, ... chain from count 1; 4, 6, ... from count 2.
    for parity, first in ((1, 1), (0, 2)):
        idx = np.flatnonzero((j >= first) & (j % 2 == parity))
        if idx.size:
            vals[idx] = _segmented_cumsum(vals[idx], seg[idx])
    # 3. Foreground runs (odd counts) as [start, end) in each mask's column-major frame.
    run_start = _segmented_cumsum(vals, seg) - vals
    fg = (j % 2 == 1) & (vals > 0)
    s, e, m = run_start[fg], run_start[fg] + vals[fg], seg[fg]
    if s.size == 0:
        return None
    # 4. Split runs at column ends: one piece per (run, column).
    c0, c1 = s // height, (e - 1) // height
    npieces = c1 - c0 + 1
    rep = np.repeat(np.arange(s.size), npieces)
    off = np.arange(rep.size) - np.repeat(np.cumsum(npieces) - npieces, npieces)
    col = c0[rep] + off
    py0 = np.where(off == 0, s[rep] % height, 0)
    py1 = np.where(col == c1[rep], (e[rep] - 1) % height, height - 1)  # inclusive
    return col, py0, py1, m[rep]


def paint_masks(rles: list[dict], values: np.ndarray, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks painted into one (height, width) uint32 image, ``values[k]`` where mask k is set and a
    later mask covering an earlier one; and each mask's box (x0, y0, x1, y1 exclusive; 0s when empty).

    All compressed masks of the frame's size go through a handful of whole-array numpy
    passes (which release the GIL: a thread can do this beside the GUI's Python work);
    the rest are cropped one by one and clipped to the image.
    """
    out = np.zeros((height, width), dtype=np.uint32)
    boxes = np.zeros((len(rles), 4), dtype=np.int64)
    batch: list[int] = []  # painted in order: frame-sized masks in batches between the others
    for k, rle in enumerate(rles):
        if _frame_sized(rle, height, width):
            batch.append(k)
            continue
        _paint_batch(out, boxes, rles, values, batch, height, width)
        batch = []
        _paint_one(out, boxes, k, rle, values[k])
    _paint_batch(out, boxes, rles, values, batch, height, width)
    return out, boxes


def ready() -> bool:
    """A no-op for a worker process to run first: importing this module is its start-up work."""
    return True


def _frame_sized(rle: dict, height: int, width: int) -> bool:
    """A compressed RLE of this frame's size: what the batched passes take."""
    return (int(rle["size"][0]) == height and int(rle["size"][1]) == width
            and not isinstance(rle["counts"], list))


def _paint_batch(out, boxes, rles, values, ks: list[int], height: int, width: int) -> None:
    pieces = _batch_pieces(rles, values, ks, height, width, boxes)
    if pieces is not None:
        _paint_pieces(out, pieces, overwrite=ks[0] == 0)


def _batch_pieces(rles, values, ks: list[int], height: int, width: int, boxes: np.ndarray):
    """The pieces of the masks ``ks`` (frame-sized, compressed) as (column, y0, y1 inclusive,
    value) arrays in painting order; fills their rows of ``boxes``. None: nothing to paint."""
    if not ks:
        return None
    strings = [rles[k]["counts"] if isinstance(rles[k]["counts"], str) else rles[k]["counts"].decode("ascii")
               for k in ks]
    pieces = _pieces(strings, height)
    if pieces is None:
        return None
    col, py0, py1, pm = pieces
    if int(col.max()) >= width:  # counts that run past the frame: drop what is outside
        keep = col < width
        col, py0, py1, pm = col[keep], py0[keep], py1[keep], pm[keep]
        if col.size == 0:
            return None
    ks_arr = np.asarray(ks, dtype=np.int64)
    # Boxes: pieces are ordered by mask, so each mask's pieces are one block.
    first = np.flatnonzero(np.r_[True, pm[1:] != pm[:-1]])
    owner = ks_arr[pm[first]]
    boxes[owner, 0] = col[first]
    boxes[owner, 2] = np.maximum.reduceat(col, first) + 1
    boxes[owner, 1] = np.minimum.reduceat(py0, first)
    boxes[owner, 3] = np.maximum.reduceat(py1, first) + 1
    return col, py0, py1, np.asarray(values, dtype=np.uint32)[ks_arr][pm]


class Runs:
    """A (height, width) raster kept as column-major runs: run k covers the flat column-major
    pixels cuts[k]:cuts[k + 1] and holds values[k]. A crowded frame's mask raster is ~100k runs,
    a tenth of its pixels; expanding it costs two frame-sized passes."""

    __slots__ = ("height", "width", "cuts", "values")

    def __init__(self, height: int, width: int, cuts: np.ndarray, values: np.ndarray):
        self.height, self.width, self.cuts, self.values = height, width, cuts, values

    @classmethod
    def empty(cls, height: int, width: int) -> "Runs":
        return cls(height, width, np.array([0, height * width], dtype=np.int64), np.zeros(1, dtype=np.uint32))

    def expand(self, lut: np.ndarray | None = None) -> np.ndarray:
        """The (height, width) uint32 raster, or ``lut`` of it (colouring the runs, not the pixels)."""
        values = self.values.astype(np.uint32) if lut is None else lut[self.values]
        column_major = np.repeat(values, np.diff(self.cuts)).reshape(self.width, self.height)
        return np.ascontiguousarray(column_major.T)


def _runs(pieces, height: int, width: int) -> Runs:
    """(column, y0, y1 inclusive, value) pieces, painted in order, as the runs of the frame."""
    col, py0, py1, value = pieces
    # Without touching pixels one by one: cut the column-major frame at every piece's ends,
    # give each elementary interval the last piece covering it.
    start = col * height + py0
    end = start + (py1 - py0 + 1)
    cuts = np.sort(np.concatenate([start, end, [0, height * width]]))  # np.unique is 40x slower here
    cuts = cuts[np.r_[True, cuts[1:] != cuts[:-1]]]
    first_cut, last_cut = np.searchsorted(cuts, start), np.searchsorted(cuts, end)
    spans = last_cut - first_cut
    piece = np.repeat(np.arange(start.size), spans)
    interval = np.repeat(first_cut - (np.cumsum(spans) - spans), spans) + np.arange(int(spans.sum()))
    owner = np.full(cuts.size - 1, -1, dtype=np.int64)
    # Pieces are in painting order: the latest piece over an interval is its highest index.
    # (Plain assignment would do it too, but NumPy does not promise which repeated index wins.)
    np.maximum.at(owner, interval, piece)
    values = np.where(owner >= 0, value[owner], np.uint32(0))
    # Half the bytes to send back from a worker process: offsets fit int32 below 2**31 pixels,
    # slots fit uint16 below 65536 instances.
    cuts = cuts.astype(np.int32) if height * width < 2**31 else cuts
    return Runs(height, width, cuts, values.astype(np.uint16 if values.max(initial=0) < 2**16 else np.uint32))


def _paint_pieces(out: np.ndarray, pieces, overwrite: bool) -> None:
    """Paint (column, y0, y1 inclusive, value) pieces, in order, into ``out``."""
    painted = _runs(pieces, *out.shape).expand()
    if overwrite:
        out[:] = painted
    else:  # masks painted before: keep them where these paint nothing
        np.copyto(out, painted, where=painted != 0)


def raster_masks(rles: list[dict], values: np.ndarray, height: int, width: int) -> tuple[Runs | np.ndarray, np.ndarray]:
    """``paint_masks``, but when every mask is a compressed RLE of the frame's size (what models
    and COCO give) the raster is returned as Runs: cheaper to colour, and a tenth of the memory."""
    if not all(_frame_sized(rle, height, width) for rle in rles):
        return paint_masks(rles, values, height, width)
    boxes = np.zeros((len(rles), 4), dtype=np.int64)
    pieces = _batch_pieces(rles, values, list(range(len(rles))), height, width, boxes)
    return (Runs.empty(height, width) if pieces is None else _runs(pieces, height, width)), boxes


def _paint_one(out, boxes, k: int, rle: dict, value) -> None:
    crop = rle_crop(rle)
    if crop is None:
        return
    x0, y0, bits = crop
    h, w = bits.shape
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x0 + w, out.shape[1]), min(y0 + h, out.shape[0])
    if cx1 <= cx0 or cy1 <= cy0:
        return
    out[cy0:cy1, cx0:cx1][bits[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]] = value
    boxes[k] = (cx0, cy0, cx1, cy1)


def _crops_same_height(strings: list[str], height: int) -> list:
    n_masks = len(strings)
    out: list = [None] * n_masks
    pieces = _pieces(strings, height)
    if pieces is None:
        return out
    col, py0, py1, pm = pieces
    # 5. Each mask's crop box, and where its crop sits in one shared buffer.
    first = np.flatnonzero(np.r_[True, pm[1:] != pm[:-1]])
    slot = np.repeat(np.arange(first.size), np.diff(np.r_[first, pm.size]))
    colmin, colmax = col[first], np.maximum.reduceat(col, first)
    ymin, ymax = np.minimum.reduceat(py0, first), np.maximum.reduceat(py1, first)
    crop_h, ncols = ymax - ymin + 1, colmax - colmin + 1
    size = ncols * crop_h
    offset = np.cumsum(size) - size
    gs = offset[slot] + (col - colmin[slot]) * crop_h[slot] + (py0 - ymin[slot])
    ge = gs + (py1 - py0 + 1)
    # 6. Paint every piece at once.
    buf = _spans_to_bits(gs, ge, int(size.sum()))
    for k, mask in enumerate(pm[first]):
        o = int(offset[k])
        block = buf[o:o + int(size[k])].reshape(int(ncols[k]), int(crop_h[k]))
        out[int(mask)] = (int(colmin[k]), int(ymin[k]), np.ascontiguousarray(block.T))
    return out
