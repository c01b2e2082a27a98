from __future__ import annotations

from sqlalchemy import select

from engine.model import ModelVersion, TrainingRun
from engine.store import schema as t
from engine.store.errors import RecordNotFound
from engine.store.events import StoreEvent
from engine.store.rows import model_version_from_row, now, training_run_from_row


class VersionMixin:
    def add_model_version(self, version: ModelVersion) -> ModelVersion:
        with self.transaction() as tx:
            stamp = version.created_at or now()
            result = tx.connection.execute(t.model_versions.insert().values(
                name=version.name, architecture=version.architecture, categories=list(version.categories),
                weights_path=version.weights_path or "", parent_id=version.parent_id,
                metrics=version.metrics or {}, attributes=version.attributes or {}, created_at=stamp,
            ))
            created = ModelVersion(**{**version.__dict__, "id": result.inserted_primary_key[0], "created_at": stamp})
            self._notify(tx, StoreEvent("model_version", "added", (created.id,), data=(created,)))
        return created

    def model_versions(self) -> list[ModelVersion]:
        with self._read() as c:
            return [model_version_from_row(r) for r in c.execute(select(t.model_versions).order_by(t.model_versions.c.id))]

    def model_version(self, version_id: int) -> ModelVersion:
        with self._read() as c:
            row = c.execute(select(t.model_versions).where(t.model_versions.c.id == version_id)).first()
        if row is None:
            raise RecordNotFound("model version", version_id)
        return model_version_from_row(row)

    def find_model_version(self, name: str, architecture: str, weights_path: str = "") -> ModelVersion | None:
        """The version a re-run of the same model should reuse, so it replaces its own predictions."""
        q = select(t.model_versions).where(
            t.model_versions.c.name == name, t.model_versions.c.architecture == architecture,
            t.model_versions.c.weights_path == (weights_path or ""),
        ).order_by(t.model_versions.c.id.desc()).limit(1)
        with self._read() as c:
            row = c.execute(q).first()
        return None if row is None else model_version_from_row(row)

    def update_model_version_metrics(self, version_id: int, metrics: dict) -> None:
        with self.transaction() as tx:
            tx.connection.execute(t.model_versions.update().where(t.model_versions.c.id == version_id)
                                  .values(metrics=metrics))
            self._notify(tx, StoreEvent("model_version", "updated", (version_id,)))

    def add_training_run(self, run: TrainingRun) -> TrainingRun:
        with self.transaction() as tx:
            result = tx.connection.execute(t.training_runs.insert().values(
                parent_version_id=run.parent_version_id, output_version_id=run.output_version_id,
                status=run.status, config=run.config or {}, metrics=run.metrics or {}, log=run.log or "",
                started_at=run.started_at, finished_at=run.finished_at,
            ))
            return TrainingRun(**{**run.__dict__, "id": result.inserted_primary_key[0]})

    def update_training_run(self, run: TrainingRun) -> None:
        with self.transaction() as tx:
            tx.connection.execute(t.training_runs.update().where(t.training_runs.c.id == run.id).values(
                output_version_id=run.output_version_id, status=run.status, config=run.config or {},
                metrics=run.metrics or {}, log=run.log or "", started_at=run.started_at,
                finished_at=run.finished_at,
            ))

    def training_runs(self) -> list[TrainingRun]:
        with self._read() as c:
            return [training_run_from_row(r) for r in c.execute(select(t.training_runs).order_by(t.training_runs.c.id))]
