"""Opening an image loads the next one in the background, so the next switch skips the query."""
from __future__ import annotations

from engine.model import Instance
from engine.store import ProjectStore
from app.main_window import MainWindow


def test_opening_an_asset_prefetches_the_next_one(qtbot, project_path, settings):
    store = ProjectStore.open(project_path)
    person = store.categories()[0]
    first, second, _ = store.assets()
    made = store.add_instance(Instance(second.id, person.id, bbox=(5.0, 5.0, 20.0, 20.0)))
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.show()
    win.open_asset(first.id)
    doc = win.document
    qtbot.waitUntil(lambda: (second.id, 0) in doc._frames, timeout=5000)
    assert [i.id for i in doc._frames[(second.id, 0)].values()] == [made.id]
    assert (first.id + 2, 0) not in doc._frames  # only the next one, not everything
    win.close()
