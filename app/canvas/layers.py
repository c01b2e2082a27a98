"""The two batched layers that draw every instance that is not live (selected).

MaskLayer: the frame's masks as one image (frame_masks.py).
ShapeLayer: boxes, polygon outlines, skeleton edges, keypoints and labels.
Both paint only the tiles that intersect the exposed rectangle.
"""
from __future__ import annotations

import app.pyside_compat  # noqa: F401

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QStaticText, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from app.canvas import colors

POINT_PX = 6.0   # keypoint disc diameter on screen
OVERVIEW_POINT_PX = 4.0  # square dots: Qt draws these ~5x faster than round discs
OVERVIEW_OCCLUDED_PX = 2.0
# Level of detail: with more than this many instances in view (and not zoomed
# in), keypoints become square dots, occluded rings small dots, and labels are
# left to the selected instances; the skeleton edges are drawn for all.
OVERVIEW_INSTANCES = 250
OVERVIEW_MAX_SCALE = 1.5
RING_PX = 3.5    # occluded ring radius on screen
# Thin lines take Qt's cosmetic stroker (1.5 px is ~5x slower). Just under 1 px, not 1: Qt then draws
# them at 253/256 opacity, which looks the same and, measured with Qt 6 here, costs 40% less
# (19,000 skeleton edges at fit zoom: 23 -> 15 ms), while exactly 1 px costs ~48 ns a pixel.
LINE_PX = 0.99
SELECTED_PX = 2.0
AHEAD_MAX_PIXELS = 16_000_000  # device pixels of a shapes image drawn ahead (64 MB)
LABEL_REACH = (220.0, 30.0)  # screen pixels a label may extend right of / above its anchor

_PENS: dict[tuple, QPen] = {}


def pen(rgba: int, style: int = colors.SOLID, width: float = LINE_PX, round_cap: bool = False) -> QPen:
    key = (rgba, style, width, round_cap)
    p = _PENS.get(key)
    if p is None:
        p = QPen(QColor.fromRgba(rgba), width)
        p.setCosmetic(True)  # widths in screen pixels at any zoom
        if style == colors.DASHED:
            p.setStyle(Qt.PenStyle.DashLine)
        elif style == colors.DOTTED:
            p.setStyle(Qt.PenStyle.DotLine)
        if round_cap:
            p.setCapStyle(Qt.PenCapStyle.RoundCap)
        _PENS[key] = p
    return p


SIDE_RGBA = (None, colors.LEFT.rgba(), colors.RIGHT.rgba())


class _Layer(QGraphicsItem):
    def __init__(self, scene_ref):
        super().__init__()
        self._scene = scene_ref
        self._rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect


class MaskLayer(_Layer):
    """The frame's mask raster (frame_masks.py), only the exposed part of it."""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        sc = self._scene
        sc.shape_layer.forget_ahead()
        if sc.masks.pending() and sc.shape_layer.isVisible():
            # The masks are still being rastered (raster_pool.py): draw the shapes above them
            # now rather than wait idle, and the shape layer puts the result on top of them.
            sc.shape_layer.draw_ahead(painter, option, widget)
        image = sc.masks.image(sc.frame, sc.document.view.mask_opacity)
        if image is None:
            return
        part = option.exposedRect.toAlignedRect().intersected(QRect(0, 0, image.width(), image.height()))
        if not part.isEmpty():
            painter.drawImage(part.topLeft(), image, part)


