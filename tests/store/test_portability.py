"""The schema must also serve team projects on PostgreSQL: check it compiles for that dialect."""
from datetime import datetime, timedelta, timezone

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from engine.store.schema import UtcDateTime, metadata


def test_every_table_and_index_compiles_for_postgresql():
    dialect = postgresql.dialect()
    for table in metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert f"CREATE TABLE {table.name}" in ddl
        assert "TIMESTAMP WITH TIME ZONE" in ddl or "created_at" not in ddl
        for index in table.indexes:
            assert "CREATE INDEX" in str(CreateIndex(index).compile(dialect=dialect))


def test_utc_datetime_normalises_zones():
    t = UtcDateTime()
    plus_two = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert t.process_bind_param(plus_two, sqlite.dialect()) == datetime(2026, 1, 1, 10, 0)
    assert t.process_bind_param(plus_two, postgresql.dialect()) == datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)
    assert t.process_result_value(datetime(2026, 1, 1, 10, 0), sqlite.dialect()).tzinfo == timezone.utc
