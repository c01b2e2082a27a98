"""Errors of the inference engine. Each message names the file or model it is about."""
from __future__ import annotations


class InferenceError(Exception):
    """A problem the user can fix: an unknown model, missing weights, a checkpoint that doesn't fit."""


class UnknownModelError(InferenceError, KeyError):
    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class WeightsMissingError(InferenceError):
    """Published weights are neither in the cache nor downloadable (offline)."""


class CheckpointError(InferenceError):
    """A weights file that can't be read or doesn't match the model it is loaded into."""
