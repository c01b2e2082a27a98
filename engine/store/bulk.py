"""Fast executemany for imports and model runs.

SQLAlchemy's per-row bind processing (a json.dumps per JSON column, even for
None) costs ~150 us a row; 200k-instance imports and prediction batches can't
afford it. On SQLite we serialise once in Python and hand the DBAPI plain
tuples; other databases take SQLAlchemy's normal path.
"""
from __future__ import annotations

import orjson
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Table
from sqlalchemy.engine import Connection

from engine.store.schema import UtcDateTime


def _json(value):
    return None if value is None else orjson.dumps(value).decode()


def _utc(value: datetime | None):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime storage format


def _bool(value):
    return None if value is None else int(bool(value))


def _converter(column):
    if isinstance(column.type, JSON):
        return _json
    if isinstance(column.type, UtcDateTime):
        return _utc
    if isinstance(column.type, Boolean):
        return _bool
    return None


def insert_rows(connection: Connection, table: Table, rows: list[dict]) -> None:
    """Insert dict rows that all have the same keys."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), rows)
        return
    keys = list(rows[0])
    convert = [(k, _converter(table.c[k])) for k in keys]
    sql = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})"
    params = [tuple(fn(row[k]) if fn else row[k] for k, fn in convert) for row in rows]
    connection.exec_driver_sql(sql, params)
