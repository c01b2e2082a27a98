"""Still images as RGB uint8 arrays, oriented the way a viewer shows them.

Annotations are stored in the displayed orientation, so every reader (inference,
GUI, COCO import) must apply the EXIF orientation the same way: through here.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from engine.media.errors import MediaError

from engine.media import png_decode

# PNGs that Pillow opens in these modes come out of libpng as 8- or 16-bit RGB(A).
_FAST_PNG_MODES = {"RGB", "RGBA"}

# EXIF orientations 5-8 are transposes: the displayed image is taller than wide
# when the stored one is wider than tall.
_EXIF_ORIENTATION_TAG = 0x0112
_TRANSPOSING_ORIENTATIONS = {5, 6, 7, 8}


def _open(path: Path) -> Image.Image:
    if not path.is_file():
        raise MediaError(path, "file not found")
    try:
        return Image.open(path)
    except Exception as exc:  # PIL raises several unrelated types; callers get one
        raise MediaError(path, f"not a readable image ({exc})") from exc


def _to_rgb(img: Image.Image) -> np.ndarray:
    # PIL's own convert() clips 16/32-bit values at 255 instead of scaling them.
    if img.mode.startswith("I;16") or img.mode == "I":
        wide = np.asarray(img).astype(np.int64)
        if wide.max(initial=0) > 255:
            wide = wide >> 8
        gray = np.clip(wide, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if img.mode == "F":
        values = np.asarray(img, dtype=np.float64)
        if values.max(initial=0.0) <= 1.0:
            values = values * 255.0
        gray = np.clip(np.rint(values), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    # Alpha is dropped rather than composited: models and exports see the
    # same colours the pixels store.
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def read_image(path: str | Path) -> np.ndarray:
    """Decode an image fully into an (H, W, 3) uint8 RGB array, EXIF-oriented.

    Raises MediaError for a missing, unknown, corrupt or truncated file.
    """
    path = Path(path)
    with _open(path) as img:
        if png_decode.available and img.format == "PNG" and img.mode in _FAST_PNG_MODES:
            fast = _decode_png(path, img)
            if fast is not None:
                return fast
        try:
            # load() forces the whole decode so that truncation fails here and
            # not later in a model or a paint event.
            img.load()
            oriented = ImageOps.exif_transpose(img)
            return _to_rgb(oriented)
        except MediaError:
            raise
        except Exception as exc:
            raise MediaError(path, f"cannot decode image ({exc})") from exc


def _decode_png(path: Path, img: Image.Image) -> np.ndarray | None:
    """The pixels Pillow would give for an RGB(A) PNG, decoded by libpng and libdeflate (about three
    times as fast as Pillow, and without the GIL: png_decode.py); None: let Pillow do it
    (EXIF orientation anywhere in the file, or data libpng refuses but Pillow may still read)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MediaError(path, f"cannot read file ({exc})") from exc
    if _orientation(img) != 1 or "Raw profile type exif" in img.info or b"eXIf" in _png_chunks(data):
        return None
    try:
        pixels = png_decode.decode(data)
    except Exception:  # noqa: BLE001 — e.g. a CRC error Pillow ignores; Pillow's verdict and message count
        return None
    if pixels.ndim != 3 or pixels.shape[:2] != (img.height, img.width) or pixels.shape[2] not in (3, 4):
        return None
    if pixels.dtype == np.uint16:  # Pillow keeps a 16-bit channel's high byte
        pixels = (pixels >> 8).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        return None
    return pixels if pixels.shape[2] == 3 else np.ascontiguousarray(pixels[:, :, :3])


def _png_chunks(data: bytes) -> set[bytes]:
    """The chunk types of a PNG, from their headers (an eXIf chunk may follow the pixels)."""
    types, pos = set(), 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        types.add(kind)
        if kind == b"IEND":
            break
        pos += 12 + length
    return types


def _orientation(img: Image.Image) -> int:
    raw = img.info.get("exif")
    if raw is not None:
        exif = Image.Exif()
        exif.load(raw)
        return exif.get(_EXIF_ORIENTATION_TAG, 1)
    if img.format == "PNG":
        # PNG's getexif() decodes the whole image to look for a trailing eXIf chunk.
        return 1
    return img.getexif().get(_EXIF_ORIENTATION_TAG, 1)


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) as displayed, from the header only (no pixel decode)."""
    path = Path(path)
    with _open(path) as img:
        try:
            width, height = img.size
            orientation = _orientation(img)
        except Exception as exc:
            raise MediaError(path, f"cannot read image header ({exc})") from exc
    if orientation in _TRANSPOSING_ORIENTATIONS:
        width, height = height, width
    return int(width), int(height)
