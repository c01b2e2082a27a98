"""Video navigation under the canvas: a frame slider, previous/next, and jump-to-frame.

Hidden for still images. Dragging the slider asks the document for frames at
most every ~40 ms, so a fast drag doesn't queue a decode per pixel moved.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QToolButton, QWidget

from app.document import ProjectDocument


class FrameBar(QWidget):
    def __init__(self, document: ProjectDocument, parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.prev_button = QToolButton(self)
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous frame")
        self.next_button = QToolButton(self)
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next frame")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.spin = QSpinBox(self)
        self.spin.setKeyboardTracking(False)  # jump when Enter is pressed, not per digit
        self.total_label = QLabel(self)
        self.time_label = QLabel(self)
        self._pending: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._apply_pending)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for w in (self.prev_button, self.slider, self.next_button, QLabel("Frame", self), self.spin,
                  self.total_label, self.time_label):
            layout.addWidget(w, 1 if w is self.slider else 0)

        self.prev_button.clicked.connect(lambda: document.previous_frame())
        self.next_button.clicked.connect(lambda: document.next_frame())
        self.slider.valueChanged.connect(self._slider_moved)
        self.spin.valueChanged.connect(lambda v: document.set_frame(v))
        document.assetChanged.connect(self._asset_changed)
        document.frameChanged.connect(self._show_frame)
        self._asset_changed(document.asset, document.frame_index)

    def _asset_changed(self, asset, frame_index: int) -> None:
        is_video = asset is not None and asset.is_video
        self.setVisible(is_video)
        if not is_video:
            return
        last = max(0, asset.num_frames - 1)
        for w in (self.slider, self.spin):
            w.blockSignals(True)
            w.setRange(0, last)
            w.blockSignals(False)
        self.total_label.setText(f"/ {last}")
        self._show_frame(frame_index)

    def _show_frame(self, frame_index: int) -> None:
        for w in (self.slider, self.spin):
            w.blockSignals(True)
            w.setValue(frame_index)
            w.blockSignals(False)
        asset = self.document.asset
        if asset is not None and asset.fps:
            self.time_label.setText(f"{frame_index / asset.fps:6.2f} s")
        else:
            self.time_label.clear()

    def _slider_moved(self, value: int) -> None:
        self._pending = value
        if not self._timer.isActive():
            self._timer.start()

    def _apply_pending(self) -> None:
        if self._pending is not None:
            value, self._pending = self._pending, None
            self.document.set_frame(value)
