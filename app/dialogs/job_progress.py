"""A progress dialog for one JobWorker: bar, message, ETA, Cancel; it closes itself when the job ends.

Opened with ``open()`` (window-modal, not blocking): the event loop keeps
running, so the worker's progress and store events keep flowing.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from engine.jobs import Eta, Progress
from app.panels.common import format_seconds
from app.workers import JobFactory, JobWorker


class JobProgressDialog(QDialog):
    def __init__(self, worker: JobWorker, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.worker = worker
        self._eta: Eta | None = None
        self._eta_total: int | None = None
        self.message = QLabel(title + "…", self)
        self.message.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.eta_label = QLabel(self)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        layout.addWidget(self.eta_label)
        layout.addWidget(self.cancel_button)
        worker.progress.connect(self._on_progress)
        worker.done.connect(self.accept)

    def reject(self) -> None:  # Esc or the close button: cancel, then close when the job stops
        self._cancel()

    def _cancel(self) -> None:
        self.worker.cancel()
        self.cancel_button.setEnabled(False)
        self.message.setText("Cancelling…")

    def _on_progress(self, progress: Progress) -> None:
        if progress.message:
            self.message.setText(progress.message)
        if progress.total:
            if self._eta is None or progress.total != self._eta_total:
                self._eta, self._eta_total = Eta(), progress.total
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
            self.eta_label.setText(f"{progress.done}/{progress.total} · about "
                                   f"{format_seconds(self._eta.seconds_left(progress))} left")


def run_with_progress(parent: QWidget | None, title: str, factory: JobFactory, *, on_finished=None,
                      on_error=None, on_cancelled=None) -> JobWorker:
    """Start ``factory`` in a JobWorker with a progress dialog; callbacks get the result / message."""
    worker = JobWorker(factory, parent)
    dialog = JobProgressDialog(worker, title, parent)
    if on_finished is not None:
        worker.finished.connect(on_finished)
    if on_error is not None:
        worker.errored.connect(on_error)
    if on_cancelled is not None:
        worker.cancelled.connect(on_cancelled)
    worker.done.connect(dialog.deleteLater)
    dialog.open()
    worker.start()
    return worker
