"""The labelling canvas: CanvasView (a QGraphicsView) over CanvasScene."""
from app.canvas.view import CanvasView

__all__ = ["CanvasView"]
