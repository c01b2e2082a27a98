"""The main window: composes the canvas, the bars and the dock panels and wires them together.

It holds no project state of its own: the ProjectDocument does. The window
owns the store it was given and closes it when it closes.
"""
from __future__ import annotations

import json
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QUndoView, QVBoxLayout, QWidget,
)

from engine.model import AssetState
from engine.store import ProjectStore
from app.canvas import CanvasView
from app.dialogs import add_media
from app.dialogs.export import ExportDialog
from app.dialogs.help_overlay import HelpOverlay
from app.dialogs.messages import show_error
from app.dialogs.shortcuts import ShortcutsDialog
from app.document import ProjectDocument
from app.panels.assets import AssetPanel
from app.panels.captions import CaptionsPanel
from app.panels.categories import CategoriesPanel
from app.panels.frame_bar import FrameBar
from app.panels.instances import InstancesPanel
from app.panels.model import ModelPanel
from app.panels.space_key import SpaceKey
from app.panels.text_keys import TextFieldKeys
from app.panels.view_toolbar import ViewToolBar
from app.settings import Settings
from app.shortcuts import ShortcutRegistry
from app.workers import JobWorker

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    openRequested = Signal(str)  # a project file the user chose; the application opens it
    closed = Signal()

    def __init__(self, store: ProjectStore, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.store, self.settings = store, settings
        self.setWindowTitle(f"{store.name or 'Project'} — Kinetag")
        self.document = ProjectDocument(store, author=settings.author(), parent=self)
        self.registry = ShortcutRegistry(settings, self)
        self.canvas = CanvasView(self.document, self)
        # The scene reaches far past the image (overlay layers), so its scroll bars only mislead;
        # panning is middle-drag or Space+drag.
        self.canvas.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.canvas.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frame_bar = FrameBar(self.document, self)
        self.banner = QLabel(self)
        self.banner.setStyleSheet("background: #7a2020; color: white; padding: 4px;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.canvas, 1)
        column.addWidget(self.frame_bar)
        self.setCentralWidget(central)
        self.toolbar = ViewToolBar(self.document, self.canvas, self.registry, self)
        self.addToolBar(self.toolbar)

        self.assets = AssetPanel(store, parent=self)
        self.instances = InstancesPanel(self.document, self)
        self.captions = CaptionsPanel(self.document, self)
        self.categories = CategoriesPanel(self.document, self)
        self.model_panel = ModelPanel(self.document, self)
        self.history = QUndoView(self.document.undo_stack, self)
        self.history.setEmptyLabel("Opened")
        self.docks = {
            "assets": self._dock("Assets", self.assets, Qt.DockWidgetArea.LeftDockWidgetArea),
            "instances": self._dock("Instances", self.instances, Qt.DockWidgetArea.RightDockWidgetArea),
            "captions": self._dock("Captions", self.captions, Qt.DockWidgetArea.RightDockWidgetArea),
            "categories": self._dock("Categories", self.categories, Qt.DockWidgetArea.RightDockWidgetArea),
            "model": self._dock("Model", self.model_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            "history": self._dock("History", self.history, Qt.DockWidgetArea.RightDockWidgetArea),
        }
        self.tabifyDockWidget(self.docks["categories"], self.docks["model"])
        self.tabifyDockWidget(self.docks["model"], self.docks["history"])
        self.docks["categories"].raise_()
        self.help_overlay = HelpOverlay(self.registry, self)
        self._build_menus()
        self._wire()
        self._restore_state()
        rows = self.assets.model
        if rows.rowCount() == 0 and rows.canFetchMore():
            rows.fetchMore()
        first = rows.asset_at(0)
        if first is not None:
            self.open_asset(first.id)

    # -- composition -----------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        a = self.registry.action
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a("file.open"))
        file_menu.addSeparator()
        file_menu.addAction("Add a folder of images…", lambda: add_media.add_image_folder(self))
        file_menu.addAction("Add videos…", lambda: add_media.add_videos(self))
        file_menu.addAction("Import COCO…", lambda: add_media.import_coco_file(self))
        file_menu.addAction(a("file.export"))
        file_menu.addSeparator()
        file_menu.addAction(a("file.quit"))
        edit = bar.addMenu("&Edit")
        for action_id in ("edit.undo", "edit.redo", None, "edit.accept", "edit.accept_above", "edit.reject",
                          "edit.delete", "edit.cycle_visibility", "edit.mark_verified", None, "edit.shortcuts"):
            edit.addSeparator() if action_id is None else edit.addAction(a(action_id))
        nav = bar.addMenu("&Go")
        for action_id in ("nav.next_image", "nav.prev_image", "nav.next_unverified", "nav.next_frame",
                          "nav.prev_frame"):
            nav.addAction(a(action_id))
        view = bar.addMenu("&View")
        for action_id in ("view.fit", "view.zoom_in", "view.zoom_out", None, "view.boxes", "view.masks",
                          "view.keypoints", "view.labels", "view.captions", None):
            view.addSeparator() if action_id is None else view.addAction(a(action_id))
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        bar.addMenu("&Help").addAction(a("help.shortcuts"))

    def _wire(self) -> None:
        doc, reg = self.document, self.registry
        handlers = {
            "file.open": self.choose_project, "file.export": self.show_export, "file.quit": self.close,
            "nav.next_image": lambda: self.assets.step(+1), "nav.prev_image": lambda: self.assets.step(-1),
            "nav.next_unverified": self.next_unverified,
            "nav.next_frame": doc.next_frame, "nav.prev_frame": doc.previous_frame,
            "edit.accept": lambda: doc.accept(doc.selected_ids()),
            "edit.accept_above": lambda: doc.accept_above(doc.view.score_threshold),
            "edit.reject": lambda: doc.reject(doc.selected_ids()),
            "edit.delete": lambda: doc.delete_instances(doc.selected_ids()),
            "edit.cycle_visibility": self.canvas.cycle_visibility,
            "edit.mark_verified": self.mark_verified,
            "edit.undo": doc.undo_stack.undo, "edit.redo": doc.undo_stack.redo,
            "edit.shortcuts": lambda: ShortcutsDialog(self.registry, self).open(),
            "tool.brush_bigger": lambda: self.canvas.set_brush_size(self.canvas.brush_size * 1.25 + 1),
            "tool.brush_smaller": lambda: self.canvas.set_brush_size(max(1, self.canvas.brush_size / 1.25)),
            "help.shortcuts": self.help_overlay.toggle,
        }
        for action_id, handler in handlers.items():
            reg.action(action_id).triggered.connect(lambda _checked=False, h=handler, n=action_id: self._run(n, h))
        stack: QUndoStack = doc.undo_stack
        stack.canUndoChanged.connect(reg.action("edit.undo").setEnabled)
        stack.canRedoChanged.connect(reg.action("edit.redo").setEnabled)
        reg.action("edit.undo").setEnabled(stack.canUndo())
        reg.action("edit.redo").setEnabled(stack.canRedo())

        self.canvas.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._space = SpaceKey(self.canvas, lambda: self._trigger_key("Space"))
        self._text_keys = TextFieldKeys(self)
        QApplication.instance().installEventFilter(self._text_keys)
        self.assets.assetActivated.connect(self.open_asset)
        doc.assetChanged.connect(self._asset_changed)
        doc.assetsChanged.connect(self.assets.refresh_assets)
        doc.errorOccurred.connect(lambda text: self.report_error("Edit refused", text))
        for panel in (self.instances, self.captions, self.categories, self.model_panel):
            panel.errorOccurred.connect(lambda text: self.report_error("Kinetag", text))
        self.categories.currentCategoryChanged.connect(self.canvas.set_current_category)
        if self.categories.current_category_id() is not None:
            self.canvas.set_current_category(self.categories.current_category_id())
        self.model_panel.set_selected_assets_source(self.assets.selected_asset_ids)
        self.model_panel.noticeOccurred.connect(lambda text: self.statusBar().showMessage(text, 10000))

    # -- actions ---------------------------------------------------------
    def _run(self, name: str, handler) -> None:
        try:
            handler()
        except Exception as exc:  # noqa: BLE001 — a refused edit is a message, never a crash
            log.warning("%s failed", name, exc_info=True)
            self.report_error("Kinetag", str(exc) or type(exc).__name__)

    def _trigger_key(self, key: str) -> None:
        for spec in self.registry.specs():
            if key in self.registry.keys(spec.id):
                self.registry.action(spec.id).trigger()
                return

    def open_asset(self, asset_id: int, frame_index: int = 0) -> None:
        self._run("open asset", lambda: self.document.open_asset(asset_id, frame_index))

    def next_unverified(self) -> None:
        current = self.document.asset
        nxt = self.store.next_asset(current.id if current else None, unreviewed=True)
        if nxt is None:
            self.statusBar().showMessage("Every asset is verified.", 5000)
            return
        self.document.open_asset(nxt.id)

    def mark_verified(self) -> None:
        asset = self.document.asset
        if asset is not None:
            self.document.set_asset_state(asset.id, AssetState.VERIFIED)
            self.assets.step(+1)

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", self.settings.last_folder("projects"),
                                              "Kinetag projects (*.kinetag);;All files (*)")
        if path:
            self.openRequested.emit(path)

    def show_export(self) -> ExportDialog:
        dialog = ExportDialog(self.store, self.settings, self)
        dialog.open()
        return dialog

    def report_error(self, title: str, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        show_error(self, title, text)

    def _asset_changed(self, asset, frame_index: int) -> None:
        self.assets.show_asset(asset.id if asset else None)
        missing = asset is not None and not self.store.resolve(asset).is_file()
        self.banner.setVisible(missing)
        if missing:
            self.banner.setText(f"Media file not found: {self.store.resolve(asset)} (asset {asset.id}). "
                                "Its annotations are still shown and editable.")
            self.statusBar().showMessage(f"Missing media file: {self.store.resolve(asset)}", 10000)
        elif asset is not None:
            self.statusBar().showMessage(f"{asset.path} · {asset.width}×{asset.height} · {asset.state}", 5000)
        if asset is not None:
            self._prefetch_next(asset, frame_index)

    def _prefetch_next(self, asset, frame_index: int) -> None:
        """Load what the annotator most likely opens next (the next frame, or the next asset in
        the list) in the background: that switch then skips the store query and the decode."""
        if asset.is_video and frame_index + 1 < asset.num_frames:
            self.document.prefetch(asset.id, frame_index + 1)
            return
        following = self.assets.neighbour_id(asset.id, +1)
        if following is not None:
            self.document.prefetch(following)

    # -- state and shutdown ----------------------------------------------
    def _restore_state(self) -> None:
        geometry, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        if state is not None:
            self.restoreState(state)
        view = self.settings.value("view/settings")
        if view:
            try:
                self.document.view.from_dict(json.loads(view))
            except (TypeError, ValueError):
                pass

    def closeEvent(self, event) -> None:
        # Model runs, exports, imports: stop them between batches before the store closes.
        workers = [w for w in self.findChildren(JobWorker) if w.is_running()]
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.wait()
        self.settings.set_value("window/geometry", self.saveGeometry())
        self.settings.set_value("window/state", self.saveState())
        self.settings.set_value("view/settings", json.dumps(self.document.view.to_dict()))
        self.settings.sync()
        QApplication.instance().removeEventFilter(self._text_keys)
        self.assets.shutdown()
        self.canvas.canvas_scene.close()  # the decoder and raster threads, open video readers
        self.document.close()
        self.store.close()
        super().closeEvent(event)
        self.closed.emit()
