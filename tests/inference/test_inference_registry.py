"""The model registry, category mapping into a project, and device choice."""
from __future__ import annotations

import pytest
import torch

from engine.inference import InferenceError, UnknownModelError, ensure_categories, get_spec, list_models
from engine.inference.device import choose_device, physical_cores
from engine.model import Category
from engine.sample import PERSON_FLIP_PAIRS, PERSON_KEYPOINTS, PERSON_SKELETON

ALL = {
    "maskrcnn_resnet50_fpn": "masks", "maskrcnn_resnet50_fpn_v2": "masks",
    "keypointrcnn_resnet50_fpn": "keypoints",
    "fasterrcnn_resnet50_fpn": "boxes", "fasterrcnn_resnet50_fpn_v2": "boxes",
    "fasterrcnn_mobilenet_v3_large_fpn": "boxes", "fasterrcnn_mobilenet_v3_large_320_fpn": "boxes",
    "retinanet_resnet50_fpn_v2": "boxes", "fcos_resnet50_fpn": "boxes", "ssd300_vgg16": "boxes",
    "ssdlite320_mobilenet_v3_large": "boxes",
    "fcn_resnet50": "semantic", "deeplabv3_resnet50": "semantic", "deeplabv3_mobilenet_v3_large": "semantic",
    "lraspp_mobilenet_v3_large": "semantic",
}


def test_every_family_is_registered_with_its_task():
    assert {s.name: s.task for s in list_models()} == ALL


def test_coco_categories_drop_placeholders_but_keep_label_indices():
    spec = get_spec("fasterrcnn_resnet50_fpn")
    assert spec.num_classes == 91 and len(spec.categories) == 80
    assert spec.categories[1] == "person" and spec.categories[13] == "stop sign" and 12 not in spec.categories
    assert 0 not in spec.categories and "N/A" not in spec.category_names
    assert spec.class_names[12] == "N/A" and spec.class_names[0] == "__background__"
    voc = get_spec("deeplabv3_resnet50")
    assert voc.num_classes == 21 and voc.categories[15] == "person" and 0 not in voc.categories


def test_keypoint_model_carries_the_person_schema():
    spec = get_spec("keypointrcnn_resnet50_fpn")
    assert spec.categories == {1: "person"}
    assert list(spec.keypoint_names) == PERSON_KEYPOINTS
    assert list(spec.skeleton) == PERSON_SKELETON and list(spec.flip_pairs) == PERSON_FLIP_PAIRS


def test_unknown_model_lists_the_names():
    with pytest.raises(UnknownModelError) as caught:
        get_spec("yolo")
    assert "'yolo'" in str(caught.value) and "maskrcnn_resnet50_fpn" in str(caught.value)


def test_ensure_categories_reuses_by_name_and_creates_the_rest(project):
    spec = get_spec("fasterrcnn_resnet50_fpn")
    car = project.add_category(Category(name="CAR"))
    mapping = ensure_categories(project, spec, labels=[1, 3])
    assert mapping[3] == car.id
    person = project.category(mapping[1])
    assert person.name == "person" and person.keypoints == []
    assert ensure_categories(project, spec, labels=[1, 3]) == mapping  # idempotent
    assert len(project.categories()) == 2


def test_keypoint_model_gives_an_existing_person_category_its_schema(project):
    plain = project.add_category(Category(name="Person"))
    mapping = ensure_categories(project, get_spec("keypointrcnn_resnet50_fpn"))
    person = project.category(mapping[1])
    assert person.id == plain.id and person.keypoints == PERSON_KEYPOINTS
    assert person.skeleton == PERSON_SKELETON and person.flip_pairs == PERSON_FLIP_PAIRS


def test_keypoint_schema_conflict_is_an_error(project):
    project.add_category(Category(name="person", keypoints=["head", "tail"]))
    with pytest.raises(InferenceError, match="has keypoints \\['head', 'tail'\\]"):
        ensure_categories(project, get_spec("keypointrcnn_resnet50_fpn"))


def test_device_choice():
    assert choose_device("auto").type == ("cuda" if torch.cuda.is_available() else
                                          "mps" if torch.backends.mps.is_available() else "cpu")
    assert choose_device("cpu") == torch.device("cpu")
    assert torch.get_num_threads() == physical_cores() >= 1
    with pytest.raises(InferenceError, match="unknown device 'gpu0'"):
        choose_device("gpu0")
    if not torch.cuda.is_available():
        with pytest.raises(InferenceError, match="CUDA is not available"):
            choose_device("cuda:1")
