"""Getting weights into a model: torchvision's published files, local checkpoints, or random init.

Published files live where torch.hub keeps them (``<torch hub dir>/checkpoints``),
so they are shared with every other torchvision user on the machine. Downloads
are ours rather than torch.hub's so the caller gets progress callbacks, a cancel
point per chunk and a short timeout: an offline machine gets an error naming
the file to fetch and where to put it, not a hang.
"""
from __future__ import annotations

import hashlib
import os
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import torch
import torch.nn as nn

from engine.inference.checkpoint import Checkpoint, load_checkpoint, save_checkpoint  # noqa: F401 (re-export)
from engine.inference.errors import CheckpointError, InferenceError, WeightsMissingError
from engine.inference.registry import ModelSpec

MIRROR_ENV = "KINETAG_WEIGHTS_MIRROR"  # base URL of a local mirror holding the same file names
TIMEOUT_SECONDS = 10.0
_CHUNK = 1 << 20
_HASH = re.compile(r"-([a-f0-9]*)\.")  # torch.hub's convention: name-<sha256 prefix>.pth

ProgressCallback = Callable[[int, "int | None"], None]  # (bytes done, bytes total or None)


def weights_filename(spec: ModelSpec) -> str:
    return os.path.basename(urlparse(spec.weights.url).path)


def weights_cache_path(spec: ModelSpec) -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / weights_filename(spec)


def weights_present(spec: ModelSpec) -> bool:
    return weights_cache_path(spec).is_file()


def weights_url(spec: ModelSpec) -> str:
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    return f"{mirror.rstrip('/')}/{weights_filename(spec)}" if mirror else spec.weights.url


