"""CanvasScene: the current frame's image and instances, redrawn from the document's signals.

Nothing here edits: tools ask the document, the document's signals come back
here. A frame switch reloads the frame model; an edit rewrites one row and
repaints its region; view settings toggle what exists. Selected instances
(up to LIVE_LIMIT) get an InstanceItem with handles; the layers draw the rest.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

import threading
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

from app.canvas.frame_masks import FrameMasks
from app.canvas.frame_model import FrameModel
from app.canvas.image_source import ImageSource
from app.canvas.items.instance import InstanceItem
from app.canvas.layers import MaskLayer, ShapeLayer
from app.canvas.prebuild import build_frame, build_tiles
from app.canvas.raster_pool import RasterPool
from app.canvas.scene_queries import SceneQueries
from app.canvas.tiles import TileIndex
from engine.media import MediaError

LIVE_LIMIT = 12        # at most this many selected instances get items with handles
MASK_REGION_LIMIT = 64  # more changed instances than this: raster the whole frame's masks again
FRAME_CACHE = 4        # recently shown frames whose arrays, paths and pixmap are kept
PREFETCH_WAIT = 1.0    # seconds a switch waits for a prefetch of the same frame to finish
LABEL_PX = (160, 22)   # generous label size on screen, for repaint margins
_HUGE = 1e6


class CanvasScene(SceneQueries, QGraphicsScene):
    imageFailed = Signal(str)
    masksPrefetched = Signal(int, int)  # asset id, frame: a prefetched frame's masks are decoded

    def __init__(self, document, image_source: ImageSource | None = None, parent=None):
        super().__init__(parent)
        self.document = document
        self.images = image_source or ImageSource(document.store)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # few items, often changing
        self.items_by_id: dict[int, InstanceItem] = {}  # live instances only
        self.frame = FrameModel({}, document.view.color_by, self.shown)
        self.tiles = TileIndex()
        self.tiles.reset(self.frame)
        self.masks = FrameMasks(1, 1)
        # Rasters a frame's masks while the GUI thread builds and draws the rest of the scene.
        self._raster_pool = RasterPool()
        # (asset id, frame) -> (FrameModel, TileIndex, QPixmap, image error, path, FrameMasks). The current frame's
        # entry is edited in place; anything that changes how every frame looks clears the others.
        self._frames: OrderedDict = OrderedDict()
        # Frames built by a prefetch thread: (asset id, frame) -> (looks epoch, FrameModel, TileIndex, FrameMasks).
        # Plain dict assignment/pop are atomic, so the thread stores here directly.
        self._prebuilt: dict = {}
        self._looks = 0  # bumped whenever how frames look changes: older prebuilt frames are stale
        self._prefetching = None  # ((asset id, frame), the thread building it)
        self.view_scale = 1.0
        self.image_error = ""
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setShapeMode(QGraphicsPixmapItem.ShapeMode.BoundingRectShape)
        self.addItem(self.image_item)
        self.mask_layer, self.shape_layer = MaskLayer(self), ShapeLayer(self)
        big = QRectF(-_HUGE, -_HUGE, 2 * _HUGE, 2 * _HUGE)  # instances may reach past the image
        for z, layer in ((1, self.mask_layer), (2, self.shape_layer)):
            layer.setZValue(z)
            layer.set_rect(big)
            self.addItem(layer)
        self.mask_layer.setVisible(document.view.show_masks)
        d = document
        d.assetLoading.connect(self._prefetch)
        d.prefetchRequested.connect(self._prefetch)
        d.framePrefetched.connect(self._prefetch_masks)
        d.assetChanged.connect(lambda *_: self.rebuild())
        d.frameChanged.connect(lambda *_: self.rebuild())
        d.instancesAdded.connect(self._on_added)
        d.instancesUpdated.connect(self._on_updated)
        d.instancesRemoved.connect(self._on_removed)
        d.selectionChanged.connect(self._on_selection)
        d.categoriesChanged.connect(self._on_categories)
        d.view.fieldChanged.connect(self._on_view)
        if d.asset is not None:
            self.rebuild()

    # -- frame ------------------------------------------------------------------
    def _prefetch(self, asset, frame_index: int) -> None:
        self.images.request(asset, frame_index)  # decodes while the document queries the store

    def _prefetch_masks(self, asset_id: int, frame_index: int) -> None:
        # Everything the switch would build (frame arrays, tiles, coloured mask images) is
        # built here off the GUI thread from the same instance objects the document will show;
        # _show_frame takes it if the objects and the looks epoch still match.
        doc = self.document
        insts = doc.cached_instances(asset_id, frame_index) or []
        categories = {c.id: c for c in doc.categories()}
        color_by, opacity, looks = doc.view.color_by, doc.view.mask_opacity, self._looks
        key = (asset_id, frame_index)
        try:
            asset = doc.store.asset(asset_id)
        except Exception:  # noqa: BLE001 — gone meanwhile: nothing to prefetch
            return

        def decode() -> None:
            try:
                # The raster goes to the worker process: this thread then mostly waits, and
                # the GUI thread, which may be busy with the user, keeps the GIL to itself.
                masks = FrameMasks(asset.width, asset.height)
                masks.paint_later(insts, self.shown, self._raster_pool)
                fm, tiles = build_frame(categories, color_by, self.shown, insts)
                build_tiles(fm, tiles)
                masks.image(fm, opacity)
                self._prebuilt = {key: (looks, fm, tiles, masks)}  # only the latest prefetch is kept
            except Exception:  # noqa: BLE001 — only a head start; the switch builds it again
                pass
            try:
                self.masksPrefetched.emit(asset_id, frame_index)
            except RuntimeError:
                pass  # the scene is gone

        thread = threading.Thread(target=decode, daemon=True, name="kinetag-masks")
        self._prefetching = (key, thread)
        thread.start()

    def close(self) -> None:
        """Stop the threads this scene owns (the window is closing)."""
        self._raster_pool.shutdown(wait=True)
        self.images.close()

    def image_rect(self) -> QRectF:
        asset = self.document.asset
        return QRectF(0, 0, asset.width, asset.height) if asset is not None else QRectF(0, 0, 1, 1)

    def rebuild(self) -> None:
        doc = self.document
        self._drop_live(list(self.items_by_id))
        asset = doc.asset
        if asset is None:
            self.image_item.setPixmap(QPixmap())
            self.frame = FrameModel({}, doc.view.color_by, self.shown)
            self.tiles = TileIndex()
            self.tiles.reset(self.frame)
            self.masks = FrameMasks(1, 1)
        else:
            self._show_frame(asset, doc.frame_index, doc.instances())
        rect = self.image_rect()
        self.setSceneRect(rect.adjusted(-rect.width(), -rect.height(), rect.width(), rect.height()))
        self._on_selection(doc.selected_ids())
        self._repaint()

    def _show_frame(self, asset, frame_index: int, instances: list) -> None:
        key = (asset.id, frame_index)
        if self.masks is not None:
            self.masks.shrink()  # the frame being left keeps its slot raster, not its colours
        cached = self._frames.get(key)
        if cached is not None and _same_objects(cached[0].insts, instances) and cached[4] == asset.path:
            self._frames.move_to_end(key)
            self.frame, self.tiles, pixmap, self.image_error, _, self.masks = cached
            self.image_item.setPixmap(pixmap)
            return
        running = self._prefetching
        if running is not None and running[0] == key and running[1].is_alive():
            running[1].join(PREFETCH_WAIT)  # it is building this very frame: take its work, don't redo it
        pre = self._prebuilt.pop(key, None)
        if pre is not None and pre[0] == self._looks and _same_objects(pre[1].insts, instances):
            self.frame, self.tiles, self.masks = pre[1], pre[2], pre[3]
        else:
            self.images.request(asset, frame_index)  # usually still decoding: build meanwhile
            # The masks are rastered on another thread while this one builds the rest.
            self.masks = FrameMasks(asset.width, asset.height)
            self.masks.paint_later(instances, self.shown, self._raster_pool)
            self.frame, self.tiles = build_frame({c.id: c for c in self.document.categories()},
                                                 self.document.view.color_by, self.shown, instances)
            self.masks.colour_later(self.frame, self.document.view.mask_opacity, self._raster_pool)
            build_tiles(self.frame, self.tiles)
        pixmap = self._load_image(asset, frame_index)
        self._frames[key] = (self.frame, self.tiles, pixmap, self.image_error, asset.path, self.masks)
        while len(self._frames) > FRAME_CACHE:
            self._frames.popitem(last=False)

    def forget_other_frames(self) -> None:
        """After a change to how every frame looks (filters, colours, categories)."""
        self._looks += 1
        self._prebuilt = {}
        current = self._frames.get(self._current_key())
        self._frames.clear()
        if current is not None:
            self._frames[self._current_key()] = current

    def _current_key(self):
        asset = self.document.asset
        return (asset.id, self.document.frame_index) if asset is not None else None

    def _load_image(self, asset, frame_index: int) -> QPixmap:
        try:
            image = self.images.image(asset, frame_index)
            self.image_error = ""
        except MediaError as exc:
            image = QImage(max(1, asset.width), max(1, asset.height), QImage.Format.Format_RGB32)
            image.fill(QColor(60, 60, 60))
            self.image_error = str(exc)
            self.imageFailed.emit(self.image_error)
        pixmap = QPixmap.fromImage(image)
        self.image_item.setPixmap(pixmap)
        return pixmap

    def _repaint(self, rows=None) -> None:
        """Repaint everything, or the screen area of these frame rows (labels included)."""
        if rows is None:
            self.mask_layer.update()
            self.shape_layer.update()
            return
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows.size == 0:
            return
        b = self.frame.bounds[rows]
        s = max(self.view_scale, 1e-6)
        rect = QRectF(b[:, 0].min() - 4 / s, b[:, 1].min() - (LABEL_PX[1] + 4) / s,
                      b[:, 2].max() - b[:, 0].min() + (LABEL_PX[0] + 8) / s,
                      b[:, 3].max() - b[:, 1].min() + (LABEL_PX[1] + 8) / s)
        self.mask_layer.update(rect)
        self.shape_layer.update(rect)

    # -- document signals -------------------------------------------------------------
    def _on_added(self, instances: list) -> None:
        fresh = [i for i in instances if i.id not in self.frame.row_of]
        if not fresh:
            return self._on_updated(instances)
        self.frame.categories = {c.id: c for c in self.document.categories()}
        touched = self.frame.add(fresh)
        self.tiles.regroup()
        self.tiles.mark(touched)
        self._refresh_masks([i.id for i in fresh])
        self._repaint([self.frame.row_of[i.id] for i in fresh])

    def _on_updated(self, instances: list) -> None:
        fm = self.frame
        mask_changed = []  # a box or keypoint edit leaves the mask raster as it is
        for inst in instances:
            r = fm.row_of.get(inst.id)
            if r is None:
                self._on_added([inst])
                continue
            before = fm.bounds[r].copy()
            old, old_look = fm.insts[r], (int(fm.rgba[r]), bool(fm.shown[r]))
            self.tiles.mark(fm.update(inst))
            if old.mask != inst.mask or old_look != (int(fm.rgba[r]), bool(fm.shown[r])):
                mask_changed.append(inst.id)
            item = self.items_by_id.get(inst.id)
            if item is not None:
                item.setPos(0, 0)  # a move gesture's offset is now in the data
                item.set_instance(inst, self.document.category(inst.category_id), fm.color_by)
                item.setVisible(bool(fm.shown[r]))
            self._repaint_rect(before)
            self._repaint([r])
        self._refresh_masks(mask_changed)

    def _refresh_masks(self, ids: list) -> None:
        """Raster again where these instances' masks were and are; many at once: the whole frame."""
        if len(ids) > MASK_REGION_LIMIT:
            self.masks.paint_all(self.frame)
            self.mask_layer.update()
            return
        for rect in self.masks.refresh(self.frame, ids, self.document.view.mask_opacity):
            self.mask_layer.update(rect)

    def _repaint_rect(self, bounds) -> None:
        s = max(self.view_scale, 1e-6)
        rect = QRectF(bounds[0] - 4 / s, bounds[1] - (LABEL_PX[1] + 4) / s,
                      bounds[2] - bounds[0] + (LABEL_PX[0] + 8) / s, bounds[3] - bounds[1] + (LABEL_PX[1] + 8) / s)
        self.mask_layer.update(rect)
        self.shape_layer.update(rect)

    def _on_removed(self, ids: list) -> None:
        fm = self.frame
        rows = [fm.row_of[i] for i in ids if i in fm.row_of]
        if not rows:
            return
        old = [fm.bounds[r].copy() for r in rows]
        self._drop_live([i for i in ids if i in self.items_by_id])
        self.tiles.mark(fm.remove(ids))
        self.tiles.regroup()
        self._refresh_masks(list(ids))
        for b in old:
            self._repaint_rect(b)

    def _on_selection(self, ids: list) -> None:
        wanted = [i for i in ids if i in self.frame.row_of]
        live = set(wanted) if len(wanted) <= LIVE_LIMIT else set()
        was_live = {self.frame.insts[r].id for r in np.flatnonzero(self.frame.live)}
        touched = self.frame.set_flags(set(wanted), live)
        if live != was_live:
            self._refresh_masks(list(live ^ was_live))  # a live instance's item draws its mask
        self._drop_live([i for i in self.items_by_id if i not in live])
        view = self.document.view
        for iid in live:
            if iid not in self.items_by_id:
                inst = self.frame.insts[self.frame.row_of[iid]]
                item = InstanceItem(inst, self.document.category(inst.category_id), self.frame.color_by,
                                    view.mask_opacity)
                item.selected = True
                item.setVisible(bool(self.frame.shown[self.frame.row_of[iid]]))
                self.addItem(item)
                item.set_live(True, view)
                self.items_by_id[iid] = item
        if touched:
            self.tiles.mark(touched)
            self._repaint()

    def _drop_live(self, ids: list) -> None:
        for iid in ids:
            item = self.items_by_id.pop(iid, None)
            if item is not None:
                item.set_live(False)
                self.removeItem(item)

    def _on_categories(self) -> None:
        self.forget_other_frames()
        self.frame.categories = {c.id: c for c in self.document.categories()}
        self.frame.refresh_meta()
        for item in self.items_by_id.values():
            item.set_instance(item.inst, self.document.category(item.inst.category_id), self.frame.color_by)
        self.tiles.mark_all()
        self._repaint()

    def _on_view(self, name: str) -> None:
        view = self.document.view
        if name in ("score_threshold", "hidden_category_ids", "show_rejected", "color_by"):
            self.forget_other_frames()
        if name == "show_masks":
            self.mask_layer.setVisible(view.show_masks)
        elif name == "mask_opacity":
            self.mask_layer.update()
        elif name in ("score_threshold", "hidden_category_ids", "show_rejected"):
            before = self.frame.shown.copy()
            touched = self.frame.refresh_shown()
            changed = np.flatnonzero(before != self.frame.shown)
            if changed.size:
                self._refresh_masks([self.frame.insts[r].id for r in changed])
            for item in self.items_by_id.values():
                item.setVisible(bool(self.frame.shown[self.frame.row_of[item.id]]))
            if touched:
                self.tiles.mark(touched)
                self.shape_layer.update()
                self.mask_layer.update()
        elif name == "color_by":
            self.frame.color_by = view.color_by
            self.frame.refresh_meta()
            for item in self.items_by_id.values():
                item.set_instance(item.inst, item.category, view.color_by)
            self.tiles.mark_all()
            self._repaint()
        else:
            self.shape_layer.update()
        for item in self.items_by_id.values():
            item.apply_view(view)


def _same_objects(a: list, b: list) -> bool:
    """The cached frame shows exactly these instance objects (the document replaces an object on any change)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))
