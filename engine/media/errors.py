from __future__ import annotations

from pathlib import Path


class MediaError(Exception):
    """An image or video that cannot be opened or decoded.

    Callers (inference jobs, the GUI's asset list) show ``str(error)`` to the
    user, so it always starts with the file's path.
    """

    def __init__(self, path: str | Path, message: str):
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")
