"""Kinetag's PySide6 desktop app: the only package that imports Qt."""
# First, before any Qt call: PySide6 6.12 leaks references to None/True/False on CPython < 3.12.
from app import pyside_compat  # noqa: F401
