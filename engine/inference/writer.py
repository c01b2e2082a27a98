"""Store writes on their own thread, so the model never waits for SQLite.

One batch in flight at a time: the job submits batch n, runs the model on
batch n+1, then collects n (its progress is reported only once it is
committed). Each batch is one transaction: all of it is stored or none.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from engine.inference.convert import Prediction
from engine.inference.prefetch import Batch

THREAD_NAME = "kinetag-write"


@dataclass
class Written:
    batch: Batch
    pairs: list[tuple[int, int]]  # (asset_id, frame_index) written
    instances: int


class BatchWriter:
    def __init__(self, store, version_id: int, label_map: dict[int, int], author: str):
        self._store = store
        self._version_id = version_id
        self._label_map = label_map
        self._author = author
        # Normal priority: its work is Python under the GIL, and a deprioritised
        # thread preempted while holding the GIL would stall the inference thread.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
        self._pending: Future | None = None

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def submit(self, batch: Batch, predictions: list[list[Prediction]]) -> None:
        if self._pending is not None:
            raise RuntimeError("collect() the previous batch first")
        self._pending = self._executor.submit(self._write, batch, predictions)

    def collect(self) -> Written | None:
        """Wait for the batch in flight; re-raises its error. None when nothing is in flight."""
        pending, self._pending = self._pending, None
        return None if pending is None else pending.result()

    def close(self) -> None:
        """Let a batch in flight finish (never leave it half-done), then stop the thread."""
        self._executor.shutdown(wait=True)

    def _write(self, batch: Batch, predictions: list[list[Prediction]]) -> Written:
        pairs, count = [], 0
        version, author, labels = self._version_id, self._author, self._label_map
        with self._store.transaction():
            for item, preds in zip(batch.items, predictions):
                new = [p.to_instance(item.asset_id, item.frame_index, labels[p.label], version, author)
                       for p in preds]
                self._store.replace_predictions(version, item.asset_id, item.frame_index, new, author)
                pairs.append((item.asset_id, item.frame_index))
                count += len(new)
        return Written(batch, pairs, count)
