"""Kinetag's Qt-free data model: plain dataclasses that every layer passes around.

The store maps them to rows, the COCO I/O maps them to JSON, the GUI wraps them
in graphics items. Nothing here touches a database, a file or Qt.
"""
from engine.model.types import (
    AssetKind,
    AssetState,
    ReviewState,
    Source,
    VERIFIED_STATES,
)
from engine.model.category import Category
from engine.model.asset import Asset, Frame
from engine.model.instance import Instance
from engine.model.caption import Caption
from engine.model.versions import ModelVersion, TrainingRun, Track
from engine.model.correction import Correction

__all__ = [
    "AssetKind", "AssetState", "ReviewState", "Source", "VERIFIED_STATES",
    "Category", "Asset", "Frame", "Instance", "Caption",
    "ModelVersion", "TrainingRun", "Track", "Correction",
]
