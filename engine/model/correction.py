from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class Correction:
    """One row of the corrections log: what an annotation was before and after a change.

    ``entity`` is "instance", "caption", "category" or "asset". ``action`` is
    "create", "update" or "delete" for one record, or "bulk_create" /
    "bulk_delete" for imports and model runs, whose ``after`` / ``before`` then
    list the ids and the origin rather than every record.
    """
    entity: str
    entity_id: int | None
    action: str
    before: dict | None
    after: dict | None
    author: str
    at: datetime
    asset_id: int | None = None
    id: int | None = None
