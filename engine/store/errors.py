"""Errors the store raises; each names the file and, where there is one, the record."""
from __future__ import annotations


class StoreError(Exception):
    """Base class for project-store errors."""


class SchemaTooNewError(StoreError):
    def __init__(self, location: str, revision: str):
        super().__init__(
            f"{location}: the project was written by a newer Kinetag (schema revision "
            f"{revision!r} is unknown to this version); it was not opened or changed. "
            f"Update Kinetag to open it."
        )
        self.location = location
        self.revision = revision


class NotAProjectError(StoreError):
    pass


class RecordNotFound(StoreError, KeyError):
    def __init__(self, table: str, record_id):
        super().__init__(f"no {table} record with id {record_id}")
        self.table = table
        self.record_id = record_id

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]
