"""Write checked COCO rows into a project, all of it in one transaction.

``ImportWriter`` is the reader's sink. Once the file's images (and videos) are
known it checks their files, opens the import's one transaction and writes
categories and assets; from then on each batch of checked annotations is
inserted as soon as it has passed, while the rest of the file is still to be
read, so that only a batch is ever held in memory. Anything that fails later
(a bad record, a category check at the end, a cancel) rolls the whole
transaction back: the project is left as it was.

Rows go in through the DB-API's ``executemany`` as prebuilt tuples (JSON
columns already text): the same rows the store's ``add_instances`` writes, with
the same ``bulk_create`` entry per batch in the corrections log.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, select

from engine.coco.reader import BATCH, CocoData
from engine.model import ReviewState, Source
from engine.store import schema as t
from engine.store.rows import now

INSTANCE_COLUMNS = ("id", "asset_id", "frame_index", "category_id", "bbox", "mask", "polygons", "keypoints",
                    "keypoint_scores", "score", "track_id", "iscrowd", "area", "attributes", "source",
                    "model_version_id", "review_state", "author", "created_at", "updated_at")
CAPTION_COLUMNS = ("id", "asset_id", "frame_index", "text", "source", "model_version_id", "review_state",
                   "author", "created_at", "updated_at")
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
REBUILD_BELOW = 50000  # instances already in the project


@dataclass
class Written:
    instances: int = 0
    captions: int = 0
    renumbered_instances: int = 0
    renumbered_captions: int = 0
    tracks: dict[int, tuple[int, int]] = field(default_factory=dict)  # track id -> (asset, category)
    assets: set[int] = field(default_factory=set)  # the assets that received annotations
    categories: set[int] = field(default_factory=set)  # the categories of the instances


def raw_insert(connection, table, columns: tuple[str, ...], rows: list[tuple], constants: str = "") -> None:
    """executemany of prebuilt tuples, past SQLAlchemy's per-row processing. ``constants``:
    SQL literals for the columns after ``columns`` that are the same in every row."""
    if not rows:
        return
    dialect = connection.dialect
    n = len(rows[0])
    mark = _MARKS.get(dialect.paramstyle)
    if mark is None:
        marks = ", ".join(f":{k + 1}" for k in range(n))  # numeric
    else:
        marks = ", ".join([mark] * n)
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({marks}{', ' + constants if constants else ''})")
    connection.exec_driver_sql(sql, rows)


def _literal(value) -> str | None:
    """``value`` as an SQL literal, where that is safe and simple."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def bound(connection, column, value):
    """``value`` as SQLAlchemy would bind it to ``column`` (SQLite stores datetimes as text)."""
    processor = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return processor(value) if processor else value


