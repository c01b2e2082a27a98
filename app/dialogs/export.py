"""Export the project as COCO: where to, only verified annotations, captions in their own file.

The export runs as ``export_coco_job`` in a JobWorker with progress and Cancel;
the exporter writes beside the target and renames at the end, so a cancelled
or failed export leaves no partial file.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
    QVBoxLayout,
)

from engine.jobs import Progress
from engine.store import ProjectStore
from app.settings import Settings
from app.workers import JobWorker


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportReport

    def __init__(self, store: ProjectStore, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export COCO")
        self.setMinimumWidth(520)
        self.store, self.settings = store, settings
        self.worker: JobWorker | None = None
        self.report = None
        default = Path(settings.last_folder("export")) / f"{Path(store.location).stem}_coco.json" \
            if settings.value("folders/export") else store.root / f"{Path(store.location).stem}_coco.json"
        self.path_edit = QLineEdit(str(default), self)
        browse = QPushButton("…", self)
        browse.setMaximumWidth(28)
        browse.clicked.connect(self._browse)
        self.only_verified = QCheckBox("Only verified annotations (accepted, corrected, drawn)", self)
        self.separate_captions = QCheckBox("Captions in a separate file (…_captions.json)", self)
        self.separate_captions.setToolTip("As COCO has them: pycocotools cannot load a file with captions "
                                          "mixed in with the instances")
        self.separate_captions.setChecked(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.export_button = QPushButton("Export", self)
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("Close", self)
        self.export_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self._cancel_or_close)

        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("COCO file", row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.only_verified)
        layout.addWidget(self.separate_captions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def out_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def start(self) -> JobWorker | None:
        if self.worker is not None:
            return None
        from engine.coco import default_captions_path, export_coco_job
        out = self.out_path()
        if not out.name or not out.parent.is_dir():
            self._set_status(f"{out}: the folder does not exist", error=True)
            return None
        self.settings.set_last_folder("export", out.parent)
        captions = default_captions_path(out) if self.separate_captions.isChecked() else None
        only_verified = self.only_verified.isChecked()
        store = self.store
        worker = JobWorker(lambda token: export_coco_job(token, store, out, only_verified=only_verified,
                                                         captions_out=captions, captions_if_any=True), self)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.errored.connect(lambda message: self._set_status(f"Export failed: {message}", error=True))
        worker.cancelled.connect(lambda: self._set_status("Export cancelled; no file was written."))
        worker.done.connect(self._on_done)
        self.worker = worker
        self.progress.setRange(0, 0)
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self._set_status(f"Exporting to {out}…")
        worker.start()
        return worker

    def _on_progress(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        if progress.message:
            self._set_status(progress.message)

    def _on_finished(self, report) -> None:
        self.report = report
        self._set_status(f"Exported {report.summary()}")
        self.exported.emit(report)

    def _on_done(self) -> None:
        self.worker = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if self.report is not None else 0)
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _cancel_or_close(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._set_status("Cancelling…")
        else:
            self.accept()

    def reject(self) -> None:  # Esc: cancel a running export first
        if self.worker is not None:
            self.worker.cancel()
        else:
            super().reject()

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #c0392b" if error else "")
        self.status.setText(text)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export COCO", str(self.out_path()), "COCO (*.json)")
        if path:
            self.path_edit.setText(path)
