"""Model classes -> project categories, and the ModelVersion a run's predictions belong to."""
from __future__ import annotations

from typing import Iterable

from engine.inference.checkpoint import Checkpoint
from engine.inference.errors import InferenceError
from engine.inference.registry import ModelSpec, get_spec
from engine.inference.weights import LoadedModel, spec_for_checkpoint
from engine.model import Category, ModelVersion


def _as_spec(spec_or_checkpoint) -> ModelSpec:
    if isinstance(spec_or_checkpoint, ModelSpec):
        return spec_or_checkpoint
    if isinstance(spec_or_checkpoint, LoadedModel):
        return spec_or_checkpoint.spec
    if isinstance(spec_or_checkpoint, Checkpoint):
        if spec_or_checkpoint.architecture is None:
            raise InferenceError(f"{spec_or_checkpoint.path}: a plain state_dict does not say its architecture; "
                                 f"load it with its model's spec")
        return spec_for_checkpoint(get_spec(spec_or_checkpoint.architecture), spec_or_checkpoint)
    raise TypeError(f"expected a ModelSpec, LoadedModel or Checkpoint, got {type(spec_or_checkpoint).__name__}")


def ensure_categories(store, spec_or_checkpoint, labels: Iterable[int] | None = None,
                      author: str = "") -> dict[int, int]:
    """{model label: project category id} for ``labels`` (default: all the model's classes).

    Categories are matched by name, case-insensitively; missing ones are created,
    with the model's keypoint schema for keypoint models. A project category of
    the same name whose keypoint schema differs is an error (the predicted points
    would mean something else); one without keypoints gets the model's schema.
    """
    spec = _as_spec(spec_or_checkpoint)
    wanted = list(spec.categories) if labels is None else list(labels)
    mapping: dict[int, int] = {}
    with store.transaction():
        existing = {c.name.lower(): c for c in store.categories()}
        missing: dict[str, Category] = {}
        for label in wanted:
            name = spec.categories[label]
            category = existing.get(name.lower())
            if category is None:
                missing.setdefault(name.lower(), Category(
                    name=name, keypoints=list(spec.keypoint_names), skeleton=list(spec.skeleton),
                    flip_pairs=list(spec.flip_pairs)))
            elif spec.keypoint_names and list(category.keypoints) != list(spec.keypoint_names):
                if category.keypoints:
                    raise InferenceError(
                        f"project category {category.name!r} (id {category.id}) has keypoints "
                        f"{category.keypoints}, but {spec.name} predicts {list(spec.keypoint_names)}; "
                        f"rename one of them")
                existing[name.lower()] = store.update_category(Category(
                    **{**category.__dict__, "keypoints": list(spec.keypoint_names),
                       "skeleton": list(spec.skeleton), "flip_pairs": list(spec.flip_pairs)}), author)
        # One insert for all of them: a COCO model's 80 classes on its first run.
        for category in store.add_categories(list(missing.values()), author):
            existing[category.name.lower()] = category
        for label in wanted:
            mapping[label] = existing[spec.categories[label].lower()].id
    return mapping


def version_name(loaded: LoadedModel) -> str:
    if loaded.origin == "random":
        return f"{loaded.spec.name} (random init)"
    return f"{loaded.spec.name} ({loaded.weights_name})"


def ensure_model_version(store, loaded: LoadedModel, label_map: dict[int, int]) -> ModelVersion:
    """The ModelVersion of (name, architecture, weights file), created on the first run and reused after,
    so a re-run replaces its own unreviewed predictions."""
    weights_path = store.relative_path(loaded.weights_path) if loaded.weights_path else ""
    name = version_name(loaded)
    found = store.find_model_version(name, loaded.spec.name, weights_path)
    if found is not None:
        return found
    return store.add_model_version(ModelVersion(
        name=name, architecture=loaded.spec.name, weights_path=weights_path,
        categories=[label_map[label] for label in sorted(label_map)],
        attributes={"task": loaded.spec.task, "origin": loaded.origin, "weights": loaded.weights_name,
                    "labels": {str(label): cid for label, cid in sorted(label_map.items())}},
    ))
