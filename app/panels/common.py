"""Small helpers the panels share: colour swatches, error reporting, durations."""
from __future__ import annotations

import logging
from functools import wraps

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap

from engine.model import ReviewState

log = logging.getLogger(__name__)

REVIEW_COLORS = {
    ReviewState.PREDICTED: "#f5a623",
    ReviewState.ACCEPTED: "#2e9e44",
    ReviewState.CORRECTED: "#1f7a8c",
    ReviewState.REJECTED: "#c0392b",
    ReviewState.MANUAL: "#4a90e2",
}

_icons: dict[str, QIcon] = {}


def color_icon(color: str, size: int = 12) -> QIcon:
    icon = _icons.get(color)
    if icon is None:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(color or "#808080"))
        icon = _icons[color] = QIcon(pixmap)
    return icon


def reports_errors(method):
    """For a panel slot that edits through the document: a refused edit becomes
    ``self.errorOccurred`` (shown by the window) instead of an exception escaping Qt."""
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 — whatever the store refused, the user must see it
            log.warning("%s failed: %s", method.__name__, exc)
            self.errorOccurred.emit(str(exc) or type(exc).__name__)
            return None
    return wrapper


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Coalesced(QObject):
    """Call ``fn`` once, after the events already queued, however often it was asked for.

    A model run adds ~90 categories in one commit, and the store reports each one:
    the lists redraw once for the lot instead of ninety times in a row.
    """

    def __init__(self, fn, parent: QObject) -> None:
        super().__init__(parent)
        self._fn = fn
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(lambda: self._fn())

    def __call__(self, *_args) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Run now if a call is pending (tests, and code that needs the result at once)."""
        if self._timer.isActive():
            self._timer.stop()
            self._fn()
