"""The document's frame cache and background prefetch (mixed into ProjectDocument).

Recently shown frames keep their instances (kept current from store events
like the current frame, which is one of them), so going back skips the store
query. ``prefetch`` fills the cache for a frame about to be shown from a
background thread; a store event arriving meanwhile bumps the epoch and the
prefetched result is dropped rather than trusted.
"""
from __future__ import annotations

import threading

from engine.model import Instance

FRAME_CACHE = 8  # frames whose instances stay in memory


class FrameCache:
    def _load_frame(self, fresh: bool = False) -> None:
        aid = self._asset.id
        key = (aid, self._frame)
        cached = None if fresh else self._frames.get(key)
        if cached is None:
            cached = {i.id: i for i in self.store.instances(aid, self._frame)}
            self._frames[key] = cached
            while len(self._frames) > FRAME_CACHE:
                self._frames.popitem(last=False)
        self._frames.move_to_end(key)
        self._instances = cached
        self._captions = self.store.captions(aid, self._frame)

    def prefetch(self, asset_id: int, frame_index: int = 0) -> None:
        """Load a frame's instances (and, through prefetchRequested, its image) in the
        background, so that opening it next skips the store query and the decode."""
        key = (asset_id, frame_index)
        if key in self._frames or key in self._prefetching:
            return
        asset = self.store.asset(asset_id)
        self._prefetching.add(key)
        self.prefetchRequested.emit(asset, frame_index)
        threading.Thread(target=self._prefetch_run, args=(key, self._epoch), daemon=True,
                         name="kinetag-prefetch").start()

    def _prefetch_run(self, key, epoch: int) -> None:
        try:
            found = self.store.instances(*key)
        except Exception:  # noqa: BLE001 — a prefetch is only a hint; open_asset will query and report
            found = None
        try:
            self._prefetched.emit(key, found, epoch)  # queued to the GUI thread
        except RuntimeError:
            pass  # the document is gone

    def _on_prefetched(self, key, found, epoch: int) -> None:
        self._prefetching.discard(key)
        if found is None or epoch != self._epoch or key in self._frames:
            return
        self._frames[key] = {i.id: i for i in found}
        if self._asset is not None:  # the current frame stays the most recent
            self._frames.move_to_end((self._asset.id, self._frame))
        while len(self._frames) > FRAME_CACHE:
            self._frames.popitem(last=False)
        if key in self._frames:
            self.framePrefetched.emit(*key)

    def cached_instances(self, asset_id: int, frame_index: int) -> list[Instance] | None:
        """A cached (current, recent or prefetched) frame's instances, or None."""
        entry = self._frames.get((asset_id, frame_index))
        return None if entry is None else list(entry.values())

    def forget_cached_frames(self) -> None:
        """Drop other frames' cached instances (the next visit queries the store)."""
        for key in [k for k in self._frames if self._asset is None or k != (self._asset.id, self._frame)]:
            del self._frames[key]

