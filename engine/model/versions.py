"""Model versions, training runs and tracks: the records active learning and video build on."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ModelVersion:
    """A set of weights that produced predictions, or that training produced.

    ``categories`` lists the project category ids the model's class indices map
    to, in order (index 0 = background for torchvision detectors is not listed).
    ``weights_path`` is empty for published weights fetched by name.
    """
    name: str
    architecture: str
    categories: list[int] = field(default_factory=list)
    weights_path: str = ""
    parent_id: int | None = None
    metrics: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class TrainingRun:
    """One fine-tuning run: from ``parent_version_id`` on the data of ``config`` to ``output_version_id``."""
    parent_version_id: int | None
    config: dict = field(default_factory=dict)
    status: str = "pending"  # pending / running / finished / failed / cancelled
    output_version_id: int | None = None
    metrics: dict = field(default_factory=dict)
    log: str = ""
    id: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class Track:
    """An identity followed through a video; instances point at it by ``track_id``."""
    asset_id: int
    category_id: int | None = None
    name: str = ""
    attributes: dict = field(default_factory=dict)
    id: int | None = None
