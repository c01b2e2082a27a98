"""``kinetag info PROJECT``: what a project holds."""
from __future__ import annotations

from pathlib import Path

from engine.store import ProjectStore


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("info", help="show a project's assets, categories and review progress")
    p.add_argument("project", type=Path, help="the project file")
    p.set_defaults(func=run)


def _block(title: str, counts: dict) -> list[str]:
    lines = [f"{title}:"]
    if not counts:
        return lines + ["  (none)"]
    width = max(len(str(k)) for k in counts)
    return lines + [f"  {str(k):<{width}}  {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))]


def run(args) -> int:
    store = ProjectStore.open(args.project)
    try:
        counts = store.counts()
        categories = store.categories()
        name = store.name
    finally:
        store.close()
    lines = [f"project: {name} ({args.project})",
             f"assets: {counts['assets']} ({counts['frames']} frames), instances: {counts['instances']}, "
             f"captions: {counts['captions']}, model versions: {counts['model_versions']}"]
    lines += _block("assets by kind", counts["assets_by_kind"])
    lines += _block("assets by state", counts["assets_by_state"])
    lines.append("categories:")
    by_name = counts["instances_by_category"]
    for cat in categories:
        extra = f", {len(cat.keypoints)} keypoints" if cat.keypoints else ""
        lines.append(f"  {cat.id:>4}  {cat.name}: {by_name.get(cat.name, 0)} instances{extra}")
    if not categories:
        lines.append("  (none)")
    lines += _block("instances by review state", counts["instances_by_review_state"])
    lines += _block("captions by review state", counts["captions_by_review_state"])
    print("\n".join(lines))
    return 0
