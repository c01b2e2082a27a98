"""How fast are COCO import and export, and how much memory does an import take?

Generates a COCO dataset (default 20k images of 640x480, 200k instances: half
with RLE masks, 40% with polygons, 10% box only, a quarter people with 17
keypoints) and a captions file with one caption per image, then measures, each
step in a fresh subprocess:

- import (instances file, then captions file) into a new project, against the
  floor: ``json.load`` + ``pycocotools.COCO`` indexing of the same two files;
- the import's peak memory (growth of the subprocess's peak RSS, VmHWM) against the
  size of the instances JSON file;
- export (instances + a separate captions file) against ``json.dump`` of the
  same data (the exported files, loaded beforehand).

No image files are written: the import runs with ``check_files=False``.
Goals: import <= 3x floor, export <= 2x json.dump, memory <= 3x JSON size.

    python -m bench.coco_io [--images 20000 --instances 200000] [--repeat 2] [--keep DIR]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

W, H = 640, 480
GOALS = {"import": 3.0, "export": 2.0, "memory": 3.0}


# -- data ------------------------------------------------------------------
def _ellipse_rle(rng: np.random.Generator) -> tuple[dict, list[float], float]:
    """A random ellipse as compressed RLE (built from column runs, no raster)."""
    from pycocotools import mask as mask_utils
    cx, cy = rng.uniform(60, W - 60), rng.uniform(60, H - 60)
    rx, ry = rng.uniform(8, 55), rng.uniform(8, 55)
    xs = np.arange(max(0, int(np.ceil(cx - rx))), min(W, int(cx + rx) + 1))
    half = ry * np.sqrt(np.clip(1 - ((xs - cx) / rx) ** 2, 0, None))
    y0 = np.clip(np.ceil(cy - half), 0, H).astype(int)
    y1 = np.clip(np.floor(cy + half) + 1, 0, H).astype(int)
    keep = y1 > y0
    starts, lengths = xs[keep] * H + y0[keep], (y1 - y0)[keep]
    ends = starts + lengths
    gaps = starts - np.concatenate([[0], ends[:-1]])
    counts = np.stack([gaps, lengths], axis=1).ravel().tolist() + [W * H - int(ends[-1])]
    rle = mask_utils.frPyObjects({"counts": counts, "size": [H, W]}, H, W)
    box = [float(v) for v in mask_utils.toBbox(rle)]
    return {"size": [H, W], "counts": rle["counts"].decode("ascii")}, box, float(mask_utils.area(rle))


def make_coco(n_images: int, n_instances: int, seed: int = 0) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    images = [{"id": i, "file_name": f"images/{i:07d}.jpg", "width": W, "height": H}
              for i in range(1, n_images + 1)]
    masks = [_ellipse_rle(rng) for _ in range(min(4096, n_instances))]
    uniform = rng.uniform(size=(n_instances, 40)).tolist()
    annotations = []
    for k in range(n_instances):
        u = uniform[k]
        ann = {"id": k + 1, "image_id": k % n_images + 1, "category_id": 2 + k % 79, "iscrowd": 0}
        kind = k % 20
        if kind < 10:
            ann["segmentation"], ann["bbox"], ann["area"] = masks[k % len(masks)]
        else:
            x, y = round(u[0] * (W - 120), 2), round(u[1] * (H - 120), 2)
            w, h = round(10 + u[2] * 100, 2), round(10 + u[3] * 100, 2)
            ann["bbox"], ann["area"] = [x, y, w, h], round(w * h / 2, 2)
            if kind < 18:
                n = 6 + int(u[4] * 10)
                ann["segmentation"] = [[round(v, 2) for j in range(n)
                                        for v in (x + u[5 + 2 * j] * w, y + u[6 + 2 * j] * h)]]
        if k % 4 == 0:
            ann["category_id"] = 1
            points = rng.integers(0, [W, H, 3], size=(17, 3))
            ann["keypoints"] = points.ravel().tolist()
            ann["num_keypoints"] = int((points[:, 2] > 0).sum())
        annotations.append(ann)
    categories = [{"id": 1, "name": "person", "supercategory": "person",
                   "keypoints": [f"point_{j}" for j in range(17)], "skeleton": [[1, 2], [2, 3]]}]
    categories += [{"id": c, "name": f"thing_{c}", "supercategory": "thing"} for c in range(2, 81)]
    instances = {"info": {"description": "kinetag bench"}, "licenses": [], "images": images,
                 "annotations": annotations, "categories": categories}
    captions = {"info": {}, "licenses": [], "images": images, "annotations": [
        {"id": i, "image_id": i, "caption": f"a picture with {i % 13} things of {i % 7} kinds"}
        for i in range(1, n_images + 1)]}
    return instances, captions


# -- steps (each in its own process) -----------------------------------------
def _reset_peak() -> float:
    """Current RSS in MB, after resetting the peak to it where Linux allows (else the peak so far)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_mb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _peak() -> float:
    try:
        return _status_mb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise OSError(field)


