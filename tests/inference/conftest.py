import pytest

from engine.store import ProjectStore


@pytest.fixture
def project(tmp_path):
    store = ProjectStore.create(tmp_path / "p.kinetag")
    yield store
    store.close()
