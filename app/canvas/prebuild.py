"""A frame's drawing state built ahead of its first paint.

The first paint of a crowded frame spends most of its time decoding masks,
colouring their images and building tiles. A prefetch thread does all of it
for the frame about to be shown (Qt's QImage and QPainterPath may be built on
any thread); a cold switch does it while the image is still decoding, which
would otherwise leave the GUI thread waiting.
"""
from __future__ import annotations

from concurrent.futures import Future

from app.canvas.frame_model import FrameModel
from app.canvas.items.mask import MASKS
from app.canvas.tiles import TileIndex


def build_frame(categories: dict, color_by: str, shown, instances: list) -> tuple[FrameModel, TileIndex]:
    fm = FrameModel(categories, color_by, shown)
    fm.reset(instances)
    tiles = TileIndex()
    tiles.reset(fm)
    return fm, tiles


def build_tiles(fm: FrameModel, tiles: TileIndex, opacity: float, until: Future | None = None) -> None:
    """Decode the masks, then build tiles and their mask images; stop early once ``until`` is done."""
    if until is not None and until.done():
        return
    MASKS.prepare([i.mask for i in fm.insts if i.mask is not None])
    for t in tiles.tiles.values():
        if until is not None and until.done():
            return
        tiles.build_tile(t)
        t.mask_images(opacity)
