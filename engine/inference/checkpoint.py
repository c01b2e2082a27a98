"""Local weights files: plain state_dicts and Kinetag checkpoints.

A Kinetag checkpoint is a ``torch.save``-d dict::

    {"format": "kinetag-checkpoint", "architecture": "<registry name>",
     "categories": [names], "num_classes": int, "keypoint_names": [names],
     "skeleton": [[i, j], ...], "flip_pairs": [[i, j], ...],   # optional, 0-based
     "state_dict": {...}}

``categories`` is indexed by model label and includes the placeholder of
label 0 ("__background__"), exactly like torchvision's ``meta["categories"]``;
a list one shorter than ``num_classes`` is read as the names of labels 1..N-1.
Files are always read with ``weights_only=True``: a checkpoint is data, never code.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn as nn

from engine.inference.errors import CheckpointError

FORMAT = "kinetag-checkpoint"


@dataclass
class Checkpoint:
    path: Path
    state_dict: dict = field(repr=False)
    architecture: str | None = None       # None: a plain state_dict, architecture given by the caller
    class_names: list[str] | None = None  # label-indexed, placeholders included
    keypoint_names: list[str] | None = None
    skeleton: list[tuple[int, int]] | None = None
    flip_pairs: list[tuple[int, int]] | None = None

    @property
    def num_classes(self) -> int | None:
        return None if self.class_names is None else len(self.class_names)

    @property
    def is_kinetag(self) -> bool:
        return self.architecture is not None


def save_checkpoint(path: str | Path, architecture: str, model_or_state_dict, class_names: list[str],
                    keypoint_names: list[str] | None = None, skeleton=None, flip_pairs=None) -> Path:
    """Write a Kinetag checkpoint atomically (a crash never leaves half a file under ``path``).

    ``class_names``: label-indexed names with the placeholder at 0 (``spec.class_names``).
    """
    from engine.inference.registry import get_spec
    spec = get_spec(architecture)
    state = model_or_state_dict.state_dict() if isinstance(model_or_state_dict, nn.Module) else model_or_state_dict
    if spec.task == "keypoints" and not keypoint_names:
        raise CheckpointError(f"{path}: a {architecture} checkpoint needs keypoint_names")
    payload = {
        "format": FORMAT, "architecture": architecture,
        "categories": [str(n) for n in class_names], "num_classes": len(class_names),
        "keypoint_names": [str(n) for n in keypoint_names or []],
        "skeleton": [[int(a), int(b)] for a, b in skeleton or []],
        "flip_pairs": [[int(a), int(b)] for a, b in flip_pairs or []],
        "state_dict": {k: v.detach().cpu() for k, v in state.items()},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def _tensor_dict(value) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in value.items())


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a Kinetag checkpoint, a plain state_dict or a torchvision-references ``{"model": ...}`` file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: weights file not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling, zip and format errors all mean "not a checkpoint we can read"
        raise CheckpointError(f"{path}: not a readable PyTorch weights file ({exc})") from exc
    if isinstance(data, dict) and data.get("format") == FORMAT:
        return _from_kinetag(path, data)
    if _tensor_dict(data):
        return Checkpoint(path, data)
    if isinstance(data, dict) and _tensor_dict(data.get("model")):
        return Checkpoint(path, data["model"])
    raise CheckpointError(f"{path}: neither a Kinetag checkpoint nor a state_dict of tensors")


def _from_kinetag(path: Path, data: dict) -> Checkpoint:
    for key in ("architecture", "categories", "num_classes", "state_dict"):
        if key not in data:
            raise CheckpointError(f"{path}: Kinetag checkpoint without the field {key!r}")
    names = [str(n) for n in data["categories"]]
    num_classes = int(data["num_classes"])
    if len(names) == num_classes - 1:
        names = ["__background__", *names]
    if len(names) != num_classes:
        raise CheckpointError(
            f"{path}: field 'categories' lists {len(names)} names but 'num_classes' is {num_classes}")
    if not _tensor_dict(data["state_dict"]):
        raise CheckpointError(f"{path}: field 'state_dict' is not a dict of tensors")
    pairs = lambda key: [tuple(int(v) for v in p) for p in data.get(key) or []] or None  # noqa: E731
    return Checkpoint(
        path=path, state_dict=data["state_dict"], architecture=str(data["architecture"]),
        class_names=names, keypoint_names=[str(n) for n in data.get("keypoint_names") or []] or None,
        skeleton=pairs("skeleton"), flip_pairs=pairs("flip_pairs"),
    )
