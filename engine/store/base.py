"""The store's connection handling: one engine, thread-local transactions, events after commit."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine

from engine.model import Correction
from engine.store import schema as t
from engine.store.database import is_url, make_engine, migrate
from engine.store.events import EventHub, Listener, StoreEvent
from engine.store.rows import now


@dataclass
class Transaction:
    connection: Connection
    events: list[StoreEvent] = field(default_factory=list)


class StoreBase:
    """Owns the engine and hands out transactions.

    Every public write runs in ``transaction()``: calls nested inside an outer
    ``with store.transaction():`` join it, so an import or a multi-selection edit
    commits all or nothing. Listeners hear about a change only after its commit.
    """

    def __init__(self, location: str | Path):
        self.location = str(location)
        self.path: Path | None = None if is_url(location) else Path(location).resolve()
        self._engine: Engine = make_engine(self.path if self.path else self.location)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "begin", _sqlite_begin)
        self._local = threading.local()
        self._events = EventHub()
        migrate(self._engine, self.location)

    # -- lifecycle -------------------------------------------------------
    @property
    def root(self) -> Path:
        """The folder asset paths are relative to: the project file's folder."""
        if self.path is not None:
            return self.path.parent
        return Path(self.get_info("media_root", ".")).resolve()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def subscribe(self, listener: Listener):
        """Call ``listener(StoreEvent)`` after each commit; returns an unsubscribe function."""
        return self._events.subscribe(listener)

    # -- transactions ----------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        current: Transaction | None = getattr(self._local, "tx", None)
        if current is not None:
            yield current
            return
        with self._engine.connect() as connection:
            connection.info["kinetag_write"] = True
            try:
                with connection.begin():
                    tx = Transaction(connection)
                    self._local.tx = tx
                    try:
                        yield tx
                    finally:
                        self._local.tx = None
            finally:
                connection.info["kinetag_write"] = False
        self._events.emit(tx.events)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        current: Transaction | None = getattr(self._local, "tx", None)
        if current is not None:
            yield current.connection
            return
        with self._engine.connect() as connection:
            yield connection

    def _notify(self, tx: Transaction, ev: StoreEvent) -> None:
        tx.events.append(ev)

    def _log(self, tx: Transaction, entity: str, entity_id, action: str, before, after,
             author: str, asset_id: int | None = None) -> None:
        tx.connection.execute(t.corrections.insert().values(
            entity=entity, entity_id=entity_id, asset_id=asset_id, action=action,
            before=before, after=after, author=author or "", at=now(),
        ))

    # -- project info ----------------------------------------------------
    def get_info(self, key: str, default=None):
        with self._read() as c:
            row = c.execute(select(t.project_info.c.value).where(t.project_info.c.key == key)).first()
        return default if row is None else row[0]

    def set_info(self, key: str, value) -> None:
        with self.transaction() as tx:
            c = tx.connection
            if c.execute(select(t.project_info.c.key).where(t.project_info.c.key == key)).first():
                c.execute(t.project_info.update().where(t.project_info.c.key == key).values(value=value))
            else:
                c.execute(t.project_info.insert().values(key=key, value=value))

    # -- corrections log -------------------------------------------------
    def corrections(self, entity: str | None = None, entity_id: int | None = None,
                    limit: int | None = None) -> list[Correction]:
        from engine.store.rows import correction_from_row
        q = select(t.corrections).order_by(t.corrections.c.id)
        if entity is not None:
            q = q.where(t.corrections.c.entity == entity)
        if entity_id is not None:
            q = q.where(t.corrections.c.entity_id == entity_id)
        if limit is not None:
            q = q.limit(limit)
        with self._read() as c:
            return [correction_from_row(r) for r in c.execute(q)]


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front, so a GUI edit and a worker's batch
    # wait for each other (busy timeout) instead of failing with SQLITE_BUSY when a
    # deferred reader tries to upgrade. Reads stay deferred and never block.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("kinetag_write") else "BEGIN")
