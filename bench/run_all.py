"""Run every benchmark in turn (``make bench``); each prints its own table of ratios."""
from __future__ import annotations

import subprocess
import sys

BENCHES = ["bench.store_queries", "bench.coco_io", "bench.inference", "bench.render"]


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n=== {name}", flush=True)
        if subprocess.call([sys.executable, "-m", name]) != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
