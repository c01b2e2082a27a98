"""A frame's drawing state built ahead of its first paint.

The first paint of a crowded frame spends most of its time rastering masks and
building the tiles' paths. A prefetch thread does all of it for the frame about
to be shown (Qt's QImage and QPainterPath may be built on any thread); a cold
switch rasters the masks on another thread while it builds the tiles.
"""
from __future__ import annotations

from app.canvas.frame_model import FrameModel
from app.canvas.tiles import TileIndex


def build_frame(categories: dict, color_by: str, shown, instances: list) -> tuple[FrameModel, TileIndex]:
    fm = FrameModel(categories, color_by, shown)
    fm.reset(instances)
    tiles = TileIndex()
    tiles.reset(fm)
    return fm, tiles


def build_tiles(fm: FrameModel, tiles: TileIndex) -> None:
    """The paths and point lists of every tile (what a first paint would build)."""
    for t in tiles.tiles.values():
        tiles.build_tile(t)