def step_floor(work: Path) -> dict:
    from pycocotools.coco import COCO
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        COCO(str(work / "instances.json"))
        COCO(str(work / "captions.json"))
    return {"seconds": time.perf_counter() - start}


def step_import(work: Path) -> dict:
    from engine.coco import import_coco
    from engine.store import ProjectStore
    for stale in work.glob("bench.kinetag*"):
        stale.unlink()
    store = ProjectStore.create(work / "bench.kinetag")
    before = _reset_peak()
    start = time.perf_counter()
    first = import_coco(store, work / "instances.json", check_files=False)
    second = import_coco(store, work / "captions.json", check_files=False)
    seconds = time.perf_counter() - start
    peak = _peak()
    store.close()
    return {"seconds": seconds, "peak_mb": peak - before, "instances": first.instances,
            "captions": second.captions}


def step_export(work: Path) -> dict:
    from engine.coco import export_coco
    from engine.store import ProjectStore
    store = ProjectStore.open(work / "bench.kinetag")
    start = time.perf_counter()
    report = export_coco(store, work / "export.json", captions_out=work / "export_captions.json")
    seconds = time.perf_counter() - start
    store.close()
    data = [json.loads((work / name).read_text()) for name in ("export.json", "export_captions.json")]
    start = time.perf_counter()
    for n, d in enumerate(data):
        with open(work / f"dump_{n}.json", "w") as fh:
            json.dump(d, fh)
    baseline = time.perf_counter() - start
    return {"seconds": seconds, "baseline": baseline, "instances": report.instances, "captions": report.captions}


STEPS = {"floor": step_floor, "import": step_import, "export": step_export}


def run_step(name: str, work: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.coco_io", "--step", name, "--work", str(work)],
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if out.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--instances", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each step; the best counts (default 2)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep the files")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(STEPS[args.step](args.work)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        instances, captions = make_coco(args.images, args.instances)
        for name, data in (("instances.json", instances), ("captions.json", captions)):
            (work / name).write_text(json.dumps(data))
        del instances, captions
        size_mb = (work / "instances.json").stat().st_size / 2 ** 20
        captions_mb = (work / "captions.json").stat().st_size / 2 ** 20
        print(f"COCO I/O bench: {args.images} images, {args.instances} instances (1/2 RLE, 2/5 polygons, "
              f"1/10 box only; 1/4 with 17 keypoints), {args.images} captions in a separate file")
        print(f"instances JSON {size_mb:.1f} MB, captions JSON {captions_mb:.1f} MB, generated in "
              f"{time.perf_counter() - started:.0f} s; no image files written: import runs with check_files=False")
        print(f"best of {args.repeat} runs per step; load average at start: "
              f"{', '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
        # Other work on the machine slows some runs: take each figure's best of --repeat
        # runs, interleaved so that baseline and measure see the same conditions.
        runs = []
        for _ in range(args.repeat):
            runs.append({name: run_step(name, work) for name in ("floor", "import", "export")})
        floor = {"seconds": min(r["floor"]["seconds"] for r in runs)}
        imported = {**runs[0]["import"], "seconds": min(r["import"]["seconds"] for r in runs),
                    "peak_mb": max(r["import"]["peak_mb"] for r in runs)}
        exported = {**runs[0]["export"], "seconds": min(r["export"]["seconds"] for r in runs),
                    "baseline": min(r["export"]["baseline"] for r in runs)}

    assert imported["instances"] == exported["instances"] == args.instances
    rows = [
        ("import", imported["seconds"], "s", "json.load + COCO() indexing", floor["seconds"], "s"),
        ("export", exported["seconds"], "s", "json.dump of the same data", exported["baseline"], "s"),
        ("memory", imported["peak_mb"], "MB", "instances JSON file size", size_mb, "MB"),
    ]
    print(f"\n{'measure':<8} {'kinetag':>10}   {'baseline':<30} {'value':>10}   {'ratio':>6}   goal")
    failed = False
    for name, value, unit, base_name, base, base_unit in rows:
        ratio = value / base
        ok = ratio <= GOALS[name]
        failed |= not ok
        print(f"{name:<8} {value:>8.2f} {unit:<2} {base_name:<30} {base:>8.2f} {base_unit:<2} {ratio:>6.2f}x  "
              f"<= {GOALS[name]:g}x {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
