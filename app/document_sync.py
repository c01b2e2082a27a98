"""Keeping ProjectDocument's cache in step with the store (mixed into the document).

Store events arrive on the GUI thread (see app.qt_bridge), in commit order per
writing thread. Bulk events (imports, model runs) carry no asset id: the
dataclasses they carry say where each record belongs.
"""
from __future__ import annotations

from engine.store.events import StoreEvent


class DocumentSync:
    def _on_store_event(self, ev: StoreEvent) -> None:
        handler = getattr(self, f"_sync_{ev.entity}", None)
        if ev.action == "reset" or ev.entity == "project":
            self._sync_reset()
        elif handler is not None:
            handler(ev)

    def _on_frame(self, asset_id, frame_index) -> bool:  # used for captions
        return (self._asset is not None and asset_id == self._asset.id
                and frame_index == self._frame)

    def _sync_instance(self, ev: StoreEvent) -> None:
        """Apply the change to every cached frame; signal what changed on the current one."""
        self._epoch += 1
        frames = self._frames
        current = (self._asset.id, self._frame) if self._asset is not None else None
        if ev.action == "removed":
            gone = []
            for key, entry in frames.items():
                for i in ev.ids:
                    if entry.pop(i, None) is not None and key == current:
                        gone.append(i)
            if gone:
                self._drop_from_selection(gone)
                self.instancesRemoved.emit(gone)
            return
        added, updated, moved_away = [], [], []
        for inst in ev.data:
            key = (inst.asset_id, inst.frame_index)
            for other, entry in frames.items():
                if other != key and entry.pop(inst.id, None) is not None and other == current:
                    moved_away.append(inst.id)  # its frame or asset changed: it left this view
            entry = frames.get(key)
            if entry is None:
                continue
            known = inst.id in entry
            entry[inst.id] = inst
            if key == current:
                (updated if known else added).append(inst)
        if moved_away:
            self._drop_from_selection(moved_away)
            self.instancesRemoved.emit(moved_away)
        if added:
            self.instancesAdded.emit(added)
        if updated:
            self.instancesUpdated.emit(updated)

    def _drop_from_selection(self, ids) -> None:
        gone = set(ids)
        if any(i in gone for i in self._selection):
            self._set_selection([i for i in self._selection if i not in gone])

    def _sync_caption(self, ev: StoreEvent) -> None:
        if self._asset is None:
            return
        relevant = ev.asset_id is None or self._on_frame(ev.asset_id, ev.frame_index) or any(
            self._on_frame(c.asset_id, c.frame_index) for c in ev.data)
        known = {c.id for c in self._captions}
        if relevant or known.intersection(ev.ids):
            fresh = self.store.captions(self._asset.id, self._frame)
            if [c.to_json() for c in fresh] != [c.to_json() for c in self._captions]:
                self._captions = fresh
                self.captionsChanged.emit()

    def _sync_category(self, ev: StoreEvent) -> None:
        # From the event itself: a model's first run adds ~80 categories, and a
        # reload of all of them per event stalled the GUI for a second.
        if ev.action == "removed":
            for category_id in ev.ids:
                self._categories.pop(category_id, None)
        elif ev.data:
            for category in ev.data:
                self._categories[category.id] = category
        else:
            self._categories = {c.id: c for c in self.store.categories()}
        self.categoriesChanged.emit()

    def _sync_asset(self, ev: StoreEvent) -> None:
        if self._asset is not None and (not ev.ids or self._asset.id in ev.ids):
            mine = [a for a in ev.data if a.id == self._asset.id]
            try:
                self._asset = mine[0] if mine else self.store.asset(self._asset.id)
            except Exception:  # noqa: BLE001 — the asset was deleted elsewhere
                self.close_asset()
        self.assetsChanged.emit(list(ev.ids))

    def _sync_model_version(self, ev: StoreEvent) -> None:
        self.modelVersionsChanged.emit()

    def _sync_training_run(self, ev: StoreEvent) -> None:
        self.modelVersionsChanged.emit()

    def _sync_reset(self) -> None:
        self._categories = {c.id: c for c in self.store.categories()}
        self.categoriesChanged.emit()
        self.assetsChanged.emit([])
        self.modelVersionsChanged.emit()
        if self._asset is None:
            return
        try:
            self._asset = self.store.asset(self._asset.id)
        except Exception:  # noqa: BLE001 — the asset is gone
            self.close_asset()
            return
        old = set(self._instances)
        self._frames.clear()
        self._load_frame(fresh=True)
        removed = [i for i in old if i not in self._instances]
        if removed:
            self._drop_from_selection(removed)
            self.instancesRemoved.emit(removed)
        current = list(self._instances.values())
        kept = [i for i in current if i.id in old]
        new = [i for i in current if i.id not in old]
        if kept:
            self.instancesUpdated.emit(kept)
        if new:
            self.instancesAdded.emit(new)
        self.captionsChanged.emit()
