"""The engine's predictions equal what the torchvision model returns when called directly."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine.geometry import decode_mask
from engine.inference import Predictor, get_spec, load_model
from tests.inference.inference_helpers import random_image

SMALL = {"min_size": 96, "max_size": 128, "box_score_thresh": 0.0, "box_detections_per_img": 6,
         "rpn_pre_nms_top_n_test": 60, "rpn_post_nms_top_n_test": 20}


def _direct(model, image: np.ndarray) -> dict:
    tensor = torch.from_numpy(image.copy()).permute(2, 0, 1).float() / 255
    with torch.inference_mode():
        return model([tensor])[0]


def _kept(spec, reference: dict) -> list[int]:
    """Indices of the reference detections whose label is a real class (placeholders are dropped)."""
    return [i for i, label in enumerate(reference["labels"].tolist()) if label in spec.categories]


def _check_boxes(predictions, reference, keep, spec):
    assert len(predictions) == len(keep) > 0
    for p, i in zip(predictions, keep):
        x1, y1, x2, y2 = reference["boxes"][i].tolist()
        assert p.bbox == pytest.approx((x1, y1, x2 - x1, y2 - y1), abs=1e-4)
        assert p.score == pytest.approx(float(reference["scores"][i]), abs=1e-6)
        assert p.label == int(reference["labels"][i])
        assert p.name == spec.categories[p.label]


def test_maskrcnn_boxes_and_masks_match_the_model():
    spec = get_spec("maskrcnn_resnet50_fpn")
    torch.manual_seed(0)
    loaded = load_model(spec, None, model_kwargs=SMALL)
    # Centre the random mask logits so thresholded masks are neither all empty nor all full.
    torch.nn.init.normal_(loaded.model.roi_heads.mask_predictor.mask_fcn_logits.weight, std=0.5)
    torch.nn.init.zeros_(loaded.model.roi_heads.mask_predictor.mask_fcn_logits.bias)
    image = random_image(1, 80, 104)
    predictions = Predictor(spec, loaded.model, "cpu", score_threshold=0.0).predict_batch([image])[0]
    reference = _direct(loaded.model, image)
    keep = _kept(spec, reference)
    _check_boxes(predictions, reference, keep, spec)
    any_pixels = False
    for p, i in zip(predictions, keep):
        expected = (reference["masks"][i, 0] > 0.5).numpy()
        decoded = decode_mask(p.mask)
        assert decoded.shape == image.shape[:2]  # original resolution
        np.testing.assert_array_equal(decoded, expected)
        assert p.area == expected.sum()
        any_pixels |= bool(expected.any())
    assert any_pixels


def test_keypointrcnn_keypoints_match_the_model():
    spec = get_spec("keypointrcnn_resnet50_fpn")
    torch.manual_seed(1)
    loaded = load_model(spec, None, model_kwargs=SMALL)
    image = random_image(2, 80, 104)
    predictions = Predictor(spec, loaded.model, "cpu", score_threshold=0.0).predict_batch([image])[0]
    reference = _direct(loaded.model, image)
    keep = _kept(spec, reference)
    _check_boxes(predictions, reference, keep, spec)
    visible = set()
    for p, i in zip(predictions, keep):
        assert p.name == "person" and len(p.keypoints) == 3 * 17
        points = reference["keypoints"][i]
        scores = reference["keypoints_scores"][i]
        np.testing.assert_allclose(np.array(p.keypoints[0::3]), points[:, 0].numpy(), atol=1e-4)
        np.testing.assert_allclose(np.array(p.keypoints[1::3]), points[:, 1].numpy(), atol=1e-4)
        assert p.keypoints[2::3] == [2.0 if s > 0 else 1.0 for s in scores.tolist()]
        np.testing.assert_allclose(p.keypoint_scores, scores.numpy(), atol=1e-6)
        visible.update(p.keypoints[2::3])
    assert visible == {1.0, 2.0}  # the threshold really splits points


def test_one_stage_ssdlite_matches_and_drops_placeholders():
    spec = get_spec("ssdlite320_mobilenet_v3_large")
    torch.manual_seed(2)
    loaded = load_model(spec, None, model_kwargs={"detections_per_img": 40})
    # Favour "person" (1) at half the anchors and the retired COCO id 12 ("N/A") at the others.
    for block in loaded.model.head.classification_head.module_list:
        bias = block[-1].bias.data.view(-1, spec.num_classes)
        bias[0::2, 1] += 3.0
        bias[1::2, 12] += 3.0
    image = random_image(3, 90, 120)
    predictions = Predictor(spec, loaded.model, "cpu", score_threshold=0.0).predict_batch([image])[0]
    reference = _direct(loaded.model, image)
    keep = _kept(spec, reference)
    _check_boxes(predictions, reference, keep, spec)
    labels = set(reference["labels"].tolist())
    assert {1, 12} <= labels  # the model did output the placeholder id ...
    assert {p.label for p in predictions} == labels - {12}  # ... which is not a category
    assert all(p.name != "N/A" for p in predictions)


@pytest.mark.parametrize("min_size", [None, 48])
def test_semantic_lraspp_one_mask_per_class_present(min_size):
    spec = get_spec("lraspp_mobilenet_v3_large")
    torch.manual_seed(3)
    loaded = load_model(spec, None)
    # Strong random class weights so several classes win somewhere in the image.
    for head in (loaded.model.classifier.low_classifier, loaded.model.classifier.high_classifier):
        torch.nn.init.normal_(head.weight, std=3.0)
    image = random_image(4, 64, 80)
    predictor = Predictor(spec, loaded.model, "cpu", score_threshold=0.0, min_size=min_size)
    predictions = predictor.predict_batch([image])[0]

    x = torch.from_numpy(image.copy()).permute(2, 0, 1).float()[None] / 255
    if min_size:
        x = F.interpolate(x, size=(min_size, 60), mode="bilinear", align_corners=False, antialias=True)
    x = (x - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.inference_mode():
        logits = loaded.model(x)["out"]
        logits = F.interpolate(logits, size=image.shape[:2], mode="bilinear", align_corners=False)[0]
    classes = logits.argmax(0)
    present = [c for c in classes.unique().tolist() if c in spec.categories]
    assert len(present) >= 2
    assert [p.label for p in predictions] == present
    for p in predictions:
        np.testing.assert_array_equal(decode_mask(p.mask), (classes == p.label).numpy())
        assert p.name == spec.categories[p.label]
        assert p.area == int((classes == p.label).sum())
        assert 0 < p.score <= 1


def test_bulk_mask_encoding_round_trips_non_square_masks():
    from engine.inference.convert import encode_masks
    probabilities = torch.rand(3, 7, 5, generator=torch.Generator().manual_seed(0))
    rles, areas = encode_masks(probabilities, 0.5)
    for k, (rle, area) in enumerate(zip(rles, areas)):
        expected = (probabilities[k] > 0.5).numpy()
        assert rle["size"] == [7, 5] and isinstance(rle["counts"], str)
        np.testing.assert_array_equal(decode_mask(rle), expected)
        assert area == expected.sum()
    rles_bool, _ = encode_masks(probabilities > 0.5)
    assert rles_bool == rles
    assert encode_masks(torch.zeros(0, 7, 5, dtype=torch.bool)) == ([], [])


def test_uint8_handover_gives_the_model_the_same_floats_as_to_tensor():
    from engine.inference.predictor import model_input, to_tensor, to_uint8
    image = np.array(random_image(5, 37, 53))  # writable, as libpng's arrays are
    handed = to_uint8(image)
    assert handed.dtype == torch.uint8 and handed.shape == (37, 53, 3)
    assert handed.data_ptr() == image.__array_interface__["data"][0]  # no copy on the prefetch thread
    direct = model_input(handed, torch.device("cpu"))
    assert direct.shape == (3, 37, 53) and direct.dtype == torch.float32
    assert torch.equal(direct, to_tensor(image))
    assert torch.equal(model_input(to_tensor(image), torch.device("cpu")), to_tensor(image))
    read_only = image.copy()
    read_only.flags.writeable = False  # as Pillow's are: copied rather than shared (torch warns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(to_uint8(read_only), handed)
