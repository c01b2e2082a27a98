"""ProjectStore: one project, one database (an SQLite file by default)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine.store import schema as t
from engine.store.annotations import AnnotationMixin
from engine.store.assets import AssetMixin
from engine.store.base import StoreBase
from engine.store.categories import CategoryMixin
from engine.store.database import is_url
from engine.store.errors import NotAProjectError, StoreError
from engine.store.versions import VersionMixin

SUFFIX = ".kinetag"


class ProjectStore(AnnotationMixin, AssetMixin, CategoryMixin, VersionMixin, StoreBase):
    """The project's data. There is no save: every write commits at once.

    Open a file with ``ProjectStore.open(path)`` or a team database with
    ``ProjectStore.open("postgresql://...")``; make a new one with ``create``.
    """

    @classmethod
    def create(cls, location: str | Path, name: str | None = None) -> "ProjectStore":
        if not is_url(location):
            path = Path(location)
            if path.exists():
                raise StoreError(f"{path}: already exists; open it instead of creating it")
            path.parent.mkdir(parents=True, exist_ok=True)
        store = cls(location)
        store.set_info("name", name or (Path(str(location)).stem if not is_url(location) else "project"))
        return store

    @classmethod
    def open(cls, location: str | Path) -> "ProjectStore":
        if not is_url(location):
            path = Path(location)
            if not path.is_file():
                raise StoreError(f"{path}: no such project file")
            with path.open("rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise NotAProjectError(f"{path}: not a Kinetag project (not an SQLite database)")
        return cls(location)

    @property
    def name(self) -> str:
        return self.get_info("name", "")

    def counts(self) -> dict:
        """What ``kinetag info`` prints: totals, per asset kind and state, per category and review state."""
        with self._read() as c:
            def grouped(query):
                return {str(k): v for k, v in c.execute(query)}
            cats = {r.id: r.name for r in c.execute(select(t.categories.c.id, t.categories.c.name))}
            return {
                "assets": c.execute(select(func.count()).select_from(t.assets)).scalar(),
                "frames": c.execute(select(func.coalesce(func.sum(t.assets.c.num_frames), 0))).scalar(),
                "instances": c.execute(select(func.count()).select_from(t.instances)).scalar(),
                "captions": c.execute(select(func.count()).select_from(t.captions)).scalar(),
                "assets_by_kind": grouped(select(t.assets.c.kind, func.count()).group_by(t.assets.c.kind)),
                "assets_by_state": grouped(select(t.assets.c.state, func.count()).group_by(t.assets.c.state)),
                "instances_by_category": {
                    cats.get(k, str(k)): v for k, v in c.execute(
                        select(t.instances.c.category_id, func.count()).group_by(t.instances.c.category_id))
                },
                "instances_by_review_state": grouped(
                    select(t.instances.c.review_state, func.count()).group_by(t.instances.c.review_state)),
                "captions_by_review_state": grouped(
                    select(t.captions.c.review_state, func.count()).group_by(t.captions.c.review_state)),
                "model_versions": c.execute(select(func.count()).select_from(t.model_versions)).scalar(),
            }
