"""Model outputs -> predictions at the image's original resolution, in Kinetag's formats.

Boxes become XYWH, masks (probabilities > 0.5) become COCO RLE encoded in one
pycocotools call per image, keypoints become flat ``[x, y, v]`` lists.
Visibility: torchvision's keypoint heads place every point, so ``v`` is 2
("visible") where the point's score (a heatmap logit) is above
``keypoint_threshold`` (default 0, i.e. sigmoid > 0.5) and 1 ("labelled but
not visible") below it, which the GUI shows as a point to check.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from pycocotools import mask as mask_utils

from engine.model import Instance, ReviewState, Source

MASK_THRESHOLD = 0.5


@dataclass
class Prediction:
    """One predicted object; ``label`` is the model's class index, ``name`` its class name."""
    label: int
    name: str
    score: float
    bbox: tuple[float, float, float, float]
    area: float
    mask: dict | None = None
    keypoints: list[float] | None = None
    keypoint_scores: list[float] | None = None

    def to_instance(self, asset_id: int, frame_index: int, category_id: int,
                    model_version_id: int | None, author: str) -> Instance:
        return Instance(
            asset_id=asset_id, frame_index=frame_index, category_id=category_id, bbox=self.bbox,
            mask=self.mask, keypoints=self.keypoints, keypoint_scores=self.keypoint_scores,
            score=self.score, area=self.area, source=Source.MODEL, model_version_id=model_version_id,
            review_state=ReviewState.PREDICTED, author=author,
        )


def encode_masks(masks: torch.Tensor, threshold: float | None = None) -> tuple[list[dict], list[float]]:
    """(N, H, W) bool masks, or probabilities kept where > ``threshold``, -> (RLEs, areas).

    pycocotools wants (H, W, N) in Fortran order, which is the (N, W, H)
    C-order buffer: the threshold writes straight into that layout, then one
    pycocotools call encodes all N masks. Areas come from the runs, not the pixels.
    """
    n, h, w = (int(v) for v in masks.shape)
    if n == 0:
        return [], []
    if masks.device.type != "cpu":  # threshold where the data is, move 1 byte per pixel
        masks = (masks > threshold if threshold is not None else masks).cpu()
        threshold = None
    fortran = torch.empty((n, w, h), dtype=torch.bool)
    if threshold is None:
        fortran.copy_(masks.transpose(1, 2))
    else:
        torch.gt(masks.transpose(1, 2), threshold, out=fortran)
    rles = mask_utils.encode(fortran.view(torch.uint8).numpy().transpose(2, 1, 0))
    areas = mask_utils.area(rles).tolist()
    return [{"size": [h, w], "counts": rle["counts"].decode("ascii")} for rle in rles], areas


def _xywh(boxes: np.ndarray) -> list[tuple[float, float, float, float]]:
    wh = boxes[:, 2:] - boxes[:, :2]
    return [tuple(map(float, row)) for row in np.concatenate([boxes[:, :2], wh], axis=1)]


def label_table(names: dict[int, str], size: int = 0) -> torch.Tensor:
    """Bool lookup by model label: True for the labels in ``names``."""
    table = torch.zeros(max(size, max(names, default=0) + 1), dtype=torch.bool)
    table[list(names)] = True
    return table


def detections_to_predictions(output: dict, names: dict[int, str], score_threshold: float,
                              allowed: torch.Tensor | None = None,
                              keypoint_threshold: float = 0.0) -> list[Prediction]:
    """One torchvision detection output dict (already at the original resolution) -> predictions.

    ``names`` maps the labels to keep to class names (placeholders are absent,
    so a random model's background label 0 is dropped); ``allowed`` is the same
    as a ``label_table``, which a caller converting many outputs builds once.
    """
    labels = output["labels"].cpu()
    scores = output["scores"].float().cpu()
    if allowed is None:
        allowed = label_table(names)
    keep = (scores >= score_threshold) & (labels < allowed.shape[0])
    keep &= allowed[labels.clamp(0, allowed.shape[0] - 1)]
    index = keep.nonzero().flatten()
    if index.numel() == 0:
        return []
    boxes = output["boxes"][index].float().cpu().numpy()
    labels_list = labels[index].tolist()
    scores_list = scores[index].tolist()
    bboxes = _xywh(boxes)
    rles: list[dict | None] = [None] * len(labels_list)
    if "masks" in output:
        probabilities = output["masks"][:, 0]
        if index.numel() < probabilities.shape[0]:
            probabilities = probabilities[index.to(probabilities.device)]
        rles, areas = encode_masks(probabilities, MASK_THRESHOLD)
    else:
        areas = [b[2] * b[3] for b in bboxes]
    points: list = [None] * len(labels_list)
    point_scores: list = [None] * len(labels_list)
    if "keypoints" in output:
        kp = output["keypoints"][index].float().cpu()
        kp_scores = output["keypoints_scores"][index].float().cpu()
        visible = torch.where(kp_scores > keypoint_threshold, 2, 1).tolist()
        xy = kp[..., :2].tolist()
        points = [[c for (x, y), v in zip(row, vis) for c in (x, y, v)] for row, vis in zip(xy, visible)]
        point_scores = kp_scores.tolist()
    return [
        Prediction(label=l, name=names.get(l, str(l)), score=s, bbox=b, area=float(a), mask=m,
                   keypoints=p, keypoint_scores=ps)
        for l, s, b, a, m, p, ps in zip(labels_list, scores_list, bboxes, areas, rles, points, point_scores)
    ]


def semantic_to_predictions(logits: torch.Tensor, size: tuple[int, int], names: dict[int, str],
                            score_threshold: float) -> list[Prediction]:
    """(C, h, w) logits of one image -> one prediction per class present in the argmax map.

    Logits are upsampled (bilinear) to the original ``size`` (h, w) before the
    argmax, so region borders are as fine as the model's output allows. A
    region's score is its mean softmax probability.
    """
    if tuple(logits.shape[-2:]) != tuple(size):
        logits = torch.nn.functional.interpolate(logits[None].float(), size=size, mode="bilinear",
                                                 align_corners=False)[0]
    probs = logits.float().softmax(0)
    best, labels = probs.max(0)
    counts = torch.bincount(labels.flatten(), minlength=logits.shape[0])
    sums = torch.bincount(labels.flatten(), weights=best.flatten(), minlength=logits.shape[0])
    present = [int(c) for c in counts.nonzero().flatten().tolist() if c in names]
    present = [c for c in present if float(sums[c] / counts[c]) >= score_threshold]
    if not present:
        return []
    binary = labels[None] == torch.tensor(present, device=labels.device)[:, None, None]
    rles, areas = encode_masks(binary)
    out = []
    for c, rle, area, box in zip(present, rles, areas, mask_utils.toBbox([_bytes(r) for r in rles])):
        out.append(Prediction(label=c, name=names[c], score=float(sums[c] / counts[c]),
                              bbox=tuple(float(v) for v in box), area=float(area), mask=rle))
    return out


def _bytes(rle: dict) -> dict:
    return {"size": rle["size"], "counts": rle["counts"].encode("ascii")}
