"""The asset list: lazy paging at 100k assets, no query per painted row, filters, order, live updates, thumbnails."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from engine.model import Asset, AssetKind, AssetState
from engine.store import ProjectStore
from engine.store import schema
from app.panels.asset_model import AssetRole, ErrorRole, StateRole
from app.panels.assets import AssetPanel

N = 100_000


class QueryCounter:
    def __init__(self, store: ProjectStore) -> None:
        self.count = 0
        self._engine = store._engine  # the store's own engine: counts every statement it runs
        event.listen(self._engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the BEGIN each read opens with
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._on_execute)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    # Shared by the tests of this module (2 s to build); only one changes a state, of asset N.
    store = ProjectStore.create(tmp_path_factory.mktemp("big") / "big.kinetag")
    states = [str(s) for s in AssetState]
    rows = [{"id": i, "kind": "video" if i % 10 == 3 else "image", "path": f"images/{N - i:06d}.jpg",
             "width": 640, "height": 480, "num_frames": 1, "state": states[i % 4], "attributes": {}}
            for i in range(1, N + 1)]
    with store.transaction() as tx:
        tx.connection.execute(schema.assets.insert(), rows)
    yield store
    store.close()


def test_100k_assets_page_in_and_paint_without_queries(qtbot, big_store):
    panel = AssetPanel(big_store, page_size=1000)
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    qtbot.waitExposed(panel)
    model, view = panel.model, panel.view
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=3000)  # the view asks for the first page itself
    assert 0 < model.rowCount() <= 2000, "the view pages in lazily, not all 100k at once"
    assert model.canFetchMore()

    counter = QueryCounter(big_store)
    try:
        first, last = view.indexAt(view.viewport().rect().topLeft()), view.indexAt(
            view.viewport().rect().bottomLeft())
        visible = range(first.row(), (last.row() if last.isValid() else model.rowCount() - 1) + 1)
        assert len(visible) >= 5
        for row in visible:
            index = model.index(row)
            for role in (Qt.ItemDataRole.DisplayRole, AssetRole, StateRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.DecorationRole, ErrorRole):
                index.data(role)
        view.viewport().repaint()
        QApplication.processEvents()
        assert counter.count == 0, "painting and data() for visible rows must not touch the database"

        for _ in range(400):
            if not model.canFetchMore():
                break
            view.scrollToBottom()
            QApplication.processEvents()
        assert model.rowCount() == N
        assert not model.canFetchMore()
        assert counter.count <= N // 1000 + 5, f"one query per page, got {counter.count}"
        assert model.index(N - 1).data(AssetRole).id == N
        assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum()
    finally:
        counter.close()
    panel.shutdown()


def test_filters_order_and_live_state_updates(qtbot, big_store):
    panel = AssetPanel(big_store, page_size=100)
    qtbot.addWidget(panel)
    model = panel.model
    panel.state_box.setCurrentIndex(panel.state_box.findData(AssetState.VERIFIED))
    panel.kind_box.setCurrentIndex(panel.kind_box.findData(AssetKind.VIDEO))
    model.fetchMore()
    rows = [model.asset_at(r) for r in range(model.rowCount())]
    assert rows and all(a.state == AssetState.VERIFIED and a.kind == AssetKind.VIDEO for a in rows)
    # id % 4 == 3 (verified) and id % 10 == 3 (video) -> ids 3, 23, 43, ...
    assert [a.id for a in rows[:3]] == [3, 23, 43]
    assert len(rows) == 100 and model.canFetchMore()

    panel.state_box.setCurrentIndex(0)
    panel.kind_box.setCurrentIndex(0)
    panel.order_box.setCurrentIndex(panel.order_box.findData("path"))
    model.fetchMore()
    assert model.asset_at(0).path == "images/000000.jpg" and model.asset_at(0).id == N

    big_store.set_asset_state(N, AssetState.IN_REVIEW)
    with qtbot.waitSignal(model.dataChanged):
        panel.refresh_assets([N])
    assert model.index(0).data(StateRole) == "in review"


def test_step_and_show_asset(qtbot, big_store):
    panel = AssetPanel(big_store, page_size=50)
    qtbot.addWidget(panel)
    activated = []
    panel.assetActivated.connect(activated.append)
    assert panel.step(+1) and activated == [1]
    for _ in range(60):  # past the first page: step pages in more rows itself
        panel.step(+1)
    assert activated[-1] == 61 and panel.current_asset_id() == 61
    assert panel.step(-1) and activated[-1] == 60
    panel.show_asset(400)  # the document moved elsewhere: follow it quietly, paging in as needed
    assert panel.current_asset_id() == 400 and activated[-1] == 60


def test_thumbnail_loads_off_thread_and_missing_file_is_marked(qtbot, tmp_path, png_writer):
    store = ProjectStore.create(tmp_path / "p.kinetag")
    png_writer(tmp_path / "a.png", 200, 100, seed=1)
    store.add_assets([Asset("a.png", 200, 100), Asset("gone.png", 200, 100)])
    panel = AssetPanel(store)
    qtbot.addWidget(panel)
    model = panel.model
    model.fetchMore()
    assert model.index(0).data(Qt.ItemDataRole.DecorationRole) is None  # queued, not decoded here
    assert model.index(1).data(Qt.ItemDataRole.DecorationRole) is None
    qtbot.waitUntil(lambda: model.index(0).data(Qt.ItemDataRole.DecorationRole) is not None
                    and model.index(1).data(ErrorRole) is not None, timeout=5000)
    pixmap = model.index(0).data(Qt.ItemDataRole.DecorationRole)
    assert (pixmap.width(), pixmap.height()) == (64, 32)
    assert "gone.png" in model.index(1).data(ErrorRole)
    assert "gone.png" in model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    panel.shutdown()
    store.close()
