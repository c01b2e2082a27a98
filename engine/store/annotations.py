"""Instances and captions: the records annotators edit all day.

Every single-record write logs its before/after in the corrections log in the
same transaction. Bulk writes (imports, model runs) log one row per batch that
lists the ids and where they came from, so a 200k-instance import stays fast.
"""
from __future__ import annotations

from sqlalchemy import and_, func, select

from engine.model import AssetState, Caption, Instance, ReviewState, Source
from engine.store import schema as t
from engine.store.bulk import insert_rows
from engine.store.errors import RecordNotFound
from engine.store.events import StoreEvent
from engine.store.rows import (
    INSTANCE_SELECT, caption_from_row, caption_to_row, instance_from_row, instance_from_sqlite, instance_to_row,
    now,
)

_FRAME_SQL = f"SELECT {INSTANCE_SELECT} FROM instances WHERE asset_id = ? AND frame_index = ? ORDER BY id"
_EDITABLE_STATES = (str(AssetState.UNLABELED), str(AssetState.PREDICTED))


class AnnotationMixin:
    # -- instances: reads ------------------------------------------------
    def instances(self, asset_id: int | None = None, frame_index: int | None = None, *,
                  ids: list[int] | None = None, review_states=None, category_ids=None,
                  model_version_id: int | None = None) -> list[Instance]:
        if (asset_id is not None and frame_index is not None and ids is None and review_states is None
                and category_ids is None and model_version_id is None and self._engine.dialect.name == "sqlite"):
            return self._frame_instances_sqlite(asset_id, frame_index)
        q = select(t.instances)
        if asset_id is not None:
            q = q.where(t.instances.c.asset_id == asset_id)
        if frame_index is not None:
            q = q.where(t.instances.c.frame_index == frame_index)
        if ids is not None:
            q = q.where(t.instances.c.id.in_(list(ids)))
        if review_states is not None:
            q = q.where(t.instances.c.review_state.in_([str(s) for s in review_states]))
        if category_ids is not None:
            q = q.where(t.instances.c.category_id.in_(list(category_ids)))
        if model_version_id is not None:
            q = q.where(t.instances.c.model_version_id == model_version_id)
        with self._read() as c:
            return [instance_from_row(r) for r in c.execute(q.order_by(t.instances.c.id))]

    def _frame_instances_sqlite(self, asset_id: int, frame_index: int) -> list[Instance]:
        """The canvas's one query on every frame switch, without SQLAlchemy's per-value result processing."""
        with self._read() as c:
            rows = c.exec_driver_sql(_FRAME_SQL, (asset_id, frame_index)).fetchall()
        return [instance_from_sqlite(r) for r in rows]

    def instance(self, instance_id: int) -> Instance:
        with self._read() as c:
            row = c.execute(select(t.instances).where(t.instances.c.id == instance_id)).first()
        if row is None:
            raise RecordNotFound("instance", instance_id)
        return instance_from_row(row)

    def instance_count(self) -> int:
        with self._read() as c:
            return c.execute(select(func.count()).select_from(t.instances)).scalar()

    # -- instances: single edits (logged) --------------------------------
    def add_instance(self, instance: Instance, author: str = "") -> Instance:
        """Insert one instance; an explicit ``id`` is kept (undo re-creates with the same id)."""
        stamp = now()
        with self.transaction() as tx:
            row = instance_to_row(instance.copy(author=instance.author or author), stamp)
            result = tx.connection.execute(t.instances.insert().values(**row))
            created = instance.copy(id=result.inserted_primary_key[0], author=row["author"],
                                    created_at=row["created_at"], updated_at=row["updated_at"])
            self._log(tx, "instance", created.id, "create", None, created.to_json(), author, created.asset_id)
            self._notify(tx, StoreEvent("instance", "added", (created.id,), created.asset_id,
                                        created.frame_index, (created,)))
            self._touch_asset(tx, created.asset_id, created.source)
        return created

    def update_instance(self, instance: Instance, author: str = "") -> Instance:
        with self.transaction() as tx:
            before = self.instance(instance.id)
            after = instance.copy(updated_at=now(), created_at=before.created_at)
            row = instance_to_row(after, after.updated_at)
            row.pop("id", None)
            tx.connection.execute(t.instances.update().where(t.instances.c.id == instance.id).values(**row))
            self._log(tx, "instance", instance.id, "update", before.to_json(), after.to_json(), author,
                      after.asset_id)
            self._notify(tx, StoreEvent("instance", "updated", (after.id,), after.asset_id,
                                        after.frame_index, (after,)))
            self._touch_asset(tx, after.asset_id, Source.HUMAN)
        return after

    def delete_instance(self, instance_id: int, author: str = "") -> Instance:
        with self.transaction() as tx:
            before = self.instance(instance_id)
            tx.connection.execute(t.instances.delete().where(t.instances.c.id == instance_id))
            self._log(tx, "instance", instance_id, "delete", before.to_json(), None, author, before.asset_id)
            self._notify(tx, StoreEvent("instance", "removed", (instance_id,), before.asset_id,
                                        before.frame_index))
            self._touch_asset(tx, before.asset_id, Source.HUMAN)
        return before

    # -- instances: bulk (imports, model runs) ---------------------------
    def add_instances(self, new: list[Instance], author: str = "", origin: str = "") -> list[Instance]:
        """Insert many; ids given are kept, the others are assigned. One log row for the batch.

        The given objects are filled in (id, created_at, updated_at) and returned:
        copying 100k dataclasses would double an import's time."""
        if not new:
            return []
        stamp = now()
        with self.transaction() as tx:
            rows = [instance_to_row(i, stamp) for i in new]
            ids = self._insert_many(tx, t.instances, rows)
            created = _stamped(new, ids, stamp)
            self._log(tx, "instance", None, "bulk_create", None, {"ids": ids, "origin": origin}, author)
            self._notify(tx, StoreEvent("instance", "added", tuple(ids), data=tuple(created)))
        return created

    def replace_predictions(self, model_version_id: int, asset_id: int, frame_index: int,
                            new: list[Instance], author: str = "") -> list[Instance]:
        """Swap this model version's unreviewed predictions on one frame for ``new``.

        Anything a human created, accepted, corrected or rejected is kept.
        """
        with self.transaction() as tx:
            c = tx.connection
            stale = and_(
                t.instances.c.asset_id == asset_id, t.instances.c.frame_index == frame_index,
                t.instances.c.model_version_id == model_version_id,
                t.instances.c.review_state == str(ReviewState.PREDICTED),
            )
            old_ids = list(c.execute(select(t.instances.c.id).where(stale)).scalars())
            if old_ids:
                c.execute(t.instances.delete().where(stale))
                self._log(tx, "instance", None, "bulk_delete", {"ids": old_ids, "origin": f"model_version:{model_version_id}"},
                          None, author, asset_id)
                self._notify(tx, StoreEvent("instance", "removed", tuple(old_ids), asset_id, frame_index))
            created = self.add_instances(new, author, origin=f"model_version:{model_version_id}")
            if created:
                c.execute(t.assets.update().where(
                    and_(t.assets.c.id == asset_id, t.assets.c.state == str(AssetState.UNLABELED))
                ).values(state=str(AssetState.PREDICTED)))
                self._notify(tx, StoreEvent("asset", "updated", (asset_id,), asset_id))
        return created

    def _insert_many(self, tx, table, rows: list[dict]) -> list[int]:
        """executemany in the rows' order; returns their ids, given or assigned as max + 1, max + 2, ..."""
        c = tx.connection
        with_id = [r for r in rows if "id" in r]
        if with_id:
            insert_rows(c, table, with_id)
        without = [r for r in rows if "id" not in r]
        if without:
            top = c.execute(select(func.max(table.c.id))).scalar() or 0
            for n, r in enumerate(without, start=1):
                r["id"] = top + n
            insert_rows(c, table, without)
        return [r["id"] for r in rows]

    def _touch_asset(self, tx, asset_id: int, source) -> None:
        """A human edit moves an unlabeled or predicted asset into review; a model adds 'predicted'."""
        target = AssetState.IN_REVIEW if Source(source) == Source.HUMAN else AssetState.PREDICTED
        allowed = _EDITABLE_STATES if target == AssetState.IN_REVIEW else (str(AssetState.UNLABELED),)
        result = tx.connection.execute(t.assets.update().where(
            and_(t.assets.c.id == asset_id, t.assets.c.state.in_(allowed))
        ).values(state=str(target)))
        if result.rowcount:
            self._notify(tx, StoreEvent("asset", "updated", (asset_id,), asset_id))

    # -- captions --------------------------------------------------------
    def captions(self, asset_id: int | None = None, frame_index: int | None = None) -> list[Caption]:
        q = select(t.captions)
        if asset_id is not None:
            q = q.where(t.captions.c.asset_id == asset_id)
        if frame_index is not None:
            q = q.where(t.captions.c.frame_index == frame_index)
        with self._read() as c:
            return [caption_from_row(r) for r in c.execute(q.order_by(t.captions.c.id))]

    def caption(self, caption_id: int) -> Caption:
        with self._read() as c:
            row = c.execute(select(t.captions).where(t.captions.c.id == caption_id)).first()
        if row is None:
            raise RecordNotFound("caption", caption_id)
        return caption_from_row(row)

    def add_caption(self, caption: Caption, author: str = "") -> Caption:
        stamp = now()
        with self.transaction() as tx:
            row = caption_to_row(caption.copy(author=caption.author or author), stamp)
            result = tx.connection.execute(t.captions.insert().values(**row))
            created = caption.copy(id=result.inserted_primary_key[0], author=row["author"],
                                   created_at=row["created_at"], updated_at=row["updated_at"])
            self._log(tx, "caption", created.id, "create", None, created.to_json(), author, created.asset_id)
            self._notify(tx, StoreEvent("caption", "added", (created.id,), created.asset_id,
                                        created.frame_index, (created,)))
            self._touch_asset(tx, created.asset_id, created.source)
        return created

    def update_caption(self, caption: Caption, author: str = "") -> Caption:
        with self.transaction() as tx:
            before = self.caption(caption.id)
            after = caption.copy(updated_at=now(), created_at=before.created_at)
            row = caption_to_row(after, after.updated_at)
            row.pop("id", None)
            tx.connection.execute(t.captions.update().where(t.captions.c.id == caption.id).values(**row))
            self._log(tx, "caption", caption.id, "update", before.to_json(), after.to_json(), author,
                      after.asset_id)
            self._notify(tx, StoreEvent("caption", "updated", (after.id,), after.asset_id,
                                        after.frame_index, (after,)))
            self._touch_asset(tx, after.asset_id, Source.HUMAN)
        return after

    def delete_caption(self, caption_id: int, author: str = "") -> Caption:
        with self.transaction() as tx:
            before = self.caption(caption_id)
            tx.connection.execute(t.captions.delete().where(t.captions.c.id == caption_id))
            self._log(tx, "caption", caption_id, "delete", before.to_json(), None, author, before.asset_id)
            self._notify(tx, StoreEvent("caption", "removed", (caption_id,), before.asset_id,
                                        before.frame_index))
            self._touch_asset(tx, before.asset_id, Source.HUMAN)
        return before

    def add_captions(self, new: list[Caption], author: str = "", origin: str = "") -> list[Caption]:
        if not new:
            return []
        stamp = now()
        with self.transaction() as tx:
            rows = [caption_to_row(cap, stamp) for cap in new]
            ids = self._insert_many(tx, t.captions, rows)
            created = _stamped(new, ids, stamp)
            self._log(tx, "caption", None, "bulk_create", None, {"ids": ids, "origin": origin}, author)
            self._notify(tx, StoreEvent("caption", "added", tuple(ids), data=tuple(created)))
        return created


def _stamped(records, ids, stamp):
    for record, record_id in zip(records, ids):
        record.id = record_id
        record.created_at = record.updated_at = stamp
    return records
