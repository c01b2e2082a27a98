"""COCO categories <-> project categories: ids kept, names and keypoint schemas must agree."""
from __future__ import annotations

from engine.coco.errors import CocoFormatError, record_name
from engine.coco.reader import CocoData
from engine.model import Category
from engine.store import schema as t
from engine.store.categories import PALETTE
from engine.store.rows import category_to_row


def check_categories(data: CocoData, project: dict) -> None:
    """A file category with a project category's id must be the same category."""
    for n, cat in enumerate(data.categories):
        known = project.get(cat.id)
        if known is None:
            continue
        rec = record_name("categories", n, {"id": cat.id})
        if known.name != cat.name:
            raise CocoFormatError(data.path, rec, "name", f"{cat.name!r} but the project's category {cat.id} "
                                  f"is {known.name!r}")
        if known.keypoints and cat.keypoints and list(known.keypoints) != cat.keypoints:
            raise CocoFormatError(data.path, rec, "keypoints", f"differ from the project's category {cat.id} "
                                  f"({len(known.keypoints)} keypoints)")


def write_categories(store, tx, data: CocoData, project: dict, author: str,
                     placeholders: set[int] = frozenset()) -> int:
    """Adds the file's new categories (colours from the palette, as ``add_category`` picks
    them), fills in the ``placeholders`` the import wrote for ids met before the file's
    categories, and gives a keypoint schema to a project category that had none.
    -> number added."""
    new = [cat for cat in data.categories if cat.id not in project]
    rows = [category_to_row(Category(cat.name, id=cat.id, supercategory=cat.supercategory,
                                     color=PALETTE[(len(project) + n) % len(PALETTE)], keypoints=cat.keypoints,
                                     skeleton=cat.skeleton, flip_pairs=flip_pairs(cat.keypoints)))
            for n, cat in enumerate(new)]
    c = tx.connection
    inserts = [r for r in rows if r["id"] not in placeholders]
    if inserts:
        c.execute(t.categories.insert(), inserts)
    for row in rows:
        if row["id"] in placeholders:
            # Not SET id = id: SQLite would take the key as changed and scan every instance for it.
            values = {k: v for k, v in row.items() if k != "id"}
            c.execute(t.categories.update().where(t.categories.c.id == row["id"]).values(**values))
    if rows:
        store._log(tx, "category", None, "bulk_create", None,
                   {"ids": [r["id"] for r in rows], "origin": f"import:{data.path.name}"}, author)
    for cat in data.categories:
        known = project.get(cat.id)
        if known is not None and cat.keypoints and not known.keypoints:
            current = store.category(cat.id)
            store.update_category(Category(current.name, id=cat.id, supercategory=current.supercategory,
                                           color=current.color, keypoints=cat.keypoints, skeleton=cat.skeleton,
                                           flip_pairs=flip_pairs(cat.keypoints)), author)
    return len(rows)


def flip_pairs(names: list[str]) -> list[tuple[int, int]]:
    """Left/right partners by name (``left_eye`` / ``right_eye``), for flip augmentation."""
    index = {n: i for i, n in enumerate(names)}
    pairs = []
    for i, name in enumerate(names):
        for left, right in (("left_", "right_"), ("left ", "right "), ("l_", "r_")):
            if name.startswith(left) and right + name[len(left):] in index:
                pairs.append((i, index[right + name[len(left):]]))
    return pairs
