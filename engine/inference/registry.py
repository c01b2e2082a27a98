"""The models Kinetag can run: every torchvision detection, keypoint and segmentation family.

A ``ModelSpec`` says what a model predicts (``task``), how to build it and
which label index means which class. torchvision's COCO label space has
placeholders ("__background__" at 0 and "N/A" for retired ids): they are not
categories, but the indices of the real classes stay as the model outputs them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import torch.nn as nn
from torchvision import models as tvm
from torchvision.models import WeightsEnum

from engine.inference.errors import UnknownModelError
from engine.sample.skeleton import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON

TASKS = ("boxes", "masks", "keypoints", "semantic")
PLACEHOLDERS = frozenset({"__background__", "N/A", "no person"})


@dataclass(frozen=True)
class ModelSpec:
    """One architecture and the label space of the weights it runs with.

    ``categories`` maps model label -> class name for the real classes only;
    ``num_classes`` is the size of the model's label space (placeholders included).
    ``fixed_size``: the model resizes inputs to a fixed square (SSD), so
    ``min_size``/``max_size`` don't apply.
    """
    name: str
    task: str
    builder: Callable[..., nn.Module] = field(repr=False)
    weights: WeightsEnum | None = field(repr=False)
    categories: dict[int, str]
    num_classes: int
    keypoint_names: tuple[str, ...] = ()
    skeleton: tuple[tuple[int, int], ...] = ()
    flip_pairs: tuple[tuple[int, int], ...] = ()
    score_threshold: float = 0.5
    fixed_size: bool = False
    has_aux_head: bool = False  # segmentation models whose published weights include aux_classifier

    @property
    def category_names(self) -> list[str]:
        return list(self.categories.values())

    @property
    def class_names(self) -> list[str]:
        """Label-indexed names, placeholders included: the form checkpoints store."""
        return [self.categories.get(i, "__background__" if i == 0 else "N/A") for i in range(self.num_classes)]

    def with_classes(self, class_names: list[str], keypoint_names: list[str] | None = None,
                     skeleton=None, flip_pairs=None) -> "ModelSpec":
        """The same architecture over another label space (a fine-tuned checkpoint's)."""
        changes = {"categories": categories_from_names(class_names), "num_classes": len(class_names)}
        if keypoint_names is not None and self.task == "keypoints":
            kp = tuple(keypoint_names)
            person = kp == tuple(PERSON_KEYPOINTS)
            changes["keypoint_names"] = kp
            changes["skeleton"] = _pairs(skeleton) if skeleton is not None else (
                tuple(PERSON_SKELETON) if person else ())
            changes["flip_pairs"] = _pairs(flip_pairs) if flip_pairs is not None else (
                tuple(PERSON_FLIP_PAIRS) if person else ())
        return replace(self, **changes)


def _pairs(value) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in value)


def categories_from_names(class_names: list[str]) -> dict[int, str]:
    return {i: n for i, n in enumerate(class_names) if n and n not in PLACEHOLDERS}


def _spec(name: str, task: str, **extra) -> ModelSpec:
    weights = tvm.get_model_weights(name).DEFAULT
    names = list(weights.meta["categories"])
    if task == "keypoints":
        extra.setdefault("keypoint_names", tuple(weights.meta["keypoint_names"]))
        extra.setdefault("skeleton", tuple(PERSON_SKELETON))
        extra.setdefault("flip_pairs", tuple(PERSON_FLIP_PAIRS))
    return ModelSpec(name=name, task=task, builder=tvm.get_model_builder(name), weights=weights,
                     categories=categories_from_names(names), num_classes=len(names), **extra)


def _build_specs() -> dict[str, ModelSpec]:
    specs = [
        _spec("maskrcnn_resnet50_fpn", "masks"),
        _spec("maskrcnn_resnet50_fpn_v2", "masks"),
        _spec("keypointrcnn_resnet50_fpn", "keypoints"),
        _spec("fasterrcnn_resnet50_fpn", "boxes"),
        _spec("fasterrcnn_resnet50_fpn_v2", "boxes"),
        _spec("fasterrcnn_mobilenet_v3_large_fpn", "boxes"),
        _spec("fasterrcnn_mobilenet_v3_large_320_fpn", "boxes"),
        _spec("retinanet_resnet50_fpn_v2", "boxes"),
        _spec("fcos_resnet50_fpn", "boxes"),
        _spec("ssd300_vgg16", "boxes", fixed_size=True),
        _spec("ssdlite320_mobilenet_v3_large", "boxes", fixed_size=True),
        # A class region's score is its mean softmax probability, lower than a detector's box score.
        _spec("fcn_resnet50", "semantic", score_threshold=0.3, has_aux_head=True),
        _spec("deeplabv3_resnet50", "semantic", score_threshold=0.3, has_aux_head=True),
        _spec("deeplabv3_mobilenet_v3_large", "semantic", score_threshold=0.3, has_aux_head=True),
        _spec("lraspp_mobilenet_v3_large", "semantic", score_threshold=0.3),
    ]
    return {s.name: s for s in specs}


_SPECS = _build_specs()


def list_models() -> list[ModelSpec]:
    return list(_SPECS.values())


def get_spec(name: str) -> ModelSpec:
    try:
        return _SPECS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; available: {', '.join(_SPECS)}") from None