@contextmanager
def lean_cache(connection, kib: int = 8192):
    """A small SQLite page cache while an import writes: a big transaction would fill the
    project's usual cache with dirty pages (all of it counts as the import's memory);
    they spill to the WAL instead. Set back afterwards: the connection goes back to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size={-kib}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


class ImportWriter:
    """The reader's sink: see the module docstring. ``begin`` is a callable(CocoData) the
    importer supplies: it checks the media, opens the transaction and writes categories
    and assets, returning (transaction, locations, model version id)."""

    def __init__(self, store, begin, *, author: str, origin: str):
        self.store, self._begin = store, begin
        self.author, self.origin = author, origin
        self.tx = None
        self.version_id: int | None = None
        self.locations: dict[int, tuple[int, int]] = {}
        self.result = Written()
        self._held: list[tuple] = []  # rows whose id must change: written last
        self._held_captions: list[tuple] = []

    # -- the reader's side --------------------------------------------------
    def ready(self, data: CocoData, seen: set[str]) -> bool:
        if self.tx is None:
            self.start(data)
        return True

    def start(self, data: CocoData) -> None:
        self.tx, self.locations, version_id = self._begin(data)
        self.version_id = version_id
        c = self.tx.connection
        self._categories = set(c.execute(select(t.categories.c.id)).scalars())
        self.placeholders: set[int] = set()
        stamp = bound(c, t.instances.c.created_at, now())
        if version_id is None:
            source, review = str(Source.HUMAN), str(ReviewState.MANUAL)
        else:
            source, review = str(Source.MODEL), str(ReviewState.PREDICTED)
        tail = (source, version_id, review, self.author, stamp, stamp)
        # Columns that are the same in every row go into the statement once, not into 200k tuples.
        literals = [_literal(v) for v in tail]
        if c.dialect.name == "sqlite" and None not in literals:
            self._tail, self._constants = (), ", ".join(literals)
        else:
            self._tail, self._constants = tail, ""
        self._results = data.is_results
        self._tops = {t.instances.name: self._top(t.instances), t.captions.name: self._top(t.captions)}
        self._next_instance = self._tops[t.instances.name] + 1  # results have no ids of their own
        self._next_caption = self._tops[t.captions.name] + 1
        # Into a (nearly) empty table, building the indexes once at the end beats keeping
        # them up to date row by row; a big project keeps its indexes. SQLite only: readers
        # keep their snapshot there, where PostgreSQL would lock them out until the commit.
        count = c.execute(select(func.count()).select_from(t.instances)).scalar()
        small = c.dialect.name == "sqlite" and count < REBUILD_BELOW
        self._rebuild = sorted(t.instances.indexes, key=lambda i: i.name) if small else []
        for index in self._rebuild:
            index.drop(c)

    def instances(self, rows: list[tuple]) -> None:
        """Checked rows (``AnnotationChecker.instances``) onto their asset and frame."""
        used = {r[2] for r in rows}
        self.result.categories |= used
        self._placeholders(used - self._categories)
        taken = self._taken(t.instances, [r[0] for r in rows if r[0]])
        locations, tail, tracks = self.locations, self._tail, self.result.tracks
        batch = []
        for r in rows:
            aid = r[0]
            if aid is None and self._results:
                aid, self._next_instance = self._next_instance, self._next_instance + 1
            elif aid is None or aid < 1 or aid in taken:
                self._held.append(r)
                continue
            asset, frame = locations[r[1]]
            batch.append((aid, asset, frame, *r[2:], *tail))
            if r[9] is not None and r[9] not in tracks:
                tracks[r[9]] = (asset, r[2])
        self._submit(t.instances, INSTANCE_COLUMNS, batch, "instance")

    def captions(self, rows: list[tuple]) -> None:
        taken = self._taken(t.captions, [r[0] for r in rows if r[0]])
        batch = []
        for cid, image_id, text in rows:
            if cid is None and self._results:
                cid, self._next_caption = self._next_caption, self._next_caption + 1
            elif cid is None or cid < 1 or cid in taken:
                self._held_captions.append((cid, image_id, text))
                continue
            batch.append((cid, *self.locations[image_id], text, *self._tail))
        self._submit(t.captions, CAPTION_COLUMNS, batch, "caption")

    # -- the end ------------------------------------------------------------
    def finish(self, data: CocoData) -> Written:
        """The rows the reader kept, then those whose ids were taken: new ids above
        every id in the table and in the file; then the indexes, if they were dropped."""
        if self.tx is None:
            self.start(data)
        for start in range(0, len(data.instances), BATCH):
            self.instances(data.instances[start:start + BATCH])
        for start in range(0, len(data.captions), BATCH):
            self.captions(data.captions[start:start + BATCH])
        next_id = max(self._top(t.instances), data.max_id) + 1
        batch = []
        for r in self._held:
            self.result.renumbered_instances += r[0] is not None
            asset, frame = self.locations[r[1]]
            batch.append((next_id, asset, frame, *r[2:], *self._tail))
            next_id += 1
            if r[9] is not None and r[9] not in self.result.tracks:
                self.result.tracks[r[9]] = (asset, r[2])
        self._submit(t.instances, INSTANCE_COLUMNS, batch, "instance")
        next_id = max(self._top(t.captions), data.max_id) + 1
        batch = []
        for cid, image_id, text in self._held_captions:
            self.result.renumbered_captions += cid is not None
            batch.append((next_id, *self.locations[image_id], text, *self._tail))
            next_id += 1
        self._submit(t.captions, CAPTION_COLUMNS, batch, "caption")
        for index in self._rebuild:
            index.create(self.tx.connection)
        return self.result

    # -- helpers ------------------------------------------------------------
    def _placeholders(self, missing: set[int]) -> None:
        """COCO lists categories after the annotations: rows for the ids met so far keep the
        foreign key satisfied (a deferred key would make SQLite scan every instance per
        category added at the end); the file's categories fill them in, and an id the file
        never defines fails the import's checks, rolling them back."""
        if not missing:
            return
        self.tx.connection.execute(t.categories.insert(), [
            {"id": cid, "name": f"category {cid}", "supercategory": "", "color": "", "keypoints": [],
             "skeleton": [], "flip_pairs": []} for cid in sorted(missing)])
        self._categories |= missing
        self.placeholders |= missing

    def _top(self, table) -> int:
        return self.tx.connection.execute(select(func.max(table.c.id))).scalar() or 0

    def _taken(self, table, ids: list[int]) -> set[int]:
        """Those of ``ids`` the table has already (none, for ids above its largest)."""
        ids = [i for i in ids if i <= self._tops[table.name]]
        taken: set[int] = set()
        for start in range(0, len(ids), 10000):  # within SQLite's limit on bound values
            q = select(table.c.id).where(table.c.id.in_(ids[start:start + 10000]))
            taken.update(self.tx.connection.execute(q).scalars())
        return taken

    def _submit(self, table, columns, batch: list[tuple], entity: str) -> None:
        """Insert ``batch`` and log it."""
        if not batch:
            return
        raw_insert(self.tx.connection, table, columns, batch, self._constants)
        self.store._log(self.tx, entity, None, "bulk_create", None,
                        {"ids": [b[0] for b in batch], "origin": self.origin}, self.author)
        self.result.assets.update(b[1] for b in batch)
        if entity == "instance":
            self.result.instances += len(batch)
        else:
            self.result.captions += len(batch)
