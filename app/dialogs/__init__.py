"""Dialogs of the main window: start, export, shortcuts, job progress."""
