"""Run one model on batches of RGB images and get predictions at their original resolution.

Work is split so a pipeline can overlap it: ``prepare`` (uint8 array -> uint8
tensor without a copy, thread-safe, done by the prefetch thread), ``infer`` (the model, on the
device) and ``convert`` (outputs -> ``Prediction``s). ``predict_batch`` does
all three for callers that don't pipeline.
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.inference.convert import (
    Prediction, detections_to_predictions, label_table, semantic_to_predictions,
)
from engine.inference.device import amp_enabled, choose_device
from engine.inference.errors import InferenceError
from engine.inference.registry import ModelSpec

# torchvision's segmentation presets: ImageNet statistics, shorter side resized to 520.
_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
_STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
SEMANTIC_MIN_SIZE = 520


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (3, H, W) float32 in [0, 1]. Plain numpy, so a prefetch
    thread doing it doesn't start a second pool of torch threads next to inference."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.dtype} {image.shape}")
    chw = image.transpose(2, 0, 1).astype(np.float32)
    chw /= np.float32(255.0)
    return torch.from_numpy(chw)


def to_uint8(image: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> the same pixels as an (H, W, 3) uint8 tensor, sharing memory.

    What the prefetch thread hands over: a quarter of float32's bytes, no
    conversion work on a thread that competes with the model for the CPU, and
    on CUDA a quarter of the transfer. ``Predictor.infer`` converts it on the
    device, where the model's own threads do it in a fraction of a millisecond.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.dtype} {image.shape}")
    if not image.flags.writeable:  # Pillow's arrays are read-only, and torch warns about sharing those
        image = image.copy()
    return torch.from_numpy(np.ascontiguousarray(image))


def model_input(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """On ``device``, as the models take it: (3, H, W) float in [0, 1]. Accepts that already,
    or an (H, W, 3) uint8 tensor from ``to_uint8``."""
    tensor = tensor.to(device, non_blocking=True)
    if tensor.dtype == torch.uint8:
        return tensor.permute(2, 0, 1).float().div_(255.0)
    return tensor


def resolve_filter(spec: ModelSpec, category_names: list[str] | None) -> dict[int, str]:
    """The labels to keep: all real classes, or those named (case-insensitive)."""
    if not category_names:
        return dict(spec.categories)
    by_name = {n.lower(): label for label, n in spec.categories.items()}
    unknown = [n for n in category_names if n.lower() not in by_name]
    if unknown:
        raise InferenceError(f"{spec.name} has no class {', '.join(map(repr, unknown))}; "
                             f"its classes: {', '.join(spec.category_names)}")
    keep = {by_name[n.lower()] for n in category_names}
    return {label: n for label, n in spec.categories.items() if label in keep}


class Predictor:
    def __init__(self, spec: ModelSpec, model: nn.Module, device: str | torch.device = "cpu",
                 score_threshold: float | None = None, category_names: list[str] | None = None,
                 amp: bool = False, keypoint_threshold: float = 0.0,
                 min_size: int | None = SEMANTIC_MIN_SIZE, max_size: int | None = None):
        """``min_size``/``max_size`` size the input of segmentation models (shorter side, cap on the
        longer one; None keeps the image's own size); detectors size their input themselves."""
        self.spec = spec
        self.device = device if isinstance(device, torch.device) else choose_device(device)
        self.model = model.to(self.device).eval()
        self.score_threshold = spec.score_threshold if score_threshold is None else float(score_threshold)
        self.names = resolve_filter(spec, category_names)
        self.allowed = label_table(self.names, spec.num_classes)
        self.amp = amp_enabled(self.device, amp)
        self.keypoint_threshold = keypoint_threshold
        self.min_size, self.max_size = min_size, max_size
        if spec.task == "semantic":
            self._mean, self._std = _MEAN.to(self.device), _STD.to(self.device)

    # -- the three stages ----------------------------------------------------
    prepare = staticmethod(to_uint8)

    def infer(self, tensors: list[torch.Tensor]) -> list:
        """Raw outputs: detection dicts, or (C, h, w) logits for segmentation models.
        ``tensors``: (3, H, W) float in [0, 1] or (H, W, 3) uint8 (see ``to_uint8``)."""
        autocast = torch.autocast("cuda", dtype=torch.float16) if self.amp else contextlib.nullcontext()
        with torch.inference_mode(), autocast:
            tensors = [model_input(t, self.device) for t in tensors]
            if self.spec.task != "semantic":
                return self.model(tensors)
            return self._segment(tensors)

    def convert(self, raw: list, sizes: list[tuple[int, int]]) -> list[list[Prediction]]:
        """Outputs -> predictions; ``sizes`` are the original (h, w) of each image."""
        with torch.inference_mode():
            if self.spec.task == "semantic":
                return [semantic_to_predictions(out, size, self.names, self.score_threshold)
                        for out, size in zip(raw, sizes)]
            return [detections_to_predictions(out, self.names, self.score_threshold, self.allowed,
                                              self.keypoint_threshold) for out in raw]

    def predict_batch(self, images: list[np.ndarray]) -> list[list[Prediction]]:
        tensors = [self.prepare(image) for image in images]
        return self.convert(self.infer(tensors), [tuple(image.shape[:2]) for image in images])

    # -- segmentation ----------------------------------------------------------
    def input_size(self, h: int, w: int) -> tuple[int, int]:
        scale = 1.0
        if self.min_size:
            scale = self.min_size / min(h, w)
        if self.max_size and max(h, w) * scale > self.max_size:
            scale = self.max_size / max(h, w)
        return max(1, round(h * scale)), max(1, round(w * scale))

    def normalize(self, image: torch.Tensor) -> torch.Tensor:
        """(3, H, W) in [0, 1] -> resized, ImageNet-normalised (1, 3, h, w): the segmentation models' input."""
        size = self.input_size(*image.shape[-2:])
        x = image[None]
        if tuple(x.shape[-2:]) != size:
            x = F.interpolate(x, size=size, mode="bilinear", align_corners=False, antialias=True)
        return (x - self._mean) / self._std

    def _segment(self, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
        inputs = [self.normalize(t) for t in tensors]
        if len({tuple(x.shape) for x in inputs}) == 1:
            return list(self.model(torch.cat(inputs))["out"])
        return [self.model(x)["out"][0] for x in inputs]  # mixed sizes can't share a batch
