"""The project schema as SQLAlchemy Core tables.

Core tables rather than ORM classes: imports write 100k+ rows through
``executemany`` and the GUI reads plain rows into ``engine.model`` dataclasses,
so an identity map would only cost memory. The same definitions run on SQLite
(the embedded default) and PostgreSQL (team projects): only portable types.
Every change to this file needs an Alembic migration in ``migrations/versions``.
"""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData,
    String, Table, Text, TypeDecorator, UniqueConstraint,
)

metadata = MetaData()

# Python None is stored as SQL NULL, not the JSON text 'null', so "has no mask" is one thing.
NullableJSON = JSON(none_as_null=True)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; SQLite keeps no zone, so it stores naive UTC."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

project_info = Table(
    "project_info", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", NullableJSON, nullable=True),
)

categories = Table(
    "categories", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # COCO id, kept from import
    Column("name", String(255), nullable=False),
    Column("supercategory", String(255), nullable=False, server_default=""),
    Column("color", String(16), nullable=False, server_default=""),
    Column("keypoints", JSON, nullable=False),   # list of names
    Column("skeleton", JSON, nullable=False),    # 0-based index pairs
    Column("flip_pairs", JSON, nullable=False),  # 0-based index pairs
)

model_versions = Table(
    "model_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("architecture", String(255), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("weights_path", Text, nullable=False, server_default=""),
    Column("parent_id", Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True),
    Column("metrics", JSON, nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

training_runs = Table(
    "training_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_version_id", Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True),
    Column("output_version_id", Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(32), nullable=False),
    Column("config", JSON, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("log", Text, nullable=False, server_default=""),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
)

assets = Table(
    "assets", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("fps", Float, nullable=True),
    Column("num_frames", Integer, nullable=False, server_default="1"),
    Column("coco_id", Integer, nullable=True),
    Column("state", String(16), nullable=False),
    Column("split", String(16), nullable=True),
    Column("attributes", JSON, nullable=False),
    UniqueConstraint("path", name="uq_assets_path"),
    Index("ix_assets_state", "state", "id"),
)

frames = Table(
    "frames", metadata,
    Column("id", Integer, primary_key=True),
    Column("asset_id", Integer, ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("frame_index", Integer, nullable=False),
    Column("coco_id", Integer, nullable=True),
    Column("file_name", Text, nullable=True),
    UniqueConstraint("asset_id", "frame_index", name="uq_frames_asset_index"),
)

tracks = Table(
    "tracks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # the instances' track_id
    Column("asset_id", Integer, ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("category_id", Integer, ForeignKey("categories.id", ondelete="SET NULL"), nullable=True),
    Column("name", String(255), nullable=False, server_default=""),
    Column("attributes", JSON, nullable=False),
)

instances = Table(
    "instances", metadata,
    Column("id", Integer, primary_key=True),  # the COCO annotation id, kept from import
    Column("asset_id", Integer, ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("frame_index", Integer, nullable=False, server_default="0"),
    Column("category_id", Integer, ForeignKey("categories.id", ondelete="RESTRICT"), nullable=False),
    Column("bbox", NullableJSON, nullable=True),
    Column("mask", NullableJSON, nullable=True),
    Column("polygons", NullableJSON, nullable=True),
    Column("keypoints", NullableJSON, nullable=True),
    Column("keypoint_scores", NullableJSON, nullable=True),
    Column("score", Float, nullable=True),
    Column("track_id", Integer, nullable=True),
    Column("iscrowd", Boolean, nullable=False, server_default="0"),
    Column("area", Float, nullable=True),
    Column("attributes", JSON, nullable=False),
    Column("source", String(16), nullable=False),
    Column("model_version_id", Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True),
    Column("review_state", String(16), nullable=False),
    Column("author", String(255), nullable=False, server_default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # "the instances of frame N of asset A": the canvas's one query
    Index("ix_instances_asset_frame", "asset_id", "frame_index"),
    Index("ix_instances_model_review", "model_version_id", "review_state"),
    Index("ix_instances_track", "asset_id", "track_id", "frame_index"),
    Index("ix_instances_category", "category_id"),  # FK checks and delete_category
)

captions = Table(
    "captions", metadata,
    Column("id", Integer, primary_key=True),
    Column("asset_id", Integer, ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("frame_index", Integer, nullable=False, server_default="0"),
    Column("text", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("model_version_id", Integer, ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True),
    Column("review_state", String(16), nullable=False),
    Column("author", String(255), nullable=False, server_default=""),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_captions_asset_frame", "asset_id", "frame_index"),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity", String(16), nullable=False),
    Column("entity_id", Integer, nullable=True),
    Column("asset_id", Integer, nullable=True),  # no FK: the log outlives what it describes
    Column("action", String(16), nullable=False),
    Column("before", NullableJSON, nullable=True),
    Column("after", NullableJSON, nullable=True),
    Column("author", String(255), nullable=False, server_default=""),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_corrections_entity", "entity", "entity_id"),
    Index("ix_corrections_at", "at"),
)

jobs = Table(
    "jobs", metadata,
    # Queue for batch inference / training that several machines can claim later.
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # queued / running / finished / failed / cancelled
    Column("params", JSON, nullable=False),
    Column("progress", Float, nullable=False, server_default="0"),
    Column("message", Text, nullable=False, server_default=""),
    Column("worker", String(255), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_jobs_status", "status", "id"),
)
