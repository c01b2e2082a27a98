"""Does the canvas keep up with a crowded frame?

Builds a real project (SQLite file, two 1920x1080 PNGs, 1,000 model
predictions each with a mask, a box and a 17-point skeleton) and times, in an
offscreen CanvasView:

- switch: open_asset (store query + image decode, overlapped) + scene build +
  first paint, alternating between the two images. "cold" clears the
  document's and the scene's frame caches, the decoded images and the mask
  caches first (a first visit); "prefetched" is a first visit after
  ProjectDocument.prefetch() (store query, image and mask decoding done in
  the background beforehand); "warm" is going back to an image just seen. CPU
  time (all threads, and the mask raster worker process) is printed too: on a
  busy machine it is steadier.
- edit: update_instance on one unselected instance (store write, signal, item
  update) + the repaint of the region it dirtied (the event loop's paint).
- baseline: painting just the image pixmap in the same view (all instance
  layers hidden), so the output gives ratios as well as milliseconds.

Goals: switch <= 100 ms, edit <= 16 ms (medians).

    python -m bench.render [--instances 1000] [--repeats 9]
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import app.pyside_compat  # noqa: E402,F401
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.canvas import CanvasView  # noqa: E402
from app.canvas import raster_pool  # noqa: E402
from app.canvas.items.mask import MASKS  # noqa: E402
from app.document import ProjectDocument  # noqa: E402
from engine.geometry import encode_mask  # noqa: E402
from engine.model import Asset, Category, Instance, ReviewState, Source  # noqa: E402
from engine.sample.skeleton import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON  # noqa: E402
from engine.store import ProjectStore  # noqa: E402

W, H = 1920, 1080


def write_png(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W]
    base = np.stack([(xx * 255 // W), (yy * 255 // H), ((xx + yy) * 127 // (W + H))], axis=2)
    noise = rng.integers(0, 40, size=(H, W, 3))
    Image.fromarray((base + noise).clip(0, 255).astype(np.uint8)).save(path)


def people(asset_id: int, category_id: int, n: int, seed: int) -> list[Instance]:
    rng = np.random.default_rng(seed)
    out = []
    canvas = np.zeros((H, W), dtype=bool)
    for _ in range(n):
        w, h = int(rng.integers(20, 80)), int(rng.integers(40, 160))
        x, y = int(rng.integers(0, W - w)), int(rng.integers(0, H - h))
        yy, xx = np.ogrid[:h, :w]
        canvas[:] = False
        canvas[y:y + h, x:x + w] = ((yy - h / 2) / (h / 2)) ** 2 + ((xx - w / 2) / (w / 2)) ** 2 < 1
        kp = []
        for _k in range(17):
            kp += [float(x + rng.random() * w), float(y + rng.random() * h), int(rng.choice([1, 2, 2, 2]))]
        out.append(Instance(asset_id, category_id, bbox=(float(x), float(y), float(w), float(h)),
                            mask=encode_mask(canvas), keypoints=kp, score=float(rng.uniform(0.3, 1.0)),
                            source=Source.MODEL, review_state=ReviewState.PREDICTED))
    return out


def build(folder: Path, n: int) -> tuple[Path, list[int]]:
    store = ProjectStore.create(folder / "bench.kinetag")
    cat = store.add_category(Category("person", keypoints=PERSON_KEYPOINTS, skeleton=PERSON_SKELETON,
                                      flip_pairs=PERSON_FLIP_PAIRS))
    ids = []
    for k in range(2):
        write_png(folder / f"crowd_{k}.png", k)
        asset = store.add_asset(Asset(f"crowd_{k}.png", W, H))
        store.add_instances(people(asset.id, cat.id, n, seed=100 + k))
        ids.append(asset.id)
    path = store.path
    store.close()
    return path, ids


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def worker_cpu_ms() -> float:
    """CPU time of the mask raster worker process so far (Linux; 0 elsewhere)."""
    pool = raster_pool._shared_process()
    total = 0.0
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            with open(f"/proc/{pid}/schedstat") as f:
                total += int(f.read().split()[0]) / 1e6
        except (OSError, ValueError, IndexError):
            pass
    return total


def cpu_ms() -> float:
    """This process's CPU time and its raster worker's, in ms."""
    return time.process_time() * 1000.0 + worker_cpu_ms()


def ms(f) -> float:
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, asset_ids = build(Path(tmp), args.instances)
        print(f"built {path.name}: 2 images {W}x{H}, {args.instances} instances each "
              f"({time.perf_counter() - t:.1f} s)")
        store = ProjectStore.open(path)
        doc = ProjectDocument(store, author="bench")
        view = CanvasView(doc)
        view.resize(1280, 760)
        view.show()
        app.processEvents()
        counter = PaintCounter()
        view.viewport().installEventFilter(counter)
        sc = view.canvas_scene
        vp = view.viewport()

        cpu: dict[str, list] = {"cold": [], "warm": [], "ahead": [], "edit": []}

        def switch(asset_id: int, cold: bool) -> float:
            if cold:
                doc.forget_cached_frames()
                sc.forget_other_frames()
                sc.images.forget()
                MASKS.clear()
            c = cpu_ms()
            wall = ms(lambda: (doc.open_asset(asset_id), vp.repaint()))
            cpu["cold" if cold else "warm"].append(cpu_ms() - c)
            return wall

        if not raster_pool.wait_ready(60):  # a switch before the worker runs rasters in a thread
            print("no mask raster worker process: the figures below are of the in-process fallback")
        for aid in asset_ids:  # warm-up: imports, glyph caches, first allocations
            switch(aid, cold=True)
        cold = [switch(asset_ids[i % 2], cold=True) for i in range(args.repeats)]

        def prefetched(asset_id: int) -> float:
            # As after "next image" when the window prefetched it: store query and decode
            # done in the background beforehand; masks and scene still built on the switch.
            doc.forget_cached_frames()
            sc.forget_other_frames()
            sc.images.forget()
            MASKS.clear()
            ready = []
            sc.masksPrefetched.connect(lambda *key: ready.append(key))
            doc.prefetch(asset_id)
            deadline = time.perf_counter() + 30
            while not ready and time.perf_counter() < deadline:
                app.processEvents()
            sc.masksPrefetched.disconnect()
            sc.images.request(store.asset(asset_id), 0).result()
            c = cpu_ms()
            wall = ms(lambda: (doc.open_asset(asset_id), vp.repaint()))
            cpu["ahead"].append(cpu_ms() - c)
            return wall

        ahead = [prefetched(asset_ids[(i + 1) % 2]) for i in range(args.repeats)]
        warm = [switch(asset_ids[i % 2], cold=False) for i in range(args.repeats)]
        # Where the cold switch goes: store query, image decode, scene build, paint.
        query = [ms(lambda: store.instances(asset_ids[0], 0)) for _ in range(args.repeats)]
        decode = []
        for _ in range(args.repeats):
            sc.images.forget()
            decode.append(ms(lambda: sc.images.image(store.asset(asset_ids[0]), 0)))
        paint_all = [ms(vp.repaint) for _ in range(args.repeats)]

        def edit(k: int) -> tuple[float, float]:
            inst = doc.instances()[(k * 37) % len(doc.instances())]
            x, y, w, h = inst.bbox
            before = counter.paints
            c = cpu_ms()
            t0 = time.perf_counter()
            doc.update_instance(inst.copy(bbox=(x + 1, y, w, h)))
            t1 = time.perf_counter()
            deadline = t1 + 1.0
            while counter.paints == before and time.perf_counter() < deadline:
                app.processEvents()
            t2 = time.perf_counter()
            cpu["edit"].append(cpu_ms() - c)
            return (t2 - t0) * 1000.0, (t2 - t1) * 1000.0

        app.processEvents()
        edits = [edit(k) for k in range(args.repeats)]
        # Baseline: the image alone in the same view.
        for item in (sc.mask_layer, sc.shape_layer):
            item.setVisible(False)
        baseline = [ms(vp.repaint) for _ in range(args.repeats)]
        doc.close()
        store.close()

    med = statistics.median
    base = med(baseline)
    rows = [
        ("switch, cold (first visit)", med(cold), 100.0),
        ("  CPU time, all threads + worker", med(cpu["cold"]), None),
        ("switch, prefetched (next image)", med(ahead), 100.0),
        ("  CPU time, all threads + worker", med(cpu["ahead"]), None),
        ("switch, warm (revisit)", med(warm), 100.0),
        ("  CPU time, all threads + worker", med(cpu["warm"]), None),
        ("edit + repaint", med(e[0] for e in edits), 16.0),
        ("  CPU time, all threads + worker", med(cpu["edit"]), None),
        ("  of which repaint", med(e[1] for e in edits), None),
        ("store query (1 frame)", med(query), None),
        ("image decode (PNG)", med(decode), None),
        ("full repaint, all layers", med(paint_all), None),
        ("baseline: image only", base, None),
    ]
    print(f"{'measure (median of %d)' % args.repeats:36s} {'ms':>8s} {'x baseline':>11s}  goal")
    for name, value, goal in rows:
        verdict = "" if goal is None else (f"<= {goal:.0f} ms " + ("ok" if value <= goal else "MISSED"))
        print(f"{name:36s} {value:8.1f} {value / base:11.1f}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
