"""Per-user preferences in QSettings: recent projects, key bindings, last folders, author name.

Tests and the screenshot script point the store at a throw-away ini file
(``Settings(path)``) so they never read or change the user's real settings.
"""
from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10


class Settings:
    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Kinetag", "Kinetag")
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def qsettings(self) -> QSettings:
        return self._qs

    def sync(self) -> None:
        self._qs.sync()

    # -- recent projects -------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self._qs.value("recent/projects", [])
        if isinstance(value, str):  # QSettings returns a bare string for one-item lists
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent_project(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        items = [p for p in self.recent_projects() if p != path]
        self._qs.setValue("recent/projects", [path] + items[: MAX_RECENT - 1])

    def remove_recent_project(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        self._qs.setValue("recent/projects", [p for p in self.recent_projects() if p != path])

    # -- key bindings ----------------------------------------------------
    def shortcut_overrides(self) -> dict[str, list[str]]:
        """Only the actions the user rebound; the rest keep their defaults."""
        self._qs.beginGroup("shortcuts")
        try:
            out = {}
            for key in self._qs.childKeys():
                value = self._qs.value(key, [])
                if isinstance(value, str):
                    value = [value] if value else []
                out[key] = [str(v) for v in (value or [])]
            return out
        finally:
            self._qs.endGroup()

    def set_shortcut_override(self, action_id: str, keys: list[str] | None) -> None:
        """``None`` goes back to the default; ``[]`` means deliberately unbound."""
        name = f"shortcuts/{action_id}"
        if keys is None:
            self._qs.remove(name)
        else:
            # An empty list would read back as None; a "" sentinel keeps "unbound" distinct.
            self._qs.setValue(name, list(keys) if keys else "")

    # -- misc ------------------------------------------------------------
    def last_folder(self, purpose: str) -> str:
        return str(self._qs.value(f"folders/{purpose}", str(Path.home())))

    def set_last_folder(self, purpose: str, folder: str | Path) -> None:
        self._qs.setValue(f"folders/{purpose}", str(folder))

    def author(self) -> str:
        default = _user_name()
        return str(self._qs.value("user/author", default) or default)

    def set_author(self, name: str) -> None:
        self._qs.setValue("user/author", name)

    def value(self, key: str, default=None):
        return self._qs.value(key, default)

    def set_value(self, key: str, value) -> None:
        self._qs.setValue(key, value)


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"
