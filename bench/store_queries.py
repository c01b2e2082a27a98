"""Do the canvas's and the asset list's queries stay fast as a project grows?

Builds two real project files in the same run: a small one (10k instances) and a
large one (1M instances by default), then times the two queries an annotator
waits on: "the instances of frame N of asset A" and "the next unreviewed asset".
Prints medians and the large/small ratio; with the indexes the ratio stays near 1
(an unindexed scan would grow ~100x).

    python -m bench.store_queries [--instances 1000000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from engine.model import Asset, AssetState, Category, Instance
from engine.store import ProjectStore

PER_ASSET = 100


def build(path: Path, n_instances: int) -> ProjectStore:
    store = ProjectStore.create(path)
    cat = store.add_category(Category("thing"))
    n_assets = max(1, n_instances // PER_ASSET)
    with store.transaction():
        assets = store.add_assets([
            Asset(f"img_{i:07d}.png", 640, 480, state=AssetState.VERIFIED if i < n_assets - 5 else AssetState.UNLABELED)
            for i in range(n_assets)
        ])
    batch: list[Instance] = []
    for a in assets:
        for k in range(PER_ASSET):
            batch.append(Instance(a.id, cat.id, bbox=(k, k, 10, 10), score=0.5))
        if len(batch) >= 100_000:
            store.add_instances(batch)
            batch = []
    store.add_instances(batch)
    return store


def timed(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(store: ProjectStore, repeats: int = 200) -> dict[str, float]:
    ids = store.asset_ids()
    rng = random.Random(0)
    return {
        "instances of one frame": timed(lambda: store.instances(rng.choice(ids), 0), repeats),
        "next unreviewed asset": timed(lambda: store.next_asset(rng.choice(ids)), repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for label, n in (("baseline", args.baseline), ("large", args.instances)):
            start = time.perf_counter()
            store = build(Path(tmp) / f"{label}.kinetag", n)
            built = time.perf_counter() - start
            results[label] = measure(store)
            print(f"{label}: {n:,} instances built in {built:.1f} s")
            store.close()
    print(f"\n{'query':28} {'baseline ms':>12} {'large ms':>10} {'ratio':>7}")
    for query in results["baseline"]:
        small, large = results["baseline"][query] * 1e3, results["large"][query] * 1e3
        print(f"{query:28} {small:12.3f} {large:10.3f} {large / small:7.2f}")


if __name__ == "__main__":
    main()
