"""Opening a project database: engine set-up, SQLite pragmas and schema migrations."""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic import command
import orjson
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine

from engine.store.errors import NotAProjectError, SchemaTooNewError

MIGRATIONS = Path(__file__).with_name("migrations")


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def _json_dumps(value) -> str:
    return orjson.dumps(value).decode()


# orjson: a frame of 1,000 instances carries ~4,000 JSON values (masks, keypoints);
# the standard library's decoder made that query the slowest part of switching images.
JSON_OPTIONS = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(location: str | Path) -> Engine:
    """An SQLAlchemy engine for a project file path or a database URL."""
    if is_url(location):
        return create_engine(str(location), **JSON_OPTIONS)
    engine = create_engine(
        f"sqlite:///{Path(location)}", **JSON_OPTIONS,
        # The GUI reads on the main thread while a worker writes predictions.
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The store emits BEGIN itself (see base._sqlite_begin); pysqlite must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the GUI read while a worker writes; FULL sync because "never lose
    # work" includes a power cut, and edits are small single-row transactions.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Large projects: keep the hot index pages in memory (64 MiB page cache, mmap reads).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.close()


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, location: str) -> None:
    """Bring the schema to this version's head; refuse a schema from a newer version.

    A database with tables but no revision is not a Kinetag project and is left alone.
    """
    with engine.connect() as connection:
        config = _alembic_config(connection)
        script = ScriptDirectory.from_config(config)
        head = script.get_current_head()
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None:
            tables = set(inspect(connection).get_table_names())
            if tables:
                raise NotAProjectError(
                    f"{location}: not a Kinetag project (a database with tables {sorted(tables)[:5]} "
                    f"but no Kinetag schema revision)"
                )
        elif current == head:
            return
        else:
            known = {rev.revision for rev in script.walk_revisions()}
            if current not in known:
                raise SchemaTooNewError(location, current)
        command.upgrade(config, "head")
        connection.commit()
