"""Dock panels and bars of the main window; each binds to a ProjectDocument."""