class ShapeLayer(_Layer):
    def __init__(self, scene_ref):
        super().__init__(scene_ref)
        self._font = QFont()
        self._font.setPointSizeF(8.0)
        self._texts: dict[str, QStaticText] = {}
        self._ahead = None  # (transform, exposed rect, device position, image) from draw_ahead

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[:2] == (painter.worldTransform(), option.exposedRect):
            painter.save()
            painter.resetTransform()
            painter.drawImage(ahead[2], ahead[3])
            painter.restore()
            return
        self._draw(painter, option.exposedRect, *self._detail(painter, widget))

    def forget_ahead(self) -> None:
        self._ahead = None

    def draw_ahead(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        """Draw what ``paint`` would draw for this exposed area into an image, for the
        ``paint`` of the same pass to blit (the mask layer calls this while it waits)."""
        transform, exposed = painter.worldTransform(), option.exposedRect
        device = transform.mapRect(exposed).toAlignedRect()
        if widget is not None:
            device = device.intersected(widget.rect())
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        # A fractional pixel ratio would put the blitted image off the device grid; a huge
        # area costs more to allocate and fill than it saves. Both: draw in paint() as usual.
        if device.isEmpty() or ratio != int(ratio) or device.width() * device.height() * ratio ** 2 > AHEAD_MAX_PIXELS:
            return
        image = QImage(device.size() * ratio, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(0)
        ahead = QPainter(image)
        ahead.setRenderHints(painter.renderHints())
        ahead.setTransform(transform * QTransform.fromTranslate(-device.x(), -device.y()))
        self._draw(ahead, exposed, *self._detail(painter, widget))
        ahead.end()
        self._ahead = (transform, QRectF(exposed), QPointF(device.topLeft()), image)

    def _detail(self, painter: QPainter, widget) -> tuple[float, bool]:
        """(view scale, overview?) for the level of detail, from the view's own painter."""
        scale = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) or 1.0
        return scale, scale < OVERVIEW_MAX_SCALE and self._in_view(painter, widget) > OVERVIEW_INSTANCES

    def _draw(self, painter: QPainter, exposed: QRectF, scale: float, overview: bool) -> None:
        sc = self._scene
        view = sc.document.view
        # A label sits above and right of its instance: tiles below-left of the exposed area may own one in it.
        tiles = sc.tiles.visible(exposed.adjusted(-LABEL_REACH[0] / scale, 0, 0, LABEL_REACH[1] / scale))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for tile in tiles:
            for g in tile.groups:
                rgba, style, selected = g.key
                width = SELECTED_PX if selected else LINE_PX
                if view.show_boxes and g.boxes is not None:
                    painter.setPen(pen(rgba, style, width))
                    painter.drawPath(g.boxes)
                if view.show_polygons and g.rings is not None:
                    painter.setPen(pen(rgba, style, width))
                    painter.drawPath(g.rings)
                if view.show_keypoints:
                    self._keypoints(painter, g, rgba, width, scale, overview)
        if view.show_labels and not overview:
            self._labels(painter, tiles)

    def _in_view(self, painter: QPainter, widget) -> int:
        """Shown instances in the whole viewport: the level of detail must not depend on
        which part of the screen is being repainted, or partial repaints would differ."""
        if widget is None:
            return self._scene.frame.shown.sum()
        inverse, ok = painter.worldTransform().inverted()
        visible = inverse.mapRect(QRectF(widget.rect())) if ok else QRectF()
        return self._scene.frame.count_in(visible.left(), visible.top(), visible.right(), visible.bottom())

    def _keypoints(self, painter: QPainter, g, rgba: int, width: float, scale: float, overview: bool) -> None:
        if g.edges is not None:
            painter.setPen(pen(rgba, colors.SOLID, width))
            painter.drawPath(g.edges)
        has_rings = not overview and any(o is not None for o in g.occluded)
        rings = g.occluded_paths(RING_PX / scale) if has_rings else (None, None, None)
        for side in range(3):
            side_rgba = SIDE_RGBA[side] or rgba
            pts = g.points[side]
            if pts is not None:
                if overview:
                    painter.setPen(pen(side_rgba, colors.SOLID, OVERVIEW_POINT_PX))
                else:
                    painter.setPen(pen(side_rgba, colors.SOLID, POINT_PX, round_cap=True))
                painter.drawPointsNp(pts[0], pts[1])
            occluded = g.occluded_pts[side]
            if overview and occluded is not None:
                painter.setPen(pen(side_rgba, colors.SOLID, OVERVIEW_OCCLUDED_PX))
                painter.drawPointsNp(occluded[0], occluded[1])
            elif rings[side] is not None:
                painter.setPen(pen(side_rgba, colors.SOLID, LINE_PX))
                painter.drawPath(rings[side])

    def _text(self, label: str) -> QStaticText:
        st = self._texts.get(label)
        if st is None:
            st = QStaticText(label)
            st.prepare(font=self._font)
            self._texts[label] = st
        return st

    def _labels(self, painter: QPainter, tiles) -> None:
        t = painter.worldTransform()
        m11, m22, dx, dy = t.m11(), t.m22(), t.dx(), t.dy()
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        black, white = QColor(0, 0, 0), QColor(255, 255, 255)
        clip = painter.clipBoundingRect() if painter.hasClipping() else QRectF()
        for tile in tiles:
            for x, y, label, rgba in tile.labels:
                st = self._text(label)
                size = st.size()
                px, py = x * m11 + dx, y * m22 + dy - size.height() - 2
                box = QRectF(px, py, size.width() + 4, size.height() + 2)
                if not clip.isEmpty() and not clip.intersects(box):
                    continue
                color = QColor.fromRgba(rgba)
                painter.fillRect(box, color)
                painter.setPen(black if color.lightnessF() > 0.55 else white)
                painter.drawStaticText(QPointF(px + 2, py + 1), st)
        painter.restore()
