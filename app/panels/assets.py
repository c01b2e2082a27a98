"""The asset list dock: thumbnails, review state, filters and sorting over the paged model."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QTableView, QVBoxLayout, QWidget,
)

from engine.model import AssetKind, AssetState
from engine.store import ProjectStore
from app.panels.asset_model import (
    ROW_SIZE, STATE_COLORS, STATE_LABELS, AssetListModel, AssetRole, ErrorRole,
)
from app.panels.thumbnails import THUMB_SIZE, ThumbnailCache


class AssetDelegate(QStyledItemDelegate):
    """Thumbnail, file name, and a coloured review-state badge with its name (not colour alone)."""

    def sizeHint(self, option, index) -> QSize:
        return ROW_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        asset = index.data(AssetRole)
        if asset is None:
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        r = option.rect
        color = QColor(STATE_COLORS[asset.state])
        painter.fillRect(QRect(r.left(), r.top() + 2, 4, r.height() - 4), color)
        thumb_rect = QRect(r.left() + 8, r.top() + (r.height() - THUMB_SIZE.height()) // 2,
                           THUMB_SIZE.width(), THUMB_SIZE.height())
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None and not pixmap.isNull():
            target = pixmap.rect()
            target.moveCenter(thumb_rect.center())
            painter.drawPixmap(target, pixmap)
        else:
            painter.fillRect(thumb_rect, QColor("#3a3a3a" if index.data(ErrorRole) is None else "#7a2020"))
            if index.data(ErrorRole) is not None:
                painter.setPen(QColor("white"))
                painter.drawText(thumb_rect, Qt.AlignmentFlag.AlignCenter, "missing")
        text_left = thumb_rect.right() + 8
        text_rect = QRect(text_left, r.top() + 4, r.right() - text_left - 4, r.height() // 2 - 2)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        name = option.fontMetrics.elidedText(index.data(), Qt.TextElideMode.ElideMiddle, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        label = STATE_LABELS[asset.state] + (f" · video, {asset.num_frames} frames" if asset.is_video else "")
        badge = QRect(text_left, r.top() + r.height() // 2 + 4, 10, 10)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QBrush(color))
        painter.setPen(QPen(color.darker(140)))
        painter.drawEllipse(badge)
        painter.setPen(option.palette.color(role))
        label_rect = QRect(badge.right() + 6, r.top() + r.height() // 2, text_rect.width() - 16, r.height() // 2 - 2)
        label = option.fontMetrics.elidedText(label, Qt.TextElideMode.ElideRight, label_rect.width())
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.restore()


class AssetPanel(QWidget):
    """Emits ``assetActivated(asset_id)`` when the user picks a row (click or keys)."""

    assetActivated = Signal(int)

    def __init__(self, store: ProjectStore, page_size: int = 500, parent=None) -> None:
        super().__init__(parent)
        self.thumbnails = ThumbnailCache(parent=self)
        self.model = AssetListModel(store, page_size, self.thumbnails, self)
        self._store = store
        self._quiet = False

        self.state_box = QComboBox(self)
        self.state_box.addItem("All states", None)
        for state in AssetState:
            self.state_box.addItem(STATE_LABELS[state].capitalize(), state)
        self.kind_box = QComboBox(self)
        self.kind_box.addItem("Images and videos", None)
        self.kind_box.addItem("Images", AssetKind.IMAGE)
        self.kind_box.addItem("Videos", AssetKind.VIDEO)
        self.order_box = QComboBox(self)
        for label, key in (("Sort by id", "id"), ("Sort by path", "path"), ("Sort by state", "state")):
            self.order_box.addItem(label, key)
        self.count_label = QLabel(self)

        # A one-column table rather than a QListView: QListView re-lays out every row (a
        # Python rowCount() call per row) each time a page arrives, which stalls at 100k rows;
        # a table with fixed row heights only touches the rows on screen.
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(AssetDelegate(self.view))
        self.view.setShowGrid(False)
        self.view.horizontalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(ROW_SIZE.height())
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.selectionModel().currentChanged.connect(self._current_changed)

        filters = QHBoxLayout()
        filters.addWidget(self.state_box)
        filters.addWidget(self.kind_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(filters)
        sort_row = QHBoxLayout()
        sort_row.addWidget(self.order_box)
        sort_row.addWidget(self.count_label, 1)
        layout.addLayout(sort_row)
        layout.addWidget(self.view, 1)

        self.state_box.currentIndexChanged.connect(self._filters_changed)
        self.kind_box.currentIndexChanged.connect(self._filters_changed)
        self.order_box.currentIndexChanged.connect(lambda _i: self.model.set_order(self.order_box.currentData()))
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self._update_count()

    # -- API for the window ----------------------------------------------
    def current_asset_id(self) -> int | None:
        asset = self.model.asset_at(self.view.currentIndex().row())
        return asset.id if asset else None

    def neighbour_id(self, asset_id: int, delta: int = 1) -> int | None:
        """The asset ``delta`` rows from ``asset_id`` among the rows loaded so far."""
        row = self.model.row_of(asset_id)
        asset = self.model.asset_at(row + delta) if row is not None else None
        return asset.id if asset else None

    def selected_asset_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.asset_at(r).id for r in rows if self.model.asset_at(r) is not None]

    def show_asset(self, asset_id: int | None) -> None:
        """Follow the document's current asset without re-announcing it."""
        row = None if asset_id is None else self.model.find(asset_id)
        self._quiet = True
        try:
            if row is None:
                self.view.selectionModel().clearCurrentIndex()
            elif row != self.view.currentIndex().row():
                index = self.model.index(row)
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
        finally:
            self._quiet = False

    def step(self, delta: int) -> bool:
        """Move to the next (+1) or previous (-1) row, paging in more at the end; False at either end."""
        row = self.view.currentIndex().row()
        target = 0 if row < 0 else row + delta
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        if not 0 <= target < self.model.rowCount():
            return False
        index = self.model.index(target)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def refresh_assets(self, ids: list[int]) -> None:
        current = self.current_asset_id()
        self.model.refresh_assets(ids)
        if not ids:  # reloaded: bring back the first page and the current row at once
            if self.model.canFetchMore():
                self.model.fetchMore()
            if current is not None:
                self.show_asset(current)
        self._update_count()

    def shutdown(self) -> None:
        self.thumbnails.shutdown()

    # -- internals -------------------------------------------------------
    def _filters_changed(self, _index: int) -> None:
        state, kind = self.state_box.currentData(), self.kind_box.currentData()
        # Qt hands str-based enums back as plain strings.
        self.model.set_filter(AssetState(state) if state else None, AssetKind(kind) if kind else None)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        asset = self.model.asset_at(current.row())
        if asset is not None and not self._quiet:
            self.assetActivated.emit(asset.id)

    def _update_count(self, *_args) -> None:
        loaded = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        self.count_label.setText(f"{loaded}{more} assets")
