"""Enumerations shared by the data model, the store and the GUI."""
from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    def __str__(self) -> str:  # so f-strings and JSON show the plain value
        return self.value


class Source(StrEnum):
    """Who produced an annotation."""
    MODEL = "model"
    HUMAN = "human"


class ReviewState(StrEnum):
    """Where one annotation is in the review loop.

    predicted: a model's output nobody has looked at;
    accepted:  a human confirmed a prediction unchanged;
    corrected: a human changed a prediction (the before/after is in the corrections log);
    rejected:  a human said the prediction is wrong (kept as a negative for training);
    manual:    a human drew it, or it came from imported ground truth.
    """
    PREDICTED = "predicted"
    ACCEPTED = "accepted"
    CORRECTED = "corrected"
    REJECTED = "rejected"
    MANUAL = "manual"


VERIFIED_STATES = frozenset({ReviewState.ACCEPTED, ReviewState.CORRECTED, ReviewState.MANUAL})


class AssetKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class AssetState(StrEnum):
    """Review progress of a whole image or video, shown in the asset list."""
    UNLABELED = "unlabeled"
    PREDICTED = "predicted"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
