"""The one error COCO import and export raise for a bad file."""
from __future__ import annotations

from pathlib import Path


class CocoFormatError(Exception):
    """A COCO file that cannot be imported, with where and why.

    ``str(error)`` reads ``"<file>: <record>: <field>: <problem>"``, e.g.
    ``"train.json: annotations[12] id=57: bbox: x + w = 700.0 is outside the image (width 640)"``.
    ``record`` is empty for a problem with the file as a whole.
    """

    def __init__(self, file: str | Path, record: str, field: str, problem: str):
        self.file = str(file)
        self.record = record
        self.field = field
        self.problem = problem
        parts = [self.file] + [p for p in (record, field) if p] + [problem]
        super().__init__(": ".join(parts))


def record_name(table: str, index: int | None, record) -> str:
    """``annotations[12] id=57`` (or without the id when the record has none usable)."""
    name = table if index is None else f"{table}[{index}]"
    rid = record.get("id") if isinstance(record, dict) else None
    if isinstance(rid, (int, str)) and not isinstance(rid, bool):
        name += f" id={rid}"
    return name
