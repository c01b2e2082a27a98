"""Run a registry model over the current image, the selected assets or everything unverified.

The run is a ``predict_job`` in a ``JobWorker``: predictions reach the canvas
and the lists through the store's events as each batch commits; this panel only
shows progress, the ETA, what was skipped, and lets the user cancel.
"""
from __future__ import annotations

import json
import threading
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QProgressBar, QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget,
)

from engine.jobs import Eta, Progress
from app.document import ProjectDocument
from app.panels.common import format_seconds
from app.panels.predict_scope import SCOPES, chunked_predict_job, summary_text, unverified_ids
from app.workers import JobWorker

WEIGHTS = [("Published weights", "default"), ("Weights file…", "file"), ("Random (for testing)", "random")]
DEVICES = ["auto", "cpu", "cuda", "mps"]
RUN_OPTIONS = ("seed", "amp", "keypoint_threshold", "num_classes", "prefetch_batches")


class ModelPanel(QWidget):
    errorOccurred = Signal(str)   # a run that failed or could not start: worth a message box
    noticeOccurred = Signal(str)  # e.g. an unreadable image skipped: the status bar is enough
    runFinished = Signal(object)  # the list of PredictSummary

    registryLoaded = Signal(list)

    def __init__(self, document: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.worker: JobWorker | None = None
        self._eta: Eta | None = None
        self._eta_total: int | None = None
        self._selected_assets: Callable[[], list[int]] = lambda: []
        self._skipped: list[str] = []
        self._specs: dict = {}
        self._weights_present = None

        self.model_box = QComboBox(self)
        self.model_box.addItem("Loading the model list…", None)
        self.weights_box = QComboBox(self)
        for label, key in WEIGHTS:
            self.weights_box.addItem(label, key)
        self.weights_path = QLineEdit(self)
        self.weights_path.setPlaceholderText("path to a .pt checkpoint")
        browse = QPushButton("…", self)
        browse.setMaximumWidth(28)
        browse.clicked.connect(self._browse_weights)
        self.device_box = QComboBox(self)
        self.device_box.addItems(DEVICES)
        self.threshold = QDoubleSpinBox(self)
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.batch_size = QSpinBox(self)
        self.batch_size.setRange(1, 64)
        self.batch_size.setValue(2)
        self.advanced = QLineEdit(self)
        self.advanced.setPlaceholderText('model options as JSON, e.g. {"min_size": 512}')
        self.scope_buttons = QButtonGroup(self)
        scope_box = QVBoxLayout()
        for n, (key, label) in enumerate(SCOPES.items()):
            radio = QRadioButton(label, self)
            radio.setProperty("scope", key)
            radio.setChecked(n == 0)
            self.scope_buttons.addButton(radio, n)
            scope_box.addWidget(radio)

        self.run_button = QPushButton("Run", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.eta_label = QLabel(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.run_button.clicked.connect(lambda: self.run())
        self.cancel_button.clicked.connect(lambda: self.cancel())
        self.model_box.currentIndexChanged.connect(self._model_changed)
        self.weights_box.currentIndexChanged.connect(self._model_changed)

        weights_row = QHBoxLayout()
        weights_row.addWidget(self.weights_path, 1)
        weights_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Model", self.model_box)
        form.addRow("Weights", self.weights_box)
        form.addRow("", weights_row)
        form.addRow("Device", self.device_box)
        form.addRow("Score threshold", self.threshold)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Options", self.advanced)
        form.addRow("Run on", scope_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.eta_label)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.registryLoaded.connect(self._fill_models)
        # torch + torchvision take seconds to import: do it beside the GUI, not in front of it.
        threading.Thread(target=self._load_registry, name="kinetag-model-list", daemon=True).start()

    def _load_registry(self) -> None:
        try:
            from engine.inference import list_models
            specs = list_models()
        except Exception as exc:  # noqa: BLE001 — shown in the panel; the rest of the window works
            specs = [exc]
        try:
            self.registryLoaded.emit(specs)
        except RuntimeError:
            pass  # the window closed before torch finished importing

    def ensure_loaded(self) -> None:
        """Fill the model list now (waits for the import if it is still running)."""
        if not self._specs:
            from engine.inference import list_models
            self._fill_models(list_models())

    def _fill_models(self, specs: list) -> None:
        if self._specs:
            return
        if specs and isinstance(specs[0], Exception):
            self._fail(f"cannot load the models: {specs[0]}")
            return
        from engine.inference import weights_present
        from app.application import freeze_long_lived_objects
        freeze_long_lived_objects()  # torch's import left ~400k objects for the GC to walk
        self._weights_present = weights_present
        self._specs = {s.name: s for s in specs}
        self.model_box.blockSignals(True)
        self.model_box.clear()
        for spec in self._specs.values():
            self.model_box.addItem(f"{spec.name} ({spec.task})", spec.name)
        self.model_box.blockSignals(False)
        self._model_changed()

    # -- configuration ---------------------------------------------------
    def set_selected_assets_source(self, source: Callable[[], list[int]]) -> None:
        self._selected_assets = source

    def set_model(self, name: str) -> None:
        self.ensure_loaded()
        self.model_box.setCurrentIndex(self.model_box.findData(name))

    def set_weights(self, key: str, path: str = "") -> None:
        self.weights_box.setCurrentIndex(self.weights_box.findData(key))
        self.weights_path.setText(path)

    def set_scope(self, key: str) -> None:
        for button in self.scope_buttons.buttons():
            button.setChecked(button.property("scope") == key)

    def scope(self) -> str:
        return self.scope_buttons.checkedButton().property("scope")

    def config(self):
        from engine.inference import PredictConfig
        weights = {"default": "default", "random": None}.get(self.weights_box.currentData(), None)
        if self.weights_box.currentData() == "file":
            weights = self.weights_path.text().strip()
            if not weights:
                raise ValueError("choose a weights file, or published weights")
        text = self.advanced.text().strip()
        try:
            kwargs = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"model options: not JSON ({exc})") from None
        if not isinstance(kwargs, dict):
            raise ValueError("model options: a JSON object like {\"min_size\": 512} is needed")
        # Run options (seed, amp, ...) go to the config; everything else to the model's builder.
        run_options = {k: kwargs.pop(k) for k in list(kwargs) if k in RUN_OPTIONS}
        return PredictConfig(model=self.model_box.currentData(), weights=weights,
                             device=self.device_box.currentText(), batch_size=self.batch_size.value(),
                             score_threshold=self.threshold.value(), model_kwargs=kwargs, **run_options)

    # -- running ---------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker is not None and self.worker.is_running()

    def run(self) -> JobWorker | None:
        if self.is_running():
            return None
        self.ensure_loaded()
        try:
            config = self.config()
            asset_ids, frames = self._targets()
        except ValueError as exc:
            self._fail(str(exc))
            return None
        store = self.document.store
        worker = JobWorker(lambda token: chunked_predict_job(token, store, config, asset_ids, frames), self)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.errored.connect(self._fail)
        worker.cancelled.connect(lambda: self._set_status("Cancelled; the batches already done are kept."))
        worker.done.connect(self._on_done)
        self.worker = worker
        self._eta, self._eta_total = None, None
        self._skipped: list[str] = []
        self.status.setToolTip("")
        self.progress.setRange(0, 0)  # busy until the first batch says how many
        self.eta_label.clear()
        self._set_status(f"Loading {config.model}…")
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        worker.start()
        return worker

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._set_status("Cancelling after this batch…")

    def _targets(self) -> tuple[list[int] | None, dict | None]:
        scope = self.scope()
        if scope == "current":
            asset = self.document.asset
            if asset is None:
                raise ValueError("open an image first, or choose another scope")
            if asset.is_video:
                f = self.document.frame_index
                return [], {asset.id: (f, f + 1, 1)}
            return [asset.id], None
        if scope == "selected":
            ids = list(self._selected_assets())
            if not ids:
                raise ValueError("select assets in the asset list first")
            return ids, None
        return unverified_ids(self.document.store), None

    def _on_progress(self, progress: Progress) -> None:
        if progress.total:
            if self._eta is None or progress.total != self._eta_total:
                self._eta, self._eta_total = Eta(), progress.total  # a new phase (download, then images)
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            left = self._eta.seconds_left(progress)
            self.eta_label.setText(f"{progress.done}/{progress.total} · about {format_seconds(left)} left")
        if progress.message:
            self._set_status(progress.message)
        if progress.errors:
            self._skipped += progress.errors
            self.status.setToolTip("Skipped:\n" + "\n".join(self._skipped[-20:]))
            self.noticeOccurred.emit("Skipped: " + "; ".join(progress.errors))

    def _on_finished(self, summaries) -> None:
        self._set_status(summary_text(summaries))
        self.runFinished.emit(summaries)

    def _fail(self, message: str) -> None:
        self._set_status(message, error=True)
        self.errorOccurred.emit(f"Model run failed: {message}")

    def _on_done(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        self.worker = None

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #c0392b" if error else "")
        self.status.setText(text)

    def _model_changed(self, *_args) -> None:
        spec = self._specs.get(self.model_box.currentData())
        self.weights_path.setEnabled(self.weights_box.currentData() == "file")
        if spec is None:
            return
        self.threshold.setValue(spec.score_threshold)
        key = self.weights_box.currentData()
        if key == "default" and not self._weights_present(spec):
            self.weights_box.setToolTip("Not downloaded yet: the first run downloads them.")
        else:
            self.weights_box.setToolTip("")

    def _browse_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Weights file", "", "Checkpoints (*.pt *.pth);;All files (*)")
        if path:
            self.set_weights("file", path)
