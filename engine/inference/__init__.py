"""Kinetag's inference engine (Qt-free): torchvision models over a project's images and video frames.

    from engine.inference import PredictConfig, predict_job
    summary = run_job(predict_job(CancelToken(), store, PredictConfig("maskrcnn_resnet50_fpn")))
"""
from engine.inference.categories import ensure_categories, ensure_model_version
from engine.inference.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from engine.inference.convert import Prediction
from engine.inference.device import choose_device
from engine.inference.errors import CheckpointError, InferenceError, UnknownModelError, WeightsMissingError
from engine.inference.job import PredictConfig, PredictSummary, predict_job
from engine.inference.predictor import Predictor
from engine.inference.registry import ModelSpec, get_spec, list_models
from engine.inference.weights import (
    LoadedModel, download_weights, load_model, weights_cache_path, weights_present,
)

__all__ = [
    "ModelSpec", "get_spec", "list_models", "Predictor", "Prediction", "choose_device",
    "PredictConfig", "PredictSummary", "predict_job", "ensure_categories", "ensure_model_version",
    "LoadedModel", "load_model", "download_weights", "weights_present", "weights_cache_path",
    "Checkpoint", "save_checkpoint", "load_checkpoint",
    "InferenceError", "UnknownModelError", "WeightsMissingError", "CheckpointError",
]
