"""ProjectDocument: the GUI's view of an open project and its one entry point for edits.

The document does not open or close the store. It keeps the current asset and
frame, a cache of that frame's instances and captions, the categories, the
selection, the view settings and the undo stack. Every edit is a command pushed
on the stack; the command writes to the store; the store's event (through the
Qt bridge, queued when a worker thread wrote) updates the cache here, and the
document re-emits it as signals the canvas and panels redraw from.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401 — before any Qt call; see the module

from collections import OrderedDict

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.commands import (
    AddCaption, AddCategory, AddInstance, CommandContext, DeleteCaption, DeleteInstance, EditCaption,
    MacroCommand, SetAssetState, StoreCommand, UpdateCategory, UpdateInstance,
)
from app.commands import review
from app.document_cache import FrameCache
from app.document_sync import DocumentSync
from app.qt_bridge import StoreBridge
from app.view_settings import ViewSettings
from engine.model import Asset, AssetState, Caption, Category, Instance, ReviewState, Source
from engine.store import ProjectStore, StoreError


class CommandFailed(StoreError):
    """An edit the store refused; nothing of it was written."""


class ProjectDocument(QObject, FrameCache, DocumentSync):
    assetLoading = Signal(object, int)  # before the store query: views may start decoding the image
    assetChanged = Signal(object, int)
    frameChanged = Signal(int)
    instancesAdded = Signal(list)
    instancesUpdated = Signal(list)
    instancesRemoved = Signal(list)
    captionsChanged = Signal()
    categoriesChanged = Signal()
    assetsChanged = Signal(list)
    selectionChanged = Signal(list)
    modelVersionsChanged = Signal()
    errorOccurred = Signal(str)  # an undo/redo from a menu that the store refused
    prefetchRequested = Signal(object, int)  # asset, frame: views may start decoding its image
    framePrefetched = Signal(int, int)  # asset id, frame: its instances are cached now
    _prefetched = Signal(object, object, int)  # (asset id, frame), instances or None, epoch

    def __init__(self, store: ProjectStore, author: str = "annotator", parent: QObject | None = None):
        QObject.__init__(self, parent)
        self.store = store
        self._ctx = CommandContext(store, author)
        self.view = ViewSettings(self)
        self.undo_stack = QUndoStack(self)
        self._asset: Asset | None = None
        self._frame = 0
        self._instances: dict[int, Instance] = {}
        # Recently shown frames' instances, kept current from store events like the
        # current frame is (which is one of them): going back to a frame skips the query.
        self._frames: OrderedDict[tuple[int, int], dict[int, Instance]] = OrderedDict()
        self._captions: list[Caption] = []
        self._categories: dict[int, Category] = {c.id: c for c in store.categories()}
        self._selection: list[int] = []
        self._epoch = 0  # bumped by every instance event: a prefetch that saw an older store is dropped
        self._prefetching: set[tuple[int, int]] = set()
        self._prefetched.connect(self._on_prefetched)
        self._bridge = StoreBridge(store, self)
        self._bridge.storeEvent.connect(self._on_store_event)
        self.undo_stack.indexChanged.connect(self._report_stack_errors)

    @property
    def author(self) -> str:
        return self._ctx.author

    @author.setter
    def author(self, name: str) -> None:
        self._ctx.author = name  # later edits (and their undo/redo) are logged under the new name

    def close(self) -> None:
        """Stop following the store (before the shell closes it)."""
        self._bridge.close()

    # -- reads ----------------------------------------------------------------
    @property
    def asset(self) -> Asset | None:
        return self._asset

    @property
    def frame_index(self) -> int:
        return self._frame

    def instances(self) -> list[Instance]:
        return list(self._instances.values())

    def instance(self, instance_id: int) -> Instance:
        cached = self._instances.get(instance_id)
        return cached if cached is not None else self.store.instance(instance_id)

    def captions(self) -> list[Caption]:
        return list(self._captions)

    def categories(self) -> list[Category]:
        return sorted(self._categories.values(), key=lambda c: c.id)

    def category(self, category_id: int) -> Category | None:
        return self._categories.get(category_id)

    # -- navigation -------------------------------------------------------------
    def open_asset(self, asset_id: int, frame_index: int = 0) -> None:
        asset = self.store.asset(asset_id)
        self._asset = asset
        self._frame = self._clamp_frame(frame_index)
        self.assetLoading.emit(asset, self._frame)
        self._load_frame()
        self._set_selection([])
        self.assetChanged.emit(asset, self._frame)

    def close_asset(self) -> None:
        self._asset, self._frame = None, 0
        self._instances, self._captions = {}, []
        self._frames.clear()
        self._set_selection([])
        self.assetChanged.emit(None, 0)

    def set_frame(self, frame_index: int) -> None:
        if self._asset is None:
            return
        frame_index = self._clamp_frame(frame_index)
        if frame_index == self._frame:
            return
        self._frame = frame_index
        self.assetLoading.emit(self._asset, frame_index)
        self._load_frame()
        self._set_selection([])
        self.frameChanged.emit(frame_index)

    def next_frame(self) -> None:
        self.set_frame(self._frame + 1)

    def previous_frame(self) -> None:
        self.set_frame(self._frame - 1)

    def _clamp_frame(self, frame_index: int) -> int:
        last = max(0, (self._asset.num_frames if self._asset else 1) - 1)
        return min(max(0, int(frame_index)), last)

    # -- selection --------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        return list(self._selection)

    def select(self, ids) -> None:
        self._set_selection([i for i in dict.fromkeys(ids) if i in self._instances])

    def _set_selection(self, ids: list[int]) -> None:
        if ids != self._selection:
            self._selection = ids
            self.selectionChanged.emit(list(ids))

    # -- edits --------------------------------------------------------------------
    def _push(self, command: StoreCommand) -> None:
        """Push (Qt runs the first redo now) and raise what the store refused."""
        self._ctx.errors.clear()
        text = command.text()  # Qt deletes a command that failed (obsolete) inside push()
        self.undo_stack.push(command)
        if self._ctx.errors:
            errors, self._ctx.errors = list(self._ctx.errors), []
            first = errors[0]
            detail = getattr(first, "orig", None) or first  # SQLAlchemy wraps the driver's message
            raise CommandFailed(f"{text}: {detail}") from first

    def _push_many(self, commands: list[StoreCommand], text: str) -> None:
        if len(commands) == 1:
            self._push(commands[0])
        elif commands:
            self._push(MacroCommand(self._ctx, f"{text} ({len(commands)})", commands))

    def _report_stack_errors(self, _index: int) -> None:
        # Menu-driven undo/redo has no caller to raise to.
        if self._ctx.errors:
            errors, self._ctx.errors = list(self._ctx.errors), []
            for exc in errors:
                self.errorOccurred.emit(str(exc))

    def _check_instance(self, inst: Instance) -> None:
        """Refuse what the database would refuse, with a message naming record and field."""
        what = f"instance {inst.id}" if inst.id is not None else "new instance"
        if inst.category_id not in self._categories:
            self._categories = {c.id: c for c in self.store.categories()}
            if inst.category_id not in self._categories:
                raise ValueError(f"{what}: category_id {inst.category_id} is not a category of this project")
        if inst.bbox is not None and (len(inst.bbox) != 4 or inst.bbox[2] < 0 or inst.bbox[3] < 0):
            raise ValueError(f"{what}: bbox {inst.bbox} is not (x, y, w, h) with w, h >= 0")

    def add_instance(self, inst: Instance) -> int:
        self._check_instance(inst)
        cmd = AddInstance(self._ctx, review.new_manual(inst, self.author))
        self._push(cmd)
        return cmd.instance.id

    def update_instance(self, inst: Instance, merge_key: str | None = None, *,
                        applied_from: Instance | None = None) -> None:
        """``merge_key`` names one gesture (e.g. "move:17:3"): its updates merge into one undo step.

        ``applied_from``: ``inst`` is already in the store (written outside the stack)
        and this was its previous state; the push then records the undo step without
        writing again.
        """
        if applied_from is not None:
            self._push(UpdateInstance(self._ctx, applied_from, inst, merge_key, applied=True))
            return
        self._check_instance(inst)
        before = self.instance(inst.id)
        self._push(UpdateInstance(self._ctx, before, review.after_edit(before, inst), merge_key))

    def delete_instances(self, ids) -> None:
        snapshots = [self.instance(i) for i in dict.fromkeys(ids)]
        self._push_many([DeleteInstance(self._ctx, s) for s in snapshots], "Delete instances")

    def _update_many(self, ids, change, text: str) -> None:
        commands = []
        for i in dict.fromkeys(ids):
            before = self.instance(i)
            after = change(before)
            if after != before:
                commands.append(UpdateInstance(self._ctx, before, after, text=text))
        self._push_many(commands, text)

    def set_category(self, ids, category_id: int) -> None:
        if self.category(category_id) is None:
            raise ValueError(f"set_category: category_id {category_id} is not a category of this project")
        self._update_many(ids, lambda b: b if b.category_id == category_id
                          else review.after_edit(b, b.copy(category_id=category_id)), "Change category")

    def accept(self, ids) -> None:
        self._update_many(ids, review.accepted, "Accept")

    def reject(self, ids) -> None:
        self._update_many(ids, review.rejected, "Reject")

    def accept_above(self, threshold: float) -> None:
        ids = [i.id for i in self._instances.values()
               if i.review_state == ReviewState.PREDICTED and i.source == Source.MODEL
               and (i.score if i.score is not None else 1.0) >= threshold]
        self.accept(ids)

    def add_caption(self, text: str) -> int:
        if self._asset is None:
            raise StoreError("add_caption: no asset is open")
        cap = Caption(asset_id=self._asset.id, text=text, frame_index=self._frame, author=self.author)
        cmd = AddCaption(self._ctx, cap)
        self._push(cmd)
        return cmd.caption.id

    def edit_caption(self, caption_id: int, text: str) -> None:
        before = self.store.caption(caption_id)
        if before.text != text:
            self._push(EditCaption(self._ctx, before, review.after_edit(before, before.copy(text=text))))

    def delete_caption(self, caption_id: int) -> None:
        self._push(DeleteCaption(self._ctx, self.store.caption(caption_id)))

    def add_category(self, cat: Category) -> int:
        cmd = AddCategory(self._ctx, cat)
        self._push(cmd)
        return cmd.category.id

    def update_category(self, cat: Category) -> None:
        before = self.store.category(cat.id)
        if before != cat:
            self._push(UpdateCategory(self._ctx, before, cat))

    def set_asset_state(self, asset_id: int, state: AssetState) -> None:
        before = self.store.asset(asset_id).state
        if before != state:
            self._push(SetAssetState(self._ctx, asset_id, before, state))
