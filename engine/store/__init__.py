"""The project store: SQLAlchemy on SQLite (or PostgreSQL), versioned with Alembic."""
from engine.store.errors import NotAProjectError, RecordNotFound, SchemaTooNewError, StoreError
from engine.store.events import StoreEvent
from engine.store.project import SUFFIX, ProjectStore

__all__ = ["ProjectStore", "StoreEvent", "StoreError", "SchemaTooNewError", "NotAProjectError",
           "RecordNotFound", "SUFFIX"]
