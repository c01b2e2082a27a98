"""The canvas's image decoder: real PNGs decoded off the GUI thread, at a lower priority."""
from __future__ import annotations

import os
import sys
import threading

import pytest

from app.canvas import image_source
from app.canvas.image_source import ImageSource
from engine.priority import HELPER_NICE
from tests.app.core.conftest import BACKGROUND, HEIGHT, WIDTH


def test_decodes_the_png_on_its_own_thread(project):
    store, ids = project
    source = ImageSource(store)
    try:
        image = source.image(store.asset(ids["assets"][0]))
        assert (image.width(), image.height()) == (WIDTH, HEIGHT)
        assert image.pixelColor(0, 0).getRgb()[:3] == BACKGROUND
        assert image.pixelColor(20, 20).getRgb()[:3] == (200, 200, 200)
    finally:
        source.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_decoding_runs_below_the_gui_threads_priority(project, monkeypatch):
    # On two cores the GUI thread builds the scene while the PNG decodes; it must keep its core.
    store, ids = project
    seen = []
    real_read = image_source.read_image

    def read_image(path):
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return real_read(path)

    monkeypatch.setattr(image_source, "read_image", read_image)
    source = ImageSource(store)
    try:
        for asset_id in ids["assets"]:
            assert source.image(store.asset(asset_id)).width() == WIDTH
    finally:
        source.close()
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert [nice for _, nice in seen] == [min(19, gui + HELPER_NICE)] * 2
    assert all(name.startswith(image_source.THREAD_NAME) for name, _ in seen)