def download_weights(spec: ModelSpec, progress: ProgressCallback | None = None,
                     timeout: float = TIMEOUT_SECONDS) -> Path:
    """Make sure the published weights are in the cache; returns their path.

    ``progress`` may raise (e.g. ``Cancelled``) to stop the download; the
    partial file is removed and the exception goes on.
    """
    target = weights_cache_path(spec)
    if target.is_file():
        return target
    url = weights_url(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, socket.timeout, OSError, ValueError) as exc:
        raise WeightsMissingError(_missing_message(spec, url, exc)) from exc
    try:
        with response, open(partial, "wb") as out:
            total = response.length
            digest, done = hashlib.sha256(), 0
            if progress is not None:
                progress(0, total)
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        expected = _HASH.search(target.name)
        if expected and not digest.hexdigest().startswith(expected.group(1)):
            raise WeightsMissingError(
                f"{url}: downloaded file is corrupt (sha256 {digest.hexdigest()[:12]}..., "
                f"expected {expected.group(1)}...); put a good copy at {target}")
        os.replace(partial, target)
    except (socket.timeout, OSError) as exc:
        raise WeightsMissingError(_missing_message(spec, url, exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _missing_message(spec: ModelSpec, url: str, exc: Exception) -> str:
    return (f"{spec.name}: weights file {weights_filename(spec)} is not on this machine and could not be "
            f"downloaded from {url} ({exc}). Download it where there is network access and put it at "
            f"{weights_cache_path(spec)} , or pass a local checkpoint file.")


@dataclass
class LoadedModel:
    """A model in eval mode on the CPU, with the label space of the weights it carries."""
    model: nn.Module
    spec: ModelSpec
    origin: str        # "torchvision" | "checkpoint" | "random"
    weights_path: str  # the checkpoint file; "" for published weights and random init
    weights_name: str  # what a user recognises: the published file name, the checkpoint file name, "random"


def split_model_kwargs(spec: ModelSpec, model_kwargs: dict | None) -> tuple[dict, dict]:
    """(builder kwargs, input kwargs). Segmentation models take no size kwargs: their input size is ours to set."""
    kwargs = dict(model_kwargs or {})
    sizes = {k: kwargs.pop(k) for k in ("min_size", "max_size") if k in kwargs}
    if spec.task == "semantic":
        return kwargs, sizes
    if spec.fixed_size and sizes:
        raise InferenceError(f"{spec.name} resizes its input to a fixed size; min_size/max_size do not apply")
    return {**kwargs, **sizes}, {}


def load_model(spec: ModelSpec, weights: str | Path | None = "default", *, num_classes: int | None = None,
               model_kwargs: dict | None = None, progress: ProgressCallback | None = None) -> LoadedModel:
    """Build ``spec``'s architecture with published weights ("default"), a weights file, or random init (None)."""
    builder_kwargs, _ = split_model_kwargs(spec, model_kwargs)
    if weights is None:
        if num_classes is not None and num_classes != spec.num_classes:
            spec = spec.with_classes(["__background__"] + [f"class_{i}" for i in range(1, num_classes)])
        model = _build(spec, builder_kwargs, aux=False)
        return LoadedModel(_for_inference(model), spec, "random", "", "random")
    if str(weights) == "default":
        download_weights(spec, progress)
        model = spec.builder(weights=spec.weights, progress=False, **builder_kwargs)
        return LoadedModel(_for_inference(model), spec, "torchvision", "", weights_filename(spec))
    checkpoint = load_checkpoint(weights)
    spec = spec_for_checkpoint(spec, checkpoint)
    aux = spec.has_aux_head and any(k.startswith("aux_classifier.") for k in checkpoint.state_dict)
    model = _build(spec, builder_kwargs, aux=aux)
    _check_fits(model, checkpoint, spec)
    model.load_state_dict(checkpoint.state_dict, strict=False)  # strictness checked above
    return LoadedModel(_for_inference(model), spec, "checkpoint", str(checkpoint.path), checkpoint.path.name)


def _for_inference(model: nn.Module) -> nn.Module:
    # Segmentation weights carry an auxiliary head that only helps training; skipping it saves its compute.
    if getattr(model, "aux_classifier", None) is not None:
        model.aux_classifier = None
    return model.eval()


def spec_for_checkpoint(spec: ModelSpec, checkpoint: Checkpoint) -> ModelSpec:
    """The spec with the checkpoint's label space; refuses a checkpoint made for another architecture."""
    if checkpoint.architecture is not None and checkpoint.architecture != spec.name:
        raise CheckpointError(
            f"{checkpoint.path}: checkpoint is for architecture {checkpoint.architecture!r}, "
            f"expected {spec.name!r}")
    if checkpoint.class_names is None:
        return spec
    if spec.task == "keypoints" and not checkpoint.keypoint_names:
        raise CheckpointError(f"{checkpoint.path}: {spec.name} checkpoint has no keypoint_names")
    return spec.with_classes(checkpoint.class_names, checkpoint.keypoint_names,
                             checkpoint.skeleton, checkpoint.flip_pairs)


def _build(spec: ModelSpec, builder_kwargs: dict, aux: bool) -> nn.Module:
    kwargs = dict(builder_kwargs, weights=None, weights_backbone=None, num_classes=spec.num_classes)
    if spec.task == "keypoints":
        kwargs["num_keypoints"] = len(spec.keypoint_names)
    if spec.has_aux_head:
        kwargs["aux_loss"] = aux
    return spec.builder(**kwargs)


def _check_fits(model: nn.Module, checkpoint: Checkpoint, spec: ModelSpec) -> None:
    """Compare names and shapes first, so a mismatch is one readable error, not torch's wall of text."""
    expected = model.state_dict()
    found = checkpoint.state_dict
    # BatchNorm counters are absent from FrozenBatchNorm-trained weights and unused in eval.
    missing = [k for k in expected if k not in found and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in found if k not in expected]
    shapes = [k for k in expected if k in found and tuple(found[k].shape) != tuple(expected[k].shape)]
    if not (missing or unexpected or shapes):
        return
    what = f"{spec.name} with {spec.num_classes} classes"
    if spec.task == "keypoints":
        what += f" and {len(spec.keypoint_names)} keypoints"
    problems = [f"{k}: found shape {list(found[k].shape)}, expected {list(expected[k].shape)}" for k in shapes[:4]]
    if missing:
        problems.append(f"{len(missing)} missing entries (e.g. {missing[0]})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected entries (e.g. {unexpected[0]})")
    hint = "" if checkpoint.is_kinetag else (
        "; a plain state_dict must have the published label space — save fine-tuned weights "
        "with save_checkpoint() so they carry their categories")
    raise CheckpointError(f"{checkpoint.path}: does not fit {what}: {'; '.join(problems)}{hint}")
