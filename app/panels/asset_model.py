"""The asset list as a lazily paged Qt model over ``store.assets(offset=, limit=)``.

Rows arrive one page at a time through ``canFetchMore``/``fetchMore`` as the
view scrolls, and ``data()`` answers from the loaded page only: painting a row
never queries the database. A filter or an order is a snapshot: an asset whose
state changes stays in place (with its new state shown) until the filter is
changed or the list is reloaded, so rows don't jump away under the cursor.
"""
from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal

from engine.model import Asset, AssetKind, AssetState
from engine.store import ProjectStore
from app.panels.thumbnails import ThumbnailCache

AssetRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
ErrorRole = Qt.ItemDataRole.UserRole + 3

STATE_LABELS = {
    AssetState.UNLABELED: "unlabeled",
    AssetState.PREDICTED: "predicted",
    AssetState.IN_REVIEW: "in review",
    AssetState.VERIFIED: "verified",
}
STATE_COLORS = {
    AssetState.UNLABELED: "#9e9e9e",
    AssetState.PREDICTED: "#f5a623",
    AssetState.IN_REVIEW: "#4a90e2",
    AssetState.VERIFIED: "#2e9e44",
}
ROW_SIZE = QSize(220, 56)


class AssetListModel(QAbstractListModel):
    loadedMore = Signal(int)  # rows now loaded

    def __init__(self, store: ProjectStore, page_size: int = 500, thumbnails: ThumbnailCache | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._page = page_size
        self._thumbs = thumbnails
        self._rows: list[Asset] = []
        self._row_of: dict[int, int] = {}
        self._exhausted = False
        self._state: AssetState | None = None
        self._kind: AssetKind | None = None
        self._order = "id"
        if thumbnails is not None:
            thumbnails.ready.connect(self._thumbnail_ready)

    # -- filter and order ------------------------------------------------
    @property
    def state_filter(self) -> AssetState | None:
        return self._state

    @property
    def kind_filter(self) -> AssetKind | None:
        return self._kind

    @property
    def order(self) -> str:
        return self._order

    def set_filter(self, state: AssetState | None = None, kind: AssetKind | None = None) -> None:
        self._state, self._kind = state, kind
        self.reload()

    def set_order(self, order: str) -> None:
        if order not in ("id", "path", "state"):
            raise ValueError(f"unknown asset order {order!r}; use id, path or state")
        self._order = order
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows, self._row_of, self._exhausted = [], {}, False
        self.endResetModel()

    # -- Qt model --------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._store.assets(state=self._state, kind=self._kind, order=self._order,
                                  offset=len(self._rows), limit=self._page)
        if len(page) < self._page:
            self._exhausted = True
        # An order by state can shift rows between pages when states change: skip repeats.
        page = [a for a in page if a.id not in self._row_of]
        if page:
            self._append(page)
        self.loadedMore.emit(len(self._rows))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        asset = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return PurePath(asset.path).name
        if role == AssetRole:
            return asset
        if role == StateRole:
            return STATE_LABELS[asset.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            error = self._thumbs.error(asset.id) if self._thumbs else None
            extra = f"\n{error}" if error else ""
            return f"{asset.path}\n{asset.width}×{asset.height} · {STATE_LABELS[asset.state]}{extra}"
        if role == Qt.ItemDataRole.DecorationRole and self._thumbs is not None:
            pixmap = self._thumbs.get(asset.id, self._store.resolve(asset), asset.is_video)
            return pixmap
        if role == ErrorRole and self._thumbs is not None:
            error = self._thumbs.error(asset.id)
            return error
        if role == Qt.ItemDataRole.SizeHintRole:
            return ROW_SIZE
        return None

    # -- lookup ----------------------------------------------------------
    def asset_at(self, row: int) -> Asset | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, asset_id: int) -> int | None:
        return self._row_of.get(asset_id)

    def find(self, asset_id: int, max_pages: int = 50) -> int | None:
        """The row of an asset, paging in more rows (at most ``max_pages``) if it isn't loaded yet."""
        for _ in range(max_pages):
            row = self._row_of.get(asset_id)
            if row is not None or not self.canFetchMore():
                return row
            self.fetchMore()
        return self._row_of.get(asset_id)

    # -- updates from the document ---------------------------------------
    def refresh_assets(self, ids: list[int]) -> None:
        """Re-read the given assets (one query); ``[]`` reloads everything."""
        if not ids:
            self.reload()
            return
        fresh = {a.id: a for a in self._store.assets(ids=list(ids))}
        for asset_id in ids:
            row = self._row_of.get(asset_id)
            if row is None:
                continue
            if asset_id not in fresh:  # deleted
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self._reindex()
                continue
            if self._thumbs is not None and fresh[asset_id].path != self._rows[row].path:
                self._thumbs.invalidate(asset_id)
            self._rows[row] = fresh[asset_id]
            index = self.index(row)
            self.dataChanged.emit(index, index)
        new = [a for k, a in fresh.items() if k not in self._row_of and self._matches(a)]
        # While pages remain, new assets come in with them; once all is loaded, append them here.
        if new and self._exhausted and self._order == "id":
            self._append(sorted(new, key=lambda a: a.id))

    def _matches(self, asset: Asset) -> bool:
        return (self._state is None or asset.state == self._state) and (self._kind is None or asset.kind == self._kind)

    def _append(self, assets: list[Asset]) -> None:
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(assets) - 1)
        for n, asset in enumerate(assets):
            self._row_of[asset.id] = first + n
        self._rows.extend(assets)
        self.endInsertRows()

    def _reindex(self) -> None:
        self._row_of = {a.id: n for n, a in enumerate(self._rows)}

    def _thumbnail_ready(self, asset_id: int) -> None:
        row = self._row_of.get(asset_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
