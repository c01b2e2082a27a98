"""The start dialog: open a project, make one (from images, videos or a COCO file), a recent one, or the sample.

The dialog only asks; it emits ``requested(StartRequest)`` and the application
runs the matching job (``app.dialogs.project_jobs``) with a progress dialog.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
)

from engine.store import SUFFIX
from app.settings import Settings

PROJECT_FILTER = f"Kinetag projects (*{SUFFIX});;All files (*)"
VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
COCO_FILTER = "COCO files (*.json);;All files (*)"
SAMPLE_NAME = f"kinetag-sample{SUFFIX}"


@dataclass
class StartRequest:
    """``kind``: open / images / videos / coco / sample. ``project``: the project file to open or create
    (the sample's media go beside it, in ``<stem>_media``). ``sources``: the image folder, the video files or the
    COCO file. ``images_root``: where a COCO file's images are (default: next to it)."""
    kind: str
    project: Path
    sources: list[Path] = field(default_factory=list)
    images_root: Path | None = None


class StartDialog(QDialog):
    requested = Signal(object)  # StartRequest

    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Kinetag")
        self.setMinimumSize(720, 380)
        title = QLabel("<h2>Kinetag</h2><p>Label images and video with help from models.</p>", self)
        buttons = QVBoxLayout()
        buttons.addWidget(title)
        for text, slot in (("Open a project…", self.ask_open),
                           ("New project from a folder of images…", self.ask_images),
                           ("New project from video files…", self.ask_videos),
                           ("New project from a COCO file…", self.ask_coco),
                           ("Try the sample project", self.ask_sample)):
            button = QPushButton(text, self)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.recent = QListWidget(self)
        self.recent.itemActivated.connect(self._recent_activated)
        right = QVBoxLayout()
        right.addWidget(QLabel("Recent projects", self))
        right.addWidget(self.recent, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(buttons, 0)
        layout.addLayout(right, 1)
        self.fill_recent()

    def fill_recent(self) -> None:
        self.recent.clear()
        for path in self.settings.recent_projects():
            exists = Path(path).is_file()
            item = QListWidgetItem(f"{Path(path).stem}  —  {path}" + ("" if exists else "  (missing)"))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            if not exists:
                item.setForeground(QColor("#999999"))
            self.recent.addItem(item)

    # -- requests (the ask_* methods collect paths with file dialogs) -----
    def request(self, request: StartRequest) -> None:
        self.requested.emit(request)
        self.accept()

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self.settings.last_folder("projects"),
                                              PROJECT_FILTER)
        if path:
            self.settings.set_last_folder("projects", Path(path).parent)
            self.request(StartRequest("open", Path(path)))

    def ask_images(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of images", self.settings.last_folder("media"))
        if not folder:
            return
        self.settings.set_last_folder("media", folder)
        project = self._ask_new_project(Path(folder) / f"{Path(folder).name}{SUFFIX}")
        if project:
            self.request(StartRequest("images", project, [Path(folder)]))

    def ask_videos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Video files", self.settings.last_folder("media"), VIDEO_FILTER)
        if not files:
            return
        first = Path(files[0])
        self.settings.set_last_folder("media", first.parent)
        project = self._ask_new_project(first.parent / f"{first.parent.name}{SUFFIX}")
        if project:
            self.request(StartRequest("videos", project, [Path(f) for f in files]))

    def ask_coco(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "COCO file", self.settings.last_folder("coco"), COCO_FILTER)
        if not path:
            return
        coco = Path(path)
        self.settings.set_last_folder("coco", coco.parent)
        root = QFileDialog.getExistingDirectory(self, "Folder the COCO file's images are in", str(coco.parent))
        project = self._ask_new_project(coco.with_suffix(SUFFIX))
        if project:
            self.request(StartRequest("coco", project, [coco], Path(root) if root else coco.parent))

    def ask_sample(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Where to put the sample project (or where it is)",
                                                  self.settings.last_folder("sample"))
        if folder:
            self.settings.set_last_folder("sample", folder)
            # An existing sample there is opened rather than made again.
            self.request(StartRequest("sample", Path(folder) / SAMPLE_NAME))

    def _ask_new_project(self, suggestion: Path) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the new project as", str(suggestion), PROJECT_FILTER)
        if not path:
            return None
        path = Path(path)
        return path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX)

    def _recent_activated(self, item: QListWidgetItem) -> None:
        self.request(StartRequest("open", Path(item.data(Qt.ItemDataRole.UserRole))))
